"""Readable levels for stated needs: 'under $45k', '7+ seats', 'electric', 'not Tesla'.

Numbers are bucketed so that shoppers who asked for nearly the same thing group together: the step
is a round number (1, 2 or 5 x 10^n) near a tenth of the span of the attribute's values in the
catalog (seats 1, mpg 5, range 50 mi, towing 1,000 lb, price $5k); a maximum is rounded up to the
step and a minimum down, so the level stays true to the ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from knowledge.catalog import Catalog
from knowledge.needs import Constraint

STEPS_PER_SPAN = 10  # about this many levels across an attribute's catalog range
EXCLUDED_BRANDS = "excluded_brands"


@dataclass(frozen=True)
class Level:
    """One need at a readable level: 'under $45k', '7+ seats', 'electric', 'not Tesla'."""

    need: str
    key: str
    label: str
    order: tuple[int, int]  # categorical needs first, then numbers, then brand exclusions


def nice_step(span: float, integer: bool) -> float:
    """The round number (1, 2 or 5 x 10^n) nearest, on a log scale, to span / STEPS_PER_SPAN."""
    if span <= 0:
        return 1.0
    raw = span / STEPS_PER_SPAN
    exponent = math.floor(math.log10(raw))
    candidates = [m * 10.0**e for e in (exponent, exponent + 1) for m in (1, 2, 5)]
    step = min(candidates, key=lambda c: abs(math.log10(c / raw)))
    return float(max(1, round(step))) if integer else step


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _money(value: float) -> str:
    return f"${_number(value / 1000)}k" if value >= 1000 else f"${_number(value)}"


class NeedLevels:
    """Readable levels for a catalog's needs, derived from its attributes' ranges and units."""

    def __init__(self, catalog: Catalog) -> None:
        self.category = catalog.category
        self.positions = {name: i for i, name in enumerate(self.category.needs)}
        self.steps: dict[str, float] = {}
        for name, spec in self.category.needs.items():
            attribute = self.category.attributes[spec.attribute]
            if spec.op in ("max", "min"):
                low, high = catalog.value_ranges.get(spec.attribute) or attribute.range or (0, 0)
                self.steps[name] = nice_step(high - low, attribute.type == "integer")

    def level(self, constraint: Constraint) -> Level:
        spec = self.category.needs[constraint.need]
        attribute = self.category.attributes[spec.attribute]
        position = self.positions[constraint.need]
        if spec.op in ("max", "min"):
            step = self.steps[constraint.need]
            rounding = math.ceil if spec.op == "max" else math.floor
            bucket = round(rounding(round(constraint.value / step, 9)) * step, 6)
            if bucket <= 0:
                bucket = constraint.value
            money = attribute.unit == "USD"
            unit = attribute.unit or ""
            suffix = "" if constraint.need.lower() in unit.lower() else constraint.need
            suffix = suffix.replace("_", " ")
            if spec.op == "max":
                text = _money(bucket) if money else f"{_number(bucket)} {unit}".strip()
                label = f"under {text}" + ("" if money or not suffix else f" {suffix}")
            else:
                text = f"{_money(bucket)}+" if money else f"{_number(bucket)}+ {unit}".strip()
                label = f"{text} {suffix}".strip()
            symbol = "<=" if spec.op == "max" else ">="
            return Level(
                constraint.need, f"{constraint.need}{symbol}{bucket:g}", label, (1, position)
            )
        if spec.fixed:
            return Level(constraint.need, f"{constraint.need}=yes", spec.label, (0, position))
        values = sorted(constraint.value, key=lambda v: (attribute.values.index(v), v))
        label = " or ".join(attribute.value_label(v) for v in values)
        return Level(constraint.need, f"{constraint.need}={'|'.join(values)}", label, (0, position))

    @staticmethod
    def exclusion(brands: tuple[str, ...]) -> Level:
        names = sorted(brands, key=str.lower)
        key = "not=" + "|".join(n.lower() for n in names)
        return Level(EXCLUDED_BRANDS, key, "not " + "/".join(names), (2, 0))
