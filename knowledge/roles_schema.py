"""Reading a category's `roles`, `ownership` and `interview` declarations from parsed YAML.

Like `category_schema.py`, every field is checked for its shape before it is used, and each problem
is added to the report with its code, the file and the field (`roles.size[0].step`), so a broken
declaration is described, never crashed on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.catalog import Attribute, NeedSpec, PrioritySpec
from knowledge.category_schema import is_name, is_number, names
from knowledge.errors import Errors, Problems
from knowledge.roles import (
    COST_PERIODS,
    ENERGY_MEASURES,
    STEP_TITLES,
    CostItem,
    EnergyPrice,
    EnergyUse,
    Ownership,
    Phrases,
    Question,
    Roles,
    SizeRole,
)

URL_PREFIXES = ("http://", "https://")
Problem = Callable[[str, str], None]  # (field, detail)


def read_declarations(
    data: dict,
    file: Path,
    report: Problems,
    attributes: dict[str, Attribute],
    needs: dict[str, NeedSpec],
    priorities: dict[str, PrioritySpec],
    ownership_file: Path | None = None,
) -> tuple[Roles, Ownership | None, tuple[Question, ...], Phrases]:
    """The roles, cost-to-own assumptions and interview declared in `data`; problems go to `report`
    (those in the cost-to-own assumptions name `ownership_file` when they were read from one)."""

    def problem(code: str, where_file: Path = file) -> Problem:
        def add(where: str, detail: str) -> None:
            report.add(where_file, getattr(Errors, code).format(detail=detail), field=where)

        return add

    ownership = read_ownership(data.get("ownership"), problem("E116", ownership_file or file))
    roles = read_roles(data.get("roles"), attributes, needs, priorities, ownership, problem("E115"))
    questions, phrases = read_interview(data.get("interview"), needs, problem("E117"))
    return roles, ownership, questions, phrases


def _numeric(attributes: dict[str, Attribute], name: Any) -> bool:
    return is_name(name) and str(name) in attributes and attributes[str(name)].is_numeric


def read_roles(
    raw: Any,
    attributes: dict[str, Attribute],
    needs: dict[str, NeedSpec],
    priorities: dict[str, PrioritySpec],
    ownership: Ownership | None,
    problem: Problem,
) -> Roles:
    if raw is None:
        return Roles()
    if not isinstance(raw, dict):
        problem("roles", "must be a mapping with 'price', 'size' and 'energy'")
        return Roles()
    for key in raw:
        if key not in ("price", "size", "energy"):
            problem(f"roles.{key}", "unknown role: expected price, size or energy")
    price = raw.get("price")
    if price is not None and not _numeric(attributes, price):
        problem("roles.price", "must name a declared number attribute")
        price = None
    size = tuple(
        role
        for i, item in enumerate(_list(raw.get("size"), "roles.size", problem))
        if (role := _size(item, f"roles.size[{i}]", attributes, needs, priorities, problem))
    )
    energy = tuple(
        use
        for i, item in enumerate(_list(raw.get("energy"), "roles.energy", problem))
        if (use := _energy(item, f"roles.energy[{i}]", attributes, ownership, problem))
    )
    return Roles(str(price) if price is not None else None, size, energy)


def _list(raw: Any, where: str, problem: Problem) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problem(where, "must be a list")
        return []
    return raw


def _size(
    item: Any,
    where: str,
    attributes: dict[str, Attribute],
    needs: dict[str, NeedSpec],
    priorities: dict[str, PrioritySpec],
    problem: Problem,
) -> SizeRole | None:
    if not isinstance(item, dict) or not _numeric(attributes, item.get("attribute")):
        problem(f"{where}.attribute", "must name a declared number attribute")
        return None
    name = str(item["attribute"])
    numbers = {}
    for key in ("step", "up_to", "down_to"):
        value = item.get(key)
        if value is not None and not (is_number(value) and (key != "step" or value > 0)):
            problem(f"{where}.{key}", "must be a number" + (" above 0" if key == "step" else ""))
            return None
        numbers[key] = value
    unknown = set(item) - {"attribute", "step", "up_to", "down_to"}
    if unknown:
        problem(f"{where}.{sorted(unknown)[0]}", "expected attribute, step, up_to or down_to")
        return None
    if numbers["step"] is not None:
        if not any(s.attribute == name and s.op in ("min", "max") for s in needs.values()):
            problem(f"{where}.step", f"a stepped size needs a 'min' or 'max' need on '{name}'")
            return None
    elif not any(name in p.attributes for p in priorities.values()):
        problem(f"{where}.step", f"without a step, a priority must score '{name}'")
        return None
    return SizeRole(name, numbers["step"], numbers["up_to"], numbers["down_to"])


def _energy(
    item: Any,
    where: str,
    attributes: dict[str, Attribute],
    ownership: Ownership | None,
    problem: Problem,
) -> EnergyUse | None:
    if not isinstance(item, dict) or not _numeric(attributes, item.get("attribute")):
        problem(f"{where}.attribute", "must name a declared number attribute")
        return None
    if item.get("measure") not in ENERGY_MEASURES:
        problem(f"{where}.measure", f"must be one of {ENERGY_MEASURES}")
        return None
    unit = item.get("unit")
    if not is_name(unit) or ownership is None or ownership.energy_price(str(unit)) is None:
        problem(f"{where}.unit", "must be a unit priced under 'ownership.energy_prices'")
        return None
    factor = item.get("factor", 1)
    if not is_number(factor) or factor <= 0:
        problem(f"{where}.factor", "must be a number above 0")
        return None
    when_raw = item.get("when") or {}
    when: dict[str, tuple[str, ...]] = {}
    if not isinstance(when_raw, dict):
        problem(f"{where}.when", "must map attributes to lists of their values")
        return None
    for name, values in when_raw.items():
        attribute = attributes.get(str(name))
        listed = names(values if isinstance(values, list) else [values])
        if attribute is None or not listed or any(v not in attribute.values for v in listed):
            problem(f"{where}.when.{name}", "must map a category attribute to its values")
            return None
        when[str(name)] = listed
    return EnergyUse(str(item["attribute"]), str(unit), item["measure"], float(factor), when)


OWNERSHIP_KEYS = (
    "years", "usage", "energy_prices", "excludes", "costs", "basis", "max_years",
)  # fmt: skip


def read_ownership(raw: Any, problem: Problem) -> Ownership | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problem("ownership", "must be a mapping with 'years', 'usage' and 'energy_prices'")
        return None
    unknown = [k for k in raw if k not in OWNERSHIP_KEYS]
    if unknown:
        problem(
            f"ownership.{unknown[0]}", f"unknown key: expected one of {', '.join(OWNERSHIP_KEYS)}"
        )
        return None
    years = raw.get("years")
    if not _whole(years):
        problem("ownership.years", "must be a whole number of years above 0")
        return None
    max_years = raw.get("max_years", 15)
    if not _whole(max_years) or max_years < years:
        problem("ownership.max_years", "must be a whole number of years, at least 'years'")
        return None
    usage = raw.get("usage")
    if not (
        isinstance(usage, dict) and is_number(usage.get("amount")) and is_name(usage.get("label"))
    ):
        problem("ownership.usage", "must be {amount: a number, label: e.g. 'miles a year'}")
        return None
    words = names(usage.get("words") or [])
    if words is None:
        problem("ownership.usage.words", "must be a list of words, e.g. [miles a year, miles]")
        return None
    max_usage = usage.get("max", 0)
    if not is_number(max_usage) or max_usage < 0:
        problem("ownership.usage.max", "must be a number (the most a shopper may state)")
        return None
    prices = []
    raw_prices = raw.get("energy_prices") or {}
    if not isinstance(raw_prices, dict):
        problem("ownership.energy_prices", "must map energy units to their prices")
        return None
    for unit, spec in raw_prices.items():
        price = _energy_price(str(unit), spec, f"ownership.energy_prices.{unit}", problem)
        if price is None:
            return None
        prices.append(price)
    costs = []
    for i, spec in enumerate(_list(raw.get("costs"), "ownership.costs", problem)):
        item = _cost_item(spec, f"ownership.costs[{i}]", problem)
        if item is None:
            return None
        if any(c.id == item.id for c in costs):
            problem(f"ownership.costs[{i}].id", f"'{item.id}' is declared twice")
            return None
        costs.append(item)
    for key in ("excludes", "basis"):
        if raw.get(key) and not is_name(raw[key]):
            problem(f"ownership.{key}", "must be a phrase")
            return None
    return Ownership(
        years,
        float(usage["amount"]),
        str(usage["label"]),
        tuple(prices),
        str(raw.get("excludes") or ""),
        tuple(costs),
        str(raw.get("basis") or ""),
        words,
        max_years,
        float(max_usage),
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _source(spec: dict, where: str, problem: Problem) -> tuple[str, str, date] | None:
    """A figure's `source` URL, `source_label` (optional) and `as_of` date."""
    source = spec.get("source")
    if not (isinstance(source, str) and source.startswith(URL_PREFIXES) and " " not in source):
        problem(f"{where}.source", "must be an http(s) URL where the figure can be checked")
        return None
    label = spec.get("source_label", "")
    if label and not is_name(label):
        problem(f"{where}.source_label", "must name who publishes the figure, e.g. 'AAA'")
        return None
    as_of = spec.get("as_of")
    if not isinstance(as_of, date):
        try:
            as_of = date.fromisoformat(str(as_of))
        except ValueError:
            problem(f"{where}.as_of", "must be a date YYYY-MM-DD")
            return None
    return source, str(label or ""), as_of


