"""Answers to direct questions about one product: a fact, its known problems, its cost to own, and
whether anything fits the shopper better. Every answer cites the source and as-of date."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.catalog import Catalog, Product
from knowledge.matching import eligible, rank, score
from knowledge.needs import NeedsProfile

KWH_PER_GALLON_EQUIVALENT = 33.705  # EPA's MPGe definition


def mentioned_attributes(catalog: Catalog, text: str) -> list[str]:
    """Attributes a question names through their label or synonyms ('range', 'how many seats')."""
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
    """'2025 Hyundai Ioniq 5 SE: EPA electric range 245 mi. Source: … (as of …).'"""
    category = catalog.category
    names = attributes or [a for a in category.attributes if product.value(a) is not None][:6]
    parts = []
    for name in names:
        attribute = category.attributes[name]
        value = product.value(name)
        shown = attribute.format(value) if value is not None else "no figure on file"
        parts.append(f"{attribute.label}: {shown}")
    return f"{product.full_name}: " + "; ".join(parts) + ". " + cite(product)


def known_issues_answer(product: Product) -> str:
    if not product.known_issues:
        return (
            f"I have no recalls or known problems on file for the {product.full_name} "
            f"(as of {product.as_of.isoformat()}). Recalls are issued all the time: check the "
            "maker's or your safety regulator's recall look-up with the vehicle's VIN before buying."
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

    @property
    def total(self) -> float | None:
        if self.price is None or self.energy_per_year is None:
            return None
        return self.price + self.energy_per_year * self.years


def ownership_cost(catalog: Catalog, product: Product, settings: dict) -> OwnershipCost | None:
    """Price plus energy over the category's stated years and mileage; None if the category has no
    ownership settings. Fuel comes from EPA combined mpg, electricity from MPGe."""
    if not settings:
        return None
    years, miles = int(settings["years"]), float(settings["miles_per_year"])
    gallon, kwh = float(settings["usd_per_gallon"]), float(settings["usd_per_kwh"])
    mpg, mpge = product.value("mpg_combined"), product.value("mpge_combined")
    if product.value("powertrain") == "electric" and mpge:
        energy = miles / mpge * KWH_PER_GALLON_EQUIVALENT * kwh
    elif mpg:
        energy = miles / mpg * gallon
    else:
        energy = None
    assumptions = (
        f"{years} years, {miles:,.0f} miles a year, ${gallon:.2f} a gallon, ${kwh:.2f} per kWh; "
        "excludes insurance, maintenance, financing, incentives and resale value"
    )
    return OwnershipCost(product, years, product.value("msrp_usd"), energy, assumptions)


def ownership_answer(cost: OwnershipCost) -> str:
    product = cost.product
    parts = [f"Estimated cost to own the {product.full_name} ({cost.assumptions}):"]
    parts.append(f"- price: {f'${cost.price:,.0f}' if cost.price else 'no price on file'}")
    if cost.energy_per_year is None:
        parts.append("- energy: no EPA efficiency figure on file")
    else:
        parts.append(f"- energy: about ${cost.energy_per_year:,.0f} a year")
    if cost.total is not None:
        parts.append(f"- total over {cost.years} years: about ${cost.total:,.0f}")
    parts.append(cite(product))
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
