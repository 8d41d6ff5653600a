"""Cost to own, as Edmunds and AAA present it: every yearly cost of owning a product over the
shopper's years and yearly usage (asked or defaulted), each from a stated assumption with its
source, shown as a total and per year.

Energy is the product's own: its energy-use figure (roles.energy in category.yml, e.g. EPA mpg)
turned into units of energy and priced at the assumed energy price. The other costs
(depreciation, financing, insurance...) are the category's `ownership.costs`, the same for every
product; where one is an average rather than the product's own figure (`scope`), the answer says
so. A category without `ownership` has no cost to own (the answer falls back to the facts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Catalog, Product
from knowledge.citations import Citation, citation
from knowledge.roles import EnergyPrice, Ownership, money

YEARS = re.compile(r"\b(\d{1,2})\s*(?:-\s*)?(?:years?|yrs?)\b", re.I)
NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?\s*"


@dataclass(frozen=True)
class Terms:
    """How long and how much the product is used: the shopper's, else the category's defaults."""

    years: int
    usage: float
    stated: bool = False  # the shopper gave at least one of them


@dataclass(frozen=True)
class CostLine:
    id: str
    label: str
    per_year: float | None  # None: no figure on file (the line says why)
    basis: str  # how the figure is arrived at, in words
    sources: tuple[Citation, ...] = ()
    scope: str = ""  # what the figure describes when it is not this product's own


@dataclass(frozen=True)
class CostToOwn:
    product: Product
    terms: Terms
    usage_label: str
    lines: tuple[CostLine, ...]
    basis: str = ""
    excludes: str = ""
    default_usage: float = 0.0  # the usage the category's yearly figures assume
    default_years: int = 0  # the years of ownership they assume
    fixed_per_year: tuple[str, ...] = ()  # lines that are a fixed amount a year, whatever the usage

    @property
    def complete(self) -> bool:
        return all(line.per_year is not None for line in self.lines)

    @property
    def per_year(self) -> float | None:
        """The yearly total, or None when a line has no figure (a partial sum is never a total)."""
        if not self.complete:
            return None
        return sum(line.per_year or 0 for line in self.lines)

    @property
    def total(self) -> float | None:
        yearly = self.per_year
        return None if yearly is None else yearly * self.terms.years

    @property
    def averaged(self) -> list[CostLine]:
        """The lines that are averages, not this product's own figures."""
        return [line for line in self.lines if line.scope]

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": {"id": self.product.id, "name": self.product.full_name},
            "years": self.terms.years,
            "usage": self.terms.usage,
            "usage_label": self.usage_label,
            "stated": self.terms.stated,
            "basis": self.basis,
            "lines": [
                {
                    "id": line.id,
                    "label": line.label,
                    "per_year": round(line.per_year) if line.per_year is not None else None,
                    "total": round(line.per_year * self.terms.years)
                    if line.per_year is not None
                    else None,
                    "basis": line.basis,
                    "scope": line.scope,
                    "sources": [c.to_dict() for c in line.sources],
                }
                for line in self.lines
            ],
            "per_year": round(self.per_year) if self.per_year is not None else None,
            "total": round(self.total) if self.total is not None else None,
            "averages_note": averages_note(self),
            "excludes": self.excludes,
        }


def terms_from_text(ownership: Ownership, text: str) -> tuple[int | None, float | None]:
    """Years and yearly usage a shopper states ('over 7 years', '12,000 miles a year', '8k
    miles'), through the usage words the category declares; None for what is not stated."""
    years_match = YEARS.search(text or "")
    years = int(years_match.group(1)) if years_match else None
    usage = None
    words = sorted(ownership.usage_words, key=len, reverse=True)
    if words:
        pattern = NUMBER + "(?:" + "|".join(re.escape(w) for w in words) + r")\b"
        found = re.search(pattern, text or "", re.I)
        if found:
            usage = float(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)
    return years, usage


def terms(ownership: Ownership, years: Any = None, usage: Any = None) -> Terms:
    """The terms to use: the stated ones where they are sensible whole numbers within the
    category's limits, else the defaults."""
    chosen_years = _within(years, 1, ownership.max_years)
    chosen_usage = _within(usage, 1, ownership.usage_limit)
    return Terms(
        int(chosen_years) if chosen_years is not None else ownership.years,
        float(chosen_usage) if chosen_usage is not None else ownership.usage,
        stated=chosen_years is not None or chosen_usage is not None,
    )


