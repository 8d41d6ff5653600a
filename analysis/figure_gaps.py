"""Products kept out of a shopper's matches only by a figure the catalog does not have.

A product that meets every stated need it has a figure for, is not of an excluded brand, but lacks
the figure of another stated need might fit: the advisor cannot recommend it (rule 1 of the
published rules: every hard requirement met with a figure on file), and filling that figure would
tell. Bit masks over the catalog's products, as analysis.unmet.CatalogCheck keeps them (bit i is
product i), memoised per need value and configuration.
"""

from __future__ import annotations

from typing import Any

from analysis.need_levels import EXCLUDED_BRANDS
from analysis.unmet import CatalogCheck
from knowledge.matching import configurations


class FigureGaps:
    def __init__(self, check: CatalogCheck) -> None:
        self.check = check
        self._missing: dict[tuple[str, tuple[str, ...]], int] = {}

    def missing_mask(self, attribute: str, configs: tuple[str, ...] = ()) -> int:
        """Bit i set when product i has no figure for `attribute` (in `configs`)."""
        key = (attribute, configs)
        if key not in self._missing:
            products = self.check.configured(configs)
            self._missing[key] = sum(
                1 << i for i, p in enumerate(products) if p.value(attribute) is None
            )
        return self._missing[key]

    def blocked(self, needs: dict[str, Any]) -> tuple[int, dict[str, int]]:
        """(bit i set when product i might fit `needs` but for a missing figure; per attribute
        of a stated need, the products that lack its figure)."""
        category, check = self.check.catalog.category, self.check
        try:
            configs = configurations(category, needs.items())
        except TypeError:
            configs = ()
        possible, lacking = check.needs_mask({}), {}
        for name, value in needs.items():
            spec = category.needs.get(name)
            if spec is None and name != EXCLUDED_BRANDS:
                continue
            try:
                passing = check._item_mask(name, value, configs)
            except TypeError:
                continue
            if spec is None:
                possible &= passing
                continue
            missing = self.missing_mask(spec.attribute, configs)
            possible &= passing | missing
            lacking[spec.attribute] = missing
        return possible & ~check.needs_mask(needs), lacking

    def blocked_counts(self, needs: dict[str, Any]) -> dict[str, int]:
        """Per attribute, how many products might fit `needs` but lack its figure."""
        blocked, lacking = self.blocked(needs)
        return {a: (blocked & m).bit_count() for a, m in lacking.items() if blocked & m}
