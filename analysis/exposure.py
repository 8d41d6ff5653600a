"""Brand exposure audit over the logged recommendations.

For every logged turn that showed recommendations, each recommended product gives its brand one
"shown" slot, and each product of the current catalog that meets the needs stated at that turn gives
its brand one unit of "merit" (the products knowledge.matching.eligible returns: every hard need
met, excluded brands left out; computed with analysis.unmet.CatalogCheck's bit masks, memoised per need value). Per brand, share of slots shown vs share of merit; a brand whose shares differ by more than the
tolerance (knowledge.fairness.DEFAULT_TOLERANCE unless told otherwise) is flagged over- or
under-exposed. Rows are knowledge.fairness.BrandExposure, the same audit the library runs on
hypothetical profiles, here run on what shoppers actually asked and were actually shown.

Merit is computed against the catalog as it is now; recommendations logged before a catalog change
are compared with today's products. Products in the log the catalog no longer has are counted in
`unknown_products` and left out of the shares.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from analysis.unmet import CatalogCheck
from knowledge.catalog import Catalog
from knowledge.fairness import DEFAULT_TOLERANCE, BrandExposure

__all__ = ["DEFAULT_TOLERANCE", "ExposureAudit", "exposure_row"]


class ExposureAudit:
    """Feed it turns with add(); rows() then gives each brand's shown vs merit shares."""

    def __init__(self, catalog: Catalog, check: CatalogCheck | None = None) -> None:
        self.catalog = catalog
        self.check = check or CatalogCheck(catalog)
        self.shown: Counter[str] = Counter()
        self.turns = 0  # turns that showed recommendations
        self.unknown_products = 0
        self._eligible_masks: Counter[int] = Counter()  # eligible products (bits) -> turns

    def add(self, turn: dict[str, Any]) -> None:
        products = turn.get("products")
        recommended = [p for p in products if p.get("kind") == "recommended"] if products else ()
        if not recommended:
            return
        self.turns += 1
        for item in recommended:
            product = self.catalog.by_id.get(item.get("id"))
            if product is None:
                self.unknown_products += 1
            else:
                self.shown[product.brand] += 1
        self._eligible_masks[self.check.needs_mask(turn.get("needs") or {})] += 1

    @property
    def merit(self) -> Counter[str]:
        """Per brand, how many times one of its products met the needs of a recommending turn."""
        merit: Counter[str] = Counter()
        for mask, turns in self._eligible_masks.items():
            for brand, bits in self.check.brand_masks.items():
                merit[brand] += (mask & bits).bit_count() * turns
        return +merit

    def rows(self) -> list[BrandExposure]:
        """One row per brand shown or eligible, largest gap (either way) first, then by name."""
        merit = self.merit
        total_shown = sum(self.shown.values()) or 1
        total_merit = sum(merit.values()) or 1
        rows = [
            BrandExposure(
                b, self.shown[b], self.shown[b] / total_shown, merit[b], merit[b] / total_merit
            )
            for b in set(self.shown) | set(merit)
        ]
        rows.sort(key=lambda r: (-round(abs(r.gap), 9), r.brand))
        return rows


def exposure_row(row: BrandExposure, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
    """A row as plain data for JSON, CSV and HTML."""
    return {
        "brand": row.brand,
        "shown": row.shown,
        "shown_share": round(row.shown_share, 4),
        "eligible": row.eligible,
        "eligible_share": round(row.eligible_share, 4),
        "gap": round(row.gap, 4),
        "flag": row.flag(tolerance),
    }
