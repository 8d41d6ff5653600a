"""Brand exposure audit over the logged recommendations.

For every logged turn that showed recommendations, each recommended product gives its brand one
"shown" slot, and each product of the current catalog that meets the needs stated at that turn gives
its brand one unit of "merit" (the products knowledge.matching.eligible returns: every hard need
met, excluded brands left out; computed with analysis.unmet.CatalogCheck's bit masks, memoised per need value). Per brand, share of slots shown vs share of merit; a brand whose shares differ by more than the
tolerance (knowledge.fairness.DEFAULT_TOLERANCE unless told otherwise) is flagged over- or
under-exposed. Rows are knowledge.fairness.BrandExposure, the same audit the library runs on
hypothetical profiles, here run on what shoppers actually asked and were actually shown.

A product kept out of the matches only by a figure not on file (it meets every need it has a
figure for) might have fitted: per brand the audit also counts those, its share of what met or
might have met the needs, and splits its under-exposure (that share minus its share shown) into the
part owed to missing figures (share of what might fit minus share of merit) and the part owed to
the figures on file. A brand whose prices are missing shows up there, not as "fair".

Merit is computed against the catalog as it is now; recommendations logged before a catalog change
are compared with today's products. Products in the log the catalog no longer has are counted in
`unknown_products` and left out of the shares.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from analysis.unmet import CatalogCheck, needs_key
from knowledge.catalog import Catalog
from knowledge.fairness import DEFAULT_TOLERANCE, BrandExposure, exposure_rows

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
        # (eligible, might fit, {attribute: products without its figure}) per needs, and turns
        self._gaps: dict[Any, tuple[int, int, dict[str, int]]] = {}
        self._gap_turns: Counter[Any] = Counter()

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
        needs = turn.get("needs") or {}
        eligible = self.check.needs_mask(needs)
        self._eligible_masks[eligible] += 1
        try:  # a cheap key; a value that cannot be hashed falls back to the canonical text
            key: Any = tuple((k, tuple(v) if type(v) is list else v) for k, v in needs.items())
            known = key in self._gaps
        except TypeError:
            key = needs_key(needs)
            known = key in self._gaps
        if not known:
            possible, missing = self.check.figure_gaps(needs)
            self._gaps[key] = (eligible, possible & ~eligible, missing)
        self._gap_turns[key] += 1

    @property
    def merit(self) -> Counter[str]:
        """Per brand, how many times one of its products met the needs of a recommending turn."""
        merit: Counter[str] = Counter()
        for mask, turns in self._eligible_masks.items():
            for brand, bits in self.check.brand_masks.items():
                merit[brand] += (mask & bits).bit_count() * turns
        return +merit

    def figure_gaps(self) -> tuple[Counter[str], dict[str, Counter[str]]]:
        """Per brand, how many times one of its products might have met a recommending turn's
        needs but for a missing figure; and per brand and attribute, how often that figure was
        the one missing."""
        maybe: Counter[str] = Counter()
        missing: dict[str, Counter[str]] = {}
        for key, turns in self._gap_turns.items():
            _, gaps, by_attribute = self._gaps[key]
            for brand, bits in self.check.brand_masks.items():
                count = (gaps & bits).bit_count()
                if not count:
                    continue
                maybe[brand] += count * turns
                for attribute, lacking in by_attribute.items():
                    lacked = (gaps & bits & lacking).bit_count()
                    if lacked:
                        missing.setdefault(brand, Counter())[attribute] += lacked * turns
        return maybe, missing

    def rows(self) -> list[BrandExposure]:
        """One row per brand shown, eligible or that might have fitted, largest gap (either
        way) first, then by name."""
        maybe, missing = self.figure_gaps()
        rows = exposure_rows(self.shown, self.merit, maybe, missing)
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
        "might_fit": row.might_fit,
        "possible_share": round(row.possible_share, 4),
        "under_exposure": round(row.under_exposure, 4),
        "from_missing_figures": round(row.from_missing_figures, 4),
        "from_specs": round(row.from_specs, 4),
        "missing": dict(row.missing),
    }
