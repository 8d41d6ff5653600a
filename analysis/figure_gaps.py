"""Products kept out of a shopper's matches only by a figure the catalog does not have.

A product that meets every stated need it has a figure for, is not of an excluded brand, but lacks
the figure of another stated need might fit: the advisor cannot recommend it (rule 1 of the
published rules: every hard requirement met with a figure on file), and filling that figure would
tell. The masks are analysis.unmet.CatalogCheck's (figure_gaps, the same count the exposure audit
splits under-exposure with); this adds what the headline and the exposure notes ask of them.
"""

from __future__ import annotations

from typing import Any

from analysis.unmet import CatalogCheck


class FigureGaps:
    def __init__(self, check: CatalogCheck) -> None:
        self.check = check

    def missing_mask(self, attribute: str, configs: tuple[str, ...] = ()) -> int:
        """Bit i set when product i has no figure for `attribute` (in `configs`)."""
        return self.check._missing_bits(attribute, configs)

    def blocked(self, needs: dict[str, Any]) -> tuple[int, dict[str, int]]:
        """(bit i set when product i might fit `needs` but for a missing figure; per attribute
        of a stated need, the products that lack its figure)."""
        possible, lacking = self.check.figure_gaps(needs)
        return possible & ~self.check.needs_mask(needs), lacking

    def blocked_counts(self, needs: dict[str, Any]) -> dict[str, int]:
        """Per attribute, how many products might fit `needs` but lack its figure."""
        blocked, lacking = self.blocked(needs)
        return {a: (blocked & m).bit_count() for a, m in lacking.items() if blocked & m}
