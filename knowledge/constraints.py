"""Checking one product against one hard constraint, and saying in words how it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Attribute, Category, NeedSpec, Product
from knowledge.needs import Constraint


@dataclass(frozen=True)
class Failure:
    """How a product misses one constraint: what it has, what was asked, and by how much."""

    need: str
    label: str
    actual: Any
    wanted: Any
    text: str  # "$400 over budget", "8 GB, not 16 GB", "no weight figure on file"
    gap: float | None = None  # absolute shortfall for numeric needs
    relative_gap: float = 1.0  # shortfall as a share of the asked value; 1.0 for a categorical miss

    def to_dict(self) -> dict[str, Any]:
        return {
            "need": self.need,
            "label": self.label,
            "actual": list(self.actual) if isinstance(self.actual, tuple) else self.actual,
            "wanted": list(self.wanted) if isinstance(self.wanted, tuple) else self.wanted,
            "text": self.text,
            "gap": self.gap,
        }


def describe_wanted(category: Category, constraint: Constraint) -> str:
    """The constraint as the shopper stated it: 'at most $1,500', 'at least 16 GB', 'Windows'."""
    spec = category.needs[constraint.need]
    attribute = category.attributes[spec.attribute]
    if spec.op == "max":
        return f"at most {attribute.format(constraint.value)}"
    if spec.op == "min":
        return f"at least {attribute.format(constraint.value)}"
    if spec.fixed:
        return spec.label
    return " or ".join(attribute.format(v) for v in constraint.value)


def check(category: Category, constraint: Constraint, product: Product) -> Failure | None:
    """None when `product` meets `constraint`, else the Failure that explains the miss."""
    spec = category.needs[constraint.need]
    attribute = category.attributes[spec.attribute]
    actual = product.value(spec.attribute)
    if actual is None and not attribute.applies_to(product.values):
        # not a figure missing from the file: this product has no such figure at all
        kind = next(iter(attribute.applies_when))
        has = product.value(kind)
        said = category.attributes[kind].format(has)
        return Failure(
            spec.name, spec.label, has, constraint.value, f"{said}, so no {attribute.label}"
        )
    if actual is None:
        return Failure(
            spec.name,
            spec.label,
            None,
            constraint.value,
            f"no {attribute.label.lower()} figure on file",
        )
    if spec.op in ("max", "min"):
        return _numeric(spec, attribute, constraint, actual)
    allowed = set(constraint.value)
    has = set(actual) if isinstance(actual, tuple) else {actual}
    if has & allowed:
        return None
    wanted = describe_wanted(category, constraint)
    return Failure(
        spec.name, spec.label, actual, constraint.value, f"{attribute.format(actual)}, not {wanted}"
    )


def _numeric(
    spec: NeedSpec, attribute: Attribute, constraint: Constraint, actual: float
) -> Failure | None:
    wanted = constraint.value
    if (spec.op == "max" and actual <= wanted) or (spec.op == "min" and actual >= wanted):
        return None
    gap = abs(actual - wanted)
    relative = gap / abs(wanted) if wanted else 1.0
    if spec.op == "max":
        text = f"{attribute.format(gap)} over your {spec.label}"
    else:
        text = f"{attribute.format(actual)}, not {attribute.format(wanted)}"
    return Failure(spec.name, spec.label, actual, wanted, text, gap, relative)


def failures(
    category: Category, constraints: tuple[Constraint, ...], product: Product
) -> list[Failure]:
    found = (check(category, c, product) for c in constraints)
    return [f for f in found if f is not None]


def satisfied_text(category: Category, constraint: Constraint, product: Product) -> str:
    """Why a product meets a constraint, citing the shopper's own words and the real value."""
    spec = category.needs[constraint.need]
    attribute = category.attributes[spec.attribute]
    actual = attribute.format(product.value(spec.attribute))
    if spec.op == "max":
        return f"{actual}, within your {spec.label} of {attribute.format(constraint.value)}"
    if spec.op == "min":
        return f"{actual}, you asked for at least {attribute.format(constraint.value)}"
    if spec.fixed:
        return f"{spec.label} available ({actual})"
    return f"{actual}, as you asked"