def _within(value: Any, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def yearly_energy(
    catalog: Catalog, product: Product, usage: float
) -> tuple[float, EnergyPrice, str] | None:
    """A year's energy cost, its energy price and the attribute it comes from: the first energy-use
    attribute (roles.energy) that applies to the product and has a figure, turned into units of
    energy and priced; None without one."""
    category = catalog.category
    ownership = category.ownership
    if ownership is None:
        return None
    for use in category.roles.energy:
        value = product.value(use.attribute)
        price = ownership.energy_price(use.unit)
        if value and price and use.applies_to(product.values):
            return use.yearly_units(usage, value) * price.price, price, use.attribute
    return None


def energy_line(catalog: Catalog, product: Product, chosen: Terms, usage_label: str) -> CostLine:
    from knowledge.facts import figure_text

    energy = yearly_energy(catalog, product, chosen.usage)
    if energy is None:
        return CostLine("energy", "Energy", None, "no energy-use figure on file for it")
    amount, price, attribute = energy
    own = citation(catalog, product, attribute)
    priced = Citation(price.source, price.source_label or "source", price.as_of)
    basis = (
        f"{figure_text(catalog, product, attribute, cite=False)} at {price.text}, "
        f"{chosen.usage:,.0f} {usage_label}"
    )
    return CostLine("energy", "Energy", amount, basis, tuple(c for c in (own, priced) if c))


def cost_to_own(
    catalog: Catalog, product: Product, years: Any = None, usage: Any = None
) -> CostToOwn | None:
    """The cost to own `product` over `years` at `usage` a year (the category's defaults where
    not given or out of bounds); None if the category states no cost-to-own assumptions."""
    ownership = catalog.category.ownership
    if ownership is None:
        return None
    chosen = terms(ownership, years, usage)
    lines = []
    for item in ownership.costs:
        basis = item.note or (
            f"{money(item.amount)} for each of {chosen.usage:,.0f} {ownership.usage_label}"
            if item.per == "usage"
            else ""
        )
        source = Citation(item.source, item.source_label or "source", item.as_of)
        lines.append(
            CostLine(item.id, item.label, item.yearly(chosen.usage), basis, (source,), item.scope)
        )
    lines.append(energy_line(catalog, product, chosen, ownership.usage_label))
    return CostToOwn(
        product,
        chosen,
        ownership.usage_label,
        tuple(lines),
        ownership.basis,
        ownership.excludes,
        ownership.usage,
        ownership.years,
        tuple(item.id for item in ownership.costs if item.per == "year"),
    )


def averages_note(cost: CostToOwn) -> str:
    """'Depreciation and finance charges are US averages for a new vehicle in AAA's study, not
    this model's own; energy is its own.' or ''."""
    averaged = cost.averaged
    if not averaged:
        return ""
    labels = [line.label.lower() for line in averaged]
    named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    scopes = list(dict.fromkeys(line.scope for line in averaged))
    verb = "is" if len(labels) == 1 else "are"
    own = [line.label.lower() for line in cost.lines if not line.scope]
    tail = f"; {' and '.join(own)} {'is' if len(own) == 1 else 'are'} its own" if own else ""
    fixed = [i for i in averaged if i.id in cost.fixed_per_year]
    usage = ""
    if fixed and cost.terms.usage != cost.default_usage:
        usage = (
            f" Those yearly averages assume {cost.default_usage:,.0f} {cost.usage_label}; "
            f"only the figures that depend on use follow your {cost.terms.usage:,.0f}."
        )
    if averaged and cost.terms.years != cost.default_years:
        usage += (
            f" The averages are for {cost.default_years} years of ownership; over "
            f"{cost.terms.years} they are taken to stay the same each year."
        )
    return f"{named[0].upper()}{named[1:]} {verb} {'; '.join(scopes)}{tail}.{usage}"


def cost_answer(cost: CostToOwn, catalog: Catalog) -> str:
    """The plain-text answer: every line with its figure and source, the yearly and the whole
    total, what is an average, and how to change the years and usage."""
    product, chosen = cost.product, cost.terms
    how = "as you asked" if chosen.stated else "the usual assumptions"
    lines = [
        f"Estimated cost to own the {product.full_name} over {chosen.years} years at "
        f"{chosen.usage:,.0f} {cost.usage_label} ({how}"
        + (f", after {cost.basis}" if cost.basis else "")
        + "):"
    ]
    for line in cost.lines:
        sources = "; ".join(c.text() for c in line.sources)
        if line.per_year is None:
            lines.append(f"- {line.label}: {line.basis}")
            continue
        said = "; ".join(x for x in (line.basis, f"source: {sources}" if sources else "") if x)
        lines.append(
            f"- {line.label}: about ${line.per_year:,.0f} a year" + (f" ({said})" if said else "")
        )
    if cost.per_year is not None and cost.total is not None:
        lines.append(
            f"Total: about ${cost.per_year:,.0f} a year, ${cost.total:,.0f} over {chosen.years} years."
        )
    else:
        missing = ", ".join(line.label.lower() for line in cost.lines if line.per_year is None)
        lines.append(f"No total: {missing} has no figure on file, and a partial sum would mislead.")
    note = averages_note(cost)
    if note:
        lines.append(note)
    if cost.excludes:
        lines.append(f"Not included: {cost.excludes}.")
    price = catalog.category.roles.price
    if price and product.figure(price) is not None:
        from knowledge.facts import figure_text

        lines.append(f"For reference, {figure_text(catalog, product, price)}.")
    elif price:
        from knowledge.gaps import missing_figure_text

        lines.append(missing_figure_text(catalog, product, [price]))
    lines.append(
        f'Say "over 7 years at 10,000 {cost.usage_label}" (your own numbers) to change the terms.'
    )
    return "\n".join(lines)
