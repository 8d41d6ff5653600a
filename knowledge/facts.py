"""Answers to direct questions about one product: a fact, its known problems, its cost to own, and
whether anything fits the shopper better. Every answer cites the source and as-of date."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.catalog import Catalog, Product
from knowledge.matching import eligible, rank, score
from knowledge.needs import NeedsProfile
from knowledge.roles import EnergyPrice

RECALL_CHECK = "check the maker's recall look-up before buying."


def mentioned_attributes(catalog: Catalog, text: str) -> list[str]:
    """Attributes a question names through their label or synonyms ('battery life', 'how heavy')."""
    lowered = f" {text.lower()} "
    found = []
    for name, attribute in catalog.category.attributes.items():
        words = (attribute.label.lower(), *(s.lower() for s in attribute.synonyms))
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
            found.append(name)
    return found


def cite(product: Product) -> str:
    return f"Source: {product.sources[0]} (as of {product.as_of.isoformat()})."


def fact_answer(catalog: Catalog, product: Product, attributes: list[str]) -> str:
    """'2025 Apple MacBook Air 13-inch (M4) …: Weight: 2.7 lb. Source: … (as of …).'"""
    category = catalog.category
    names = attributes or [a for a in category.attributes if product.value(a) is not None][:6]
    parts = []
    for name in names:
        attribute = category.attributes[name]
        value = product.value(name)
        shown = attribute.format(value) if value is not None else "no figure on file"
        parts.append(f"{attribute.label}: {shown}")
    return f"{product.full_name}: " + "; ".join(parts) + ". " + cite(product)


def known_issues_answer(product: Product, recall_check: str | None = None) -> str:
    """The product's recalls and known problems with sources; `recall_check` (from the category)
    says how to look for newer ones."""
    if not product.known_issues:
        return (
            f"I have no recalls or known problems on file for the {product.full_name} "
            f"(as of {product.as_of.isoformat()}). Recalls are issued all the time: "
            f"{recall_check or RECALL_CHECK}"
        )
    lines = [f"Known problems on file for the {product.full_name}:"]
    for issue in product.known_issues:
        when = f" ({issue.date.isoformat()})" if issue.date else ""
        source = f" Source: {issue.source}" if issue.source else ""
        lines.append(f"- {issue.kind}{when}: {issue.summary}{source}")
    return "\n".join(lines)


@dataclass(frozen=True)
class OwnershipCost:
    product: Product
    years: int
    price: float | None
    energy_per_year: float | None
    assumptions: str
    energy_price: EnergyPrice | None = None  # the price the energy cost was worked out with

    @property
    def total(self) -> float | None:
        if self.price is None or self.energy_per_year is None:
            return None
        return self.price + self.energy_per_year * self.years


def yearly_energy(catalog: Catalog, product: Product) -> tuple[float, EnergyPrice] | None:
    """A year's energy cost: the first energy-use attribute (roles.energy) that applies to the
    product and has a figure, turned into units of energy and priced; None without one."""
    category = catalog.category
    ownership = category.ownership
    if ownership is None:
        return None
    for use in category.roles.energy:
        value = product.value(use.attribute)
        price = ownership.energy_price(use.unit)
        if value and price and use.applies_to(product.values):
            return use.yearly_units(ownership.usage, value) * price.price, price
    return None


def ownership_cost(catalog: Catalog, product: Product) -> OwnershipCost | None:
    """Price plus energy over the category's stated years and usage (`ownership` and the price and
    energy roles in category.yml); None if the category states no cost-to-own assumptions."""
    category = catalog.category
    ownership = category.ownership
    if ownership is None:
        return None
    prices = ", ".join(p.text for p in ownership.energy_prices)
    assumptions = f"{ownership.years} years, {ownership.usage:,.0f} {ownership.usage_label}"
    assumptions += f", {prices}" if prices else ""
    assumptions += f"; excludes {ownership.excludes}" if ownership.excludes else ""
    price = product.value(category.roles.price) if category.roles.price else None
    energy = yearly_energy(catalog, product)
    return OwnershipCost(
        product,
        ownership.years,
        price,
        energy[0] if energy else None,
        assumptions,
        energy[1] if energy else None,
    )


def ownership_answer(cost: OwnershipCost) -> str:
    product = cost.product
    parts = [f"Estimated cost to own the {product.full_name} ({cost.assumptions}):"]
    parts.append(f"- price: {f'${cost.price:,.0f}' if cost.price else 'no price on file'}")
    if cost.energy_per_year is None:
        parts.append("- energy: no energy-use figure on file")
    else:
        parts.append(f"- energy: about ${cost.energy_per_year:,.0f} a year")
    if cost.total is not None:
        parts.append(f"- total over {cost.years} years: about ${cost.total:,.0f}")
    parts.append(cite(product))
    if cost.energy_price is not None:
        used = cost.energy_price
        parts.append(
            f"Energy price assumed: {used.text}; today's average: {used.source} "
            f"(as of {used.as_of.isoformat()})."
        )
    return "\n".join(parts)


@dataclass(frozen=True)
class BetterThan:
    product: Product
    meets_needs: bool
    better: tuple[Product, ...]  # products that meet the needs and score higher


def better_than(
    catalog: Catalog, profile: NeedsProfile, product: Product, limit: int = 3
) -> BetterThan:
    """Is anything a better fit than `product` for these needs? Judged across all brands."""
    matching = eligible(catalog, profile)
    own = score(catalog, profile, product)
    meets = product in matching
    ranked = [
        p for p, s in rank(catalog, profile, matching) if p != product and (not meets or s > own)
    ]
    return BetterThan(product, meets, tuple(ranked[:limit]))
