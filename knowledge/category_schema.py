"""Reading a category declaration (attributes, needs, priorities, deployer) from parsed YAML; its
roles, cost-to-own assumptions and interview are read by `roles_schema.py`.

Hand-edited YAML can put any shape anywhere (a list where a mapping belongs, a number where a name
belongs); every field is checked for its shape before it is used, and each problem is added to the
report with the file and the field, so a broken declaration is described, never crashed on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge.catalog import (
    ATTRIBUTE_TYPES,
    DIRECTIONS,
    NEED_OPS,
    Attribute,
    Category,
    NeedSpec,
    PrioritySpec,
)
from knowledge.errors import Errors, Problems

Problem = Callable[[str], None]  # adds one problem, given its detail, to the report


def is_name(value: Any) -> bool:
    """A usable name or label: a non-empty string, or a number written without quotes."""
    return (isinstance(value, str) and value.strip() != "") or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def names(value: Any) -> tuple[str, ...] | None:
    """A list of names as strings; None when the value is not a list of names."""
    if isinstance(value, list) and all(is_name(v) for v in value):
        return tuple(str(v) for v in value)
    return None


def read_category(
    data: dict, file: Path, report: Problems, ownership_file: Path | None = None
) -> Category | None:
    """The category declared in `data`, or None after adding every problem to `report`."""
    head = data.get("category")
    if not isinstance(head, dict) or not is_name(head.get("id")):
        report.add(file, Errors.E112.format(detail="a 'category' mapping with an 'id' is required"))
        return None
    before = len(report.problems)

    def problem(detail: str) -> None:
        report.add(file, Errors.E112.format(detail=detail))

    def section(key: str) -> dict:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            problem(f"'{key}' must be a mapping of names to declarations")
            return {}
        return value

    # Declarations already reported as broken; what refers to them is not reported again.
    broken: set[str] = set()
    attributes = {}
    for name, spec in section("attributes").items():
        attribute = read_attribute(str(name), spec, problem)
        if attribute:
            attributes[str(name)] = attribute
        else:
            broken.add(str(name))
    check_applies_when(attributes, problem)
    needs = {}
    for name, spec in section("needs").items():
        need = _need(str(name), spec, attributes, broken, problem)
        if need:
            needs[need.name] = need
    priorities = {}
    for name, spec in section("priorities").items():
        priority = _priority(str(name), spec, attributes, broken, problem)
        if priority:
            priorities[priority.name] = priority
        else:
            broken.add(f"priority:{name}")
    defaults = names(data.get("default_priorities") or [])
    if defaults is None:
        problem("'default_priorities' must be a list of priority names")
        defaults = ()
    for name in defaults:
        if name not in priorities and f"priority:{name}" not in broken:
            problem(f"default priority '{name}' is not declared")
    deployer = head.get("deployer") or {}
    if not isinstance(deployer, dict) or not all(
        deployer.get(k) is None or is_name(deployer.get(k)) for k in ("name", "house_brand")
    ):
        problem("'deployer' must be a mapping with 'name' and optionally 'house_brand'")
        deployer = {}
    brand_aliases = _brand_aliases(head.get("brand_aliases"), problem)
    recall_check = head.get("recall_check")
    if recall_check is not None and not is_name(recall_check):
        problem("'recall_check' must be a sentence")
    from knowledge.roles_schema import read_declarations  # it builds on this module's helpers

    roles, ownership, interview, phrases = read_declarations(
        data, file, report, attributes, needs, priorities, ownership_file
    )
    from knowledge.phrasing import read_phrasing

    phrasing = read_phrasing(data.get("phrasing"), file, report, attributes, needs, priorities)
    if len(report.problems) > before:
        return None
    return Category(
        id=str(head["id"]),
        name=str(head.get("name") or head["id"]),
        item=str(head.get("item") or "product"),
        items=str(head.get("items") or "products"),
        attributes=attributes,
        needs=needs,
        priorities=priorities,
        default_priorities=defaults,
        deployer=str(deployer["name"]) if deployer.get("name") is not None else None,
        house_brand=str(deployer["house_brand"]) if deployer.get("house_brand") else None,
        brand_aliases=brand_aliases,
        recall_check=str(recall_check) if recall_check else None,
        roles=roles,
        ownership=ownership,
        interview=interview,
        phrases=phrases,
        phrasing=phrasing,
    )


def valid_range(bounds: Any) -> bool:
    return (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(is_number(b) for b in bounds)
        and bounds[0] <= bounds[1]
    )


def read_attribute(name: str, spec: Any, problem: Problem) -> Attribute | None:
    if not isinstance(spec, dict) or spec.get("type") not in ATTRIBUTE_TYPES:
        problem(f"attribute '{name}': type must be one of {ATTRIBUTE_TYPES}")
        return None
    better = spec.get("better")
    if better is not None and better not in DIRECTIONS:
        problem(f"attribute '{name}': better must be one of {DIRECTIONS}")
        return None
    values = names(spec.get("values") or [])
    if values is None:
        problem(f"attribute '{name}': 'values' must be a list of names")
        return None
    if spec["type"] in ("category", "set") and not values:
        problem(f"attribute '{name}': a {spec['type']} needs 'values'")
        return None
    bounds = spec.get("range")
    if bounds is not None and not valid_range(bounds):
        problem(f"attribute '{name}': range must be [min, max] numbers")
        return None
    unit = spec.get("unit")
    if unit is not None and not is_name(unit):
        problem(f"attribute '{name}': unit must be a word such as 'USD'")
        return None
    lists = {
        key: names(spec.get(key) or [])
        for key in ("synonyms", "unit_words", "questions", "related_words")
    }
    for key, words in lists.items():
        if words is None:
            problem(f"attribute '{name}': '{key}' must be a list of words")
            return None
    value_synonyms = _mapping_of_names(spec.get("value_synonyms"), values, list_values=True)
    value_labels = _mapping_of_names(spec.get("value_labels"), values, list_values=False)
    if value_synonyms is None or value_labels is None:
        problem(
            f"attribute '{name}': 'value_synonyms' and 'value_labels' must map its declared values "
            "to words"
        )
        return None
    applies_when = spec.get("applies_when") or {}
    if not isinstance(applies_when, dict) or any(
        names(v) is None or not v for v in applies_when.values()
    ):
        problem(f"attribute '{name}': 'applies_when' must map category attributes to their values")
        return None
    return Attribute(
        name=name,
        label=str(spec.get("label") or name),
        type=spec["type"],
        unit=str(unit) if unit is not None else None,
        better=better,
        range=tuple(bounds) if bounds else None,
        values=values,
        synonyms=lists["synonyms"] or (),
        value_synonyms=value_synonyms,
        value_labels=value_labels,
        unit_words=lists["unit_words"] or (),
        questions=lists["questions"] or (),
        related_words=lists["related_words"] or (),
        applies_when={str(k): names(v) for k, v in applies_when.items()},
    )


def check_applies_when(attributes: dict[str, Attribute], problem: Problem) -> None:
    """Each 'applies_when' names a declared category or set attribute and values it declares."""
    for attribute in attributes.values():
        for name, values in attribute.applies_when.items():
            other = attributes.get(name)
            if other is None or other.type not in ("category", "set"):
                problem(
                    f"attribute '{attribute.name}': applies_when names '{name}', which is not a "
                    "declared category attribute"
                )
                continue
            unknown = [v for v in values if v not in other.values]
            if unknown:
                problem(
                    f"attribute '{attribute.name}': applies_when lists {', '.join(unknown)}, not "
                    f"values of '{name}' ({', '.join(other.values)})"
                )


def _mapping_of_names(raw: Any, values: tuple[str, ...], list_values: bool) -> dict | None:
    """{declared value: words} (list_values) or {declared value: label}; None when malformed."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(str(k) in values for k in raw):
        return None
    result: dict = {}
    for key, value in raw.items():
        if list_values:
            words = names(value or [])
            if words is None:
                return None
            result[str(key)] = words
        elif is_name(value):
            result[str(key)] = str(value)
        else:
            return None
    return result


