"""Side-by-side comparison of 2-3 products, with pros and cons derived from the data.

A pro or con is never marketing text: it is a figure in the best or worst quarter of the whole
category for that attribute, said as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Catalog, KnownIssue, Product
from knowledge.citations import Citation, citation
from knowledge.needs import NeedsProfile

QUARTER = 0.25


@dataclass(frozen=True)
class Row:
    attribute: str
    label: str
    values: tuple[str, ...]  # formatted, one per product
    raw: tuple[Any, ...]
    best: tuple[int, ...]  # indexes of the better product(s); empty when no direction or a tie
    sources: tuple[Citation | None, ...] = ()  # where each product's figure comes from


@dataclass(frozen=True)
class Comparison:
    products: tuple[Product, ...]
    rows: tuple[Row, ...]
    pros: tuple[tuple[str, ...], ...]  # one tuple per product
    cons: tuple[tuple[str, ...], ...]
    issues: tuple[tuple[KnownIssue, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "products": [
                {
                    "id": p.id,
                    "name": p.name,
                    "full_name": p.full_name,
                    "sources": list(p.sources),
                    "as_of": p.as_of.isoformat(),
                    "pros": list(self.pros[i]),
                    "cons": list(self.cons[i]),
                    "known_issues": [
                        {"kind": k.kind, "summary": k.summary, "source": k.source}
                        for k in self.issues[i]
                    ],
                }
                for i, p in enumerate(self.products)
            ],
            "rows": [
                {
                    "attribute": r.attribute,
                    "label": r.label,
                    "values": list(r.values),
                    "best": list(r.best),
                    "sources": [c.to_dict() if c else None for c in r.sources],
                }
                for r in self.rows
            ],
        }


def compare(catalog: Catalog, products: list[Product]) -> Comparison:
    """Compare 2 or 3 distinct products attribute by attribute."""
    unique = list(dict.fromkeys(products))
    if not 2 <= len(unique) <= 3:
        raise ValueError(f"A comparison needs 2 or 3 different products, got {len(unique)}")
    rows = []
    for name, attribute in catalog.category.attributes.items():
        raw = tuple(p.value(name) for p in unique)
        if all(v is None for v in raw):
            continue
        values = tuple(
            attribute.format(v) if v is not None or attribute.applies_to(p.values) else "none"
            for p, v in zip(unique, raw, strict=True)
        )
        sources = tuple(citation(catalog, p, name) for p in unique)
        rows.append(Row(name, attribute.label, values, raw, _best(attribute.better, raw), sources))
    pros, cons = [], []
    for product in unique:
        good, bad = _standing(catalog, product)
        pros.append(tuple(good))
        cons.append(tuple(bad))
    return Comparison(
        tuple(unique), tuple(rows), tuple(pros), tuple(cons), tuple(p.known_issues for p in unique)
    )


def _best(better: str | None, raw: tuple[Any, ...]) -> tuple[int, ...]:
    known = [(i, v) for i, v in enumerate(raw) if v is not None and not isinstance(v, (tuple, str))]
    if better is None or len(known) < 2:
        return ()
    pick = min if better == "lower" else max
    top = pick(v for _, v in known)
    winners = tuple(i for i, v in known if v == top)
    return () if len(winners) == len(known) else winners


def percentile(catalog: Catalog, attribute: str, value: float) -> float:
    """Share of catalog products (with a figure) that this value beats or equals, 0..1, in 'better' terms."""
    better = catalog.category.attributes[attribute].better
    values = [p.value(attribute) for p in catalog.products if p.value(attribute) is not None]
    if better == "lower":
        beaten = sum(1 for v in values if v >= value)
    else:
        beaten = sum(1 for v in values if v <= value)
    return beaten / len(values)


def _standing(catalog: Catalog, product: Product) -> tuple[list[str], list[str]]:
    items = catalog.category.items
    good, bad = [], []
    for name, attribute in catalog.category.attributes.items():
        value = product.value(name)
        if value is None or attribute.better is None or not attribute.is_numeric:
            continue
        share = percentile(catalog, name, value)
        figure = f"{attribute.label}: {attribute.format(value)}"
        if share >= 1 - QUARTER:
            good.append(f"{figure}, in the best quarter of {items} here")
        elif share <= QUARTER:
            bad.append(f"{figure}, in the worst quarter of {items} here")
    return good, bad


def similar_products(catalog: Catalog, product: Product, limit: int = 3) -> list[Product]:
    """Other products most like `product`: same body and powertrain first, then the nearest price
    and seating. Brand plays no part."""
    attributes = catalog.category.attributes
    categorical = [n for n, a in attributes.items() if a.type == "category"]
    numeric = [n for n, a in attributes.items() if a.is_numeric and a.better]
    ranges = catalog.value_ranges

    def distance(other: Product) -> tuple:
        differing = sum(other.value(n) != product.value(n) for n in categorical)
        gaps = []
        for name in numeric[:3]:
            mine, theirs = product.value(name), other.value(name)
            low, high = ranges.get(name, (0, 0))
            if mine is None or theirs is None or high == low:
                gaps.append(1.0)
            else:
                gaps.append(abs(mine - theirs) / (high - low))
        return (differing, round(sum(gaps), 9), other.model, other.id)

    others = [p for p in catalog.products if p.id != product.id]
    return sorted(others, key=distance)[:limit]


def bottom_line(catalog: Catalog, comparison: Comparison, profile: NeedsProfile) -> str:
    """One line for the shopper's stated needs: which of the compared products fits them best
    (among those that meet every need, the highest score on the shopper's priorities), or, when
    none meets them all, which comes closest and what it misses. Brand plays no part."""
    from knowledge.constraints import failures
    from knowledge.matching import priority_names, rank
    from knowledge.render import describe_needs

    category = catalog.category
    products = list(comparison.products)
    misses = {p.id: failures(category, profile.constraints, p) for p in products}
    meeting = [p for p in products if not misses[p.id]]
    priorities = ", ".join(category.priorities[n].label for n in priority_names(catalog, profile))
    if not profile.constraints:
        best = rank(catalog, profile, products)[0][0]
        return (
            f"Bottom line: with no needs stated yet, the {best.name} scores best on "
            f"{priorities or 'the ranking rules'}."
        )
    needs = describe_needs(catalog, profile)
    if meeting:
        best = rank(catalog, profile, meeting)[0][0]
        others = [p for p in products if p.id != best.id]
        failing = [p for p in others if misses[p.id]]
        line = f"Bottom line for your needs ({needs}): the {best.name} fits them best"
        if len(meeting) > 1:
            line += f" (it scores highest on {priorities})"
        if failing:
            line += "; " + "; ".join(f"the {p.name} misses {misses[p.id][0].text}" for p in failing)
        return line + "."
    closest = min(products, key=lambda p: len(misses[p.id]))
    return (
        f"Bottom line for your needs ({needs}): none of these meets them all; the "
        f"{closest.name} comes closest (it misses "
        + "; ".join(f.text for f in misses[closest.id])
        + ")."
    )
