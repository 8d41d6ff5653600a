"""A shopper's needs: hard constraints (must hold) and soft priorities (what matters most).

Needs are named by the category (`budget`, `ram`, `os`, …), so the same code serves any
category. A profile is an immutable value that round-trips through plain dicts, for slots and logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from knowledge.catalog import Category
from knowledge.errors import NeedsError

_NUMBER = re.compile(r"^\s*\$?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(k|thousand|grand)?\b", re.IGNORECASE)


def parse_number(text: Any) -> float:
    """'45k', '$45,000', '45 thousand', '7' -> a number; raises NeedsError otherwise."""
    if isinstance(text, bool):
        raise NeedsError(f"Expected a number, got {text!r}")
    if isinstance(text, (int, float)):
        return float(text)
    match = _NUMBER.match(str(text))
    if not match:
        raise NeedsError(f"Expected a number like 45000 or 45k, got {text!r}")
    number = float(match.group(1).replace(",", ""))
    return number * 1000 if match.group(2) else number


@dataclass(frozen=True)
class Constraint:
    """One hard constraint: a declared need and the shopper's value for it."""

    need: str
    value: Any  # a number for max/min, a tuple of allowed values for in/has_any


@dataclass(frozen=True)
class NeedsProfile:
    constraints: tuple[Constraint, ...] = ()
    priorities: tuple[str, ...] = ()
    excluded_brands: tuple[str, ...] = ()
    # A superlative or direct question's order, 'highest towing_lb' / 'lowest msrp_usd': the
    # matches are ranked on that attribute first ('which truck tows the most').
    sort: str | None = None
    # The shopper's words that implied a priority: (priority, words), e.g. ('cargo', 'a dog').
    hints: tuple[tuple[str, str], ...] = ()

    def get(self, need: str) -> Constraint | None:
        return next((c for c in self.constraints if c.need == need), None)

    def with_constraint(self, constraint: Constraint) -> NeedsProfile:
        kept = tuple(c for c in self.constraints if c.need != constraint.need)
        return replace(self, constraints=kept + (constraint,))

    def without(self, need: str) -> NeedsProfile:
        return replace(self, constraints=tuple(c for c in self.constraints if c.need != need))

    def with_priorities(self, priorities: list[str] | tuple[str, ...]) -> NeedsProfile:
        merged = tuple(dict.fromkeys([*priorities, *self.priorities]))
        return replace(self, priorities=merged)

    def excluding(self, brand: str) -> NeedsProfile:
        return replace(self, excluded_brands=tuple(dict.fromkeys([*self.excluded_brands, brand])))

    def hint(self, priority: str) -> str | None:
        """The shopper's words that implied `priority` ('a dog'), if it was implied."""
        return next((words for name, words in self.hints if name == priority), None)

    @property
    def sort_key(self) -> tuple[str, str] | None:
        """(attribute, 'highest' or 'lowest') of the order asked for, or None."""
        if not self.sort:
            return None
        order, _, attribute = self.sort.partition(" ")
        return attribute, order

    @property
    def is_empty(self) -> bool:
        return not (self.constraints or self.priorities or self.excluded_brands or self.sort)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form, e.g. {'budget': 45000, 'powertrain': ['hybrid'], ...}."""
        out: dict[str, Any] = {
            c.need: list(c.value) if isinstance(c.value, tuple) else c.value
            for c in self.constraints
        }
        if self.priorities:
            out["priorities"] = list(self.priorities)
        if self.excluded_brands:
            out["excluded_brands"] = list(self.excluded_brands)
        if self.sort:
            out["sort"] = self.sort
        if self.hints:
            out["hints"] = dict(self.hints)
        return out

    @classmethod
    def from_dict(cls, category: Category, data: dict[str, Any] | None) -> NeedsProfile:
        data = dict(data or {})
        priorities = data.pop("priorities", None) or []
        excluded = data.pop("excluded_brands", None) or []
        sort = check_sort(category, data.pop("sort", None))
        hints = tuple((str(k), str(v)) for k, v in (data.pop("hints", None) or {}).items())
        profile = build_profile(category, data, priorities)
        return replace(profile, excluded_brands=tuple(excluded), sort=sort, hints=hints)


ORDERS = ("highest", "lowest")


def check_sort(category: Category, sort: Any) -> str | None:
    """'highest towing_lb' -> itself when the attribute is a declared number; None for none;
    NeedsError otherwise."""
    if sort in (None, "", "any"):
        return None
    order, _, attribute = str(sort).partition(" ")
    found = category.attributes.get(attribute)
    if order not in ORDERS or found is None or not found.is_numeric:
        raise NeedsError(
            f"Unknown order {sort!r}: expected 'highest <attribute>' or 'lowest <attribute>' "
            "with a number attribute"
        )
    return f"{order} {attribute}"


def make_constraint(category: Category, need: str, value: Any) -> Constraint:
    """Check a stated need against the category and normalise its value (synonyms, '45k')."""
    spec = category.needs.get(need)
    if spec is None:
        raise NeedsError(f"Unknown need '{need}': this category knows {', '.join(category.needs)}")
    attribute = category.attributes[spec.attribute]
    if spec.op in ("max", "min"):
        number = parse_number(value)
        if attribute.type == "integer" and number.is_integer():
            number = int(number)
        return Constraint(need, number)
    if spec.fixed:
        if value in (False, "no", "false", None):
            raise NeedsError(f"'{need}' is a yes/no need; drop it instead of setting it to no")
        return Constraint(need, spec.fixed)
    raw = value if isinstance(value, (list, tuple)) else re.split(r"\s*,\s*", str(value))
    chosen = [canonical_value(category, spec.attribute, str(v)) for v in raw if str(v).strip()]
    if not chosen:
        raise NeedsError(f"'{need}' needs at least one value")
    return Constraint(need, tuple(dict.fromkeys(chosen)))


def canonical_value(category: Category, attribute_name: str, text: str) -> str:
    """'PHEV' -> 'plug_in_hybrid', 'truck' -> 'pickup': a declared value or NeedsError."""
    attribute = category.attributes[attribute_name]
    wanted = text.strip().lower().replace("_", " ")
    for value in attribute.values:
        names = {
            value.lower().replace("_", " "),
            *(s.lower() for s in attribute.value_synonyms.get(value, ())),
        }
        if wanted in names:
            return value
    raise NeedsError(
        f"Unknown {attribute.label.lower()} {text!r}: expected one of "
        + ", ".join(v.replace("_", "-") for v in attribute.values)
    )


def build_profile(
    category: Category, needs: dict[str, Any], priorities: list[str] | tuple[str, ...] = ()
) -> NeedsProfile:
    """A profile from {need: value} and a priority list; raises NeedsError naming what is wrong."""
    constraints = tuple(make_constraint(category, name, value) for name, value in needs.items())
    for name in priorities:
        if name not in category.priorities:
            known = ", ".join(category.priorities)
            raise NeedsError(f"Unknown priority '{name}': this category knows {known}")
    return NeedsProfile(constraints=constraints, priorities=tuple(dict.fromkeys(priorities)))


NO_PREFERENCE = ("any", "no preference", "")


def profile_from_values(
    category: Category,
    values: dict[str, Any],
    priorities: list[str] | tuple[str, ...] = (),
    excluded_brands: list[str] | tuple[str, ...] = (),
    sort: str | None = None,
    hints: dict[str, str] | None = None,
) -> tuple[NeedsProfile, list[str]]:
    """A profile from loosely filled values (chat slots), skipping 'no preference' and empty ones.

    Returns the profile and a message for every value that could not be used, so nothing is
    dropped silently.
    """
    constraints, problems = [], []
    for need, value in values.items():
        if (
            value is None
            or value == []
            or (isinstance(value, str) and value.lower() in NO_PREFERENCE)
        ):
            continue
        if (
            isinstance(value, list)
            and len(value) == 1
            and category.needs.get(need)
            and category.needs[need].op in ("max", "min")
        ):
            value = value[0]
        try:
            constraints.append(make_constraint(category, need, value))
        except NeedsError as error:
            problems.append(str(error))
    known = [p for p in priorities if p in category.priorities]
    try:
        order = check_sort(category, sort)
    except NeedsError as error:
        order = None
        problems.append(str(error))
    implied = tuple((p, w) for p, w in (hints or {}).items() if p in known)
    profile = NeedsProfile(
        tuple(constraints), tuple(dict.fromkeys(known)), tuple(excluded_brands), order, implied
    )
    return profile, problems