def _need(
    name: str, spec: Any, attributes: dict[str, Attribute], broken: set[str], problem: Problem
) -> NeedSpec | None:
    if not isinstance(spec, dict) or not is_name(spec.get("attribute")):
        problem(f"need '{name}' must name a declared attribute")
        return None
    attribute = attributes.get(str(spec["attribute"]))
    if attribute is None:
        if str(spec["attribute"]) not in broken:
            problem(f"need '{name}' must name a declared attribute")
        return None
    if spec.get("op") not in NEED_OPS:
        problem(f"need '{name}': op must be one of {NEED_OPS}")
        return None
    fixed = spec.get("fixed")
    fixed_values = names(fixed) if fixed is not None else None
    if fixed is not None and (
        not fixed_values
        or (attribute.values and any(v not in attribute.values for v in fixed_values))
    ):
        problem(f"need '{name}': 'fixed' must list values of attribute '{attribute.name}'")
        return None
    label = spec.get("label")
    return NeedSpec(
        name, attribute.name, spec["op"], str(label) if is_name(label) else name, fixed_values
    )


def _priority(
    name: str, spec: Any, attributes: dict[str, Attribute], broken: set[str], problem: Problem
) -> PrioritySpec | None:
    listed = names(spec.get("attributes")) if isinstance(spec, dict) else None
    if not listed or any(a not in attributes for a in listed):
        if not listed or any(a not in attributes and a not in broken for a in listed):
            problem(f"priority '{name}' must list declared attributes")
        return None
    if any(attributes[a].better not in DIRECTIONS for a in listed):
        problem(f"priority '{name}' needs attributes with 'better'")
        return None
    label = spec.get("label")
    return PrioritySpec(name, listed, str(label) if is_name(label) else name)


def _brand_aliases(raw: Any, problem: Problem) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if isinstance(raw, dict):
        aliases = {str(brand): names(words or []) for brand, words in raw.items()}
        if all(words is not None for words in aliases.values()):
            return aliases  # type: ignore[return-value]
    problem("'brand_aliases' must map each brand to a list of aliases")
    return {}