def _cost_item(spec: Any, where: str, problem: Problem) -> CostItem | None:
    if not isinstance(spec, dict) or not is_name(spec.get("id")):
        problem(f"{where}.id", "must name the cost, e.g. depreciation")
        return None
    allowed = {"id", "label", "amount", "per", "source", "source_label", "as_of", "scope", "note"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        problem(
            f"{where}.{unknown[0]}", f"unknown key: expected one of {', '.join(sorted(allowed))}"
        )
        return None
    if not is_name(spec.get("label")):
        problem(f"{where}.label", "must say what the cost is, e.g. Depreciation")
        return None
    if not is_number(spec.get("amount")) or spec["amount"] < 0:
        problem(f"{where}.amount", "must be a number of dollars (a sourced figure, never a guess)")
        return None
    if spec.get("per") not in COST_PERIODS:
        problem(f"{where}.per", f"must be one of {COST_PERIODS}")
        return None
    for key in ("scope", "note"):
        if spec.get(key) and not is_name(spec[key]):
            problem(f"{where}.{key}", "must be a phrase")
            return None
    cited = _source(spec, where, problem)
    if cited is None:
        return None
    return CostItem(
        str(spec["id"]),
        str(spec["label"]),
        float(spec["amount"]),
        str(spec["per"]),
        cited[0],
        cited[1],
        cited[2],
        str(spec.get("scope") or ""),
        str(spec.get("note") or ""),
    )


def _energy_price(unit: str, spec: Any, where: str, problem: Problem) -> EnergyPrice | None:
    if not isinstance(spec, dict) or not is_number(spec.get("price")) or spec["price"] < 0:
        problem(f"{where}.price", "must be a number of dollars per unit")
        return None
    if not is_name(spec.get("label")):
        problem(f"{where}.label", "must say how the price reads, e.g. 'a gallon'")
        return None
    cited = _source(spec, where, problem)
    if cited is None:
        return None
    source, label, as_of = cited
    return EnergyPrice(unit, float(spec["price"]), str(spec["label"]), source, as_of, label)


def read_interview(
    raw: Any, needs: dict[str, NeedSpec], problem: Problem
) -> tuple[tuple[Question, ...], Phrases]:
    if raw is None:
        return (), Phrases()
    if not isinstance(raw, dict):
        problem("interview", "must be a mapping with 'ask' and 'examples'")
        return (), Phrases()
    questions: list[Question] = []
    for i, item in enumerate(_list(raw.get("ask"), "interview.ask", problem)):
        where = f"interview.ask[{i}]"
        if not isinstance(item, dict) or str(item.get("need")) not in needs:
            problem(f"{where}.need", "must name a declared need")
            continue
        if any(q.need == str(item["need"]) for q in questions):
            problem(f"{where}.need", f"'{item['need']}' is asked twice")
            continue
        if not is_name(item.get("question")):
            problem(f"{where}.question", "must be the question's text")
            continue
        buttons = item.get("buttons") or {}
        if not isinstance(buttons, dict) or not all(
            is_name(k) and is_name(v) for k, v in buttons.items()
        ):
            problem(f"{where}.buttons", "must map each button's title to the answer it sends")
            continue
        pairs = tuple((str(k), str(v)) for k, v in buttons.items())
        questions.append(Question(str(item["need"]), str(item["question"]), pairs))
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict) or not all(
        key in ("needs", "compare", "about") and is_name(value) for key, value in examples.items()
    ):
        problem("interview.examples", "must map needs, compare and about to sample requests")
        examples = {}
    steps = raw.get("next_steps") or {}
    known = dict(STEP_TITLES)
    if not isinstance(steps, dict) or not all(
        key in known and is_name(value) for key, value in steps.items()
    ):
        problem("interview.next_steps", f"must map some of {', '.join(known)} to button titles")
        steps = {}
    pairs = tuple((str(k), str(v)) for k, v in steps.items())
    return tuple(questions), Phrases(**{k: str(v) for k, v in examples.items()}, steps=pairs)
