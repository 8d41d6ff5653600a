"""Brand exposure against merit: does any brand get more (or fewer) recommendation slots than its
share of the products that actually meet shoppers' needs?"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.catalog import Catalog
from knowledge.matching import eligible, recommend
from knowledge.needs import NeedsProfile

DEFAULT_TOLERANCE = 0.10  # absolute difference in share before a brand is flagged


@dataclass(frozen=True)
class BrandExposure:
    brand: str
    shown: int  # recommendation slots the brand got
    shown_share: float
    eligible: int  # times one of its products met all of a profile's needs
    eligible_share: float
    # Times one of its products met every need it has a figure for but lacked a figure (it
    # might have fitted), the share of those plus the eligible ones, and per attribute how often
    # its figure was the one missing.
    might_fit: int = 0
    possible_share: float = 0.0
    missing: tuple[tuple[str, int], ...] = ()

    @property
    def gap(self) -> float:
        return self.shown_share - self.eligible_share

    @property
    def under_exposure(self) -> float:
        """How far its share shown falls below its share of what met or might have met the needs."""
        return max(0.0, self.possible_share - self.shown_share)

    @property
    def from_missing_figures(self) -> float:
        """The part of that (in share points) owed to missing figures rather than to the figures
        on file: its share of what might fit minus its share of what did fit (merit)."""
        return min(self.under_exposure, max(0.0, self.possible_share - self.eligible_share))

    @property
    def from_specs(self) -> float:
        """The rest: its matches ranked below other brands' on the figures on file."""
        return self.under_exposure - self.from_missing_figures

    def flag(self, tolerance: float = DEFAULT_TOLERANCE) -> str:
        if self.gap > tolerance:
            return "over-exposed"
        if self.gap < -tolerance:
            return "under-exposed"
        return "fair"


def exposure_audit(
    catalog: Catalog, profiles: Iterable[NeedsProfile], top: int = 3
) -> list[BrandExposure]:
    """Per brand: share of top-`top` slots vs share of eligible products, summed over profiles."""
    shown: Counter[str] = Counter()
    merit: Counter[str] = Counter()
    maybe: Counter[str] = Counter()
    missing: dict[str, Counter[str]] = {}
    for profile in profiles:
        advice = recommend(catalog, profile, top=top)
        shown.update(m.product.brand for m in advice.matches)
        merit.update(p.brand for p in eligible(catalog, profile))
        for item in advice.might_fit:
            maybe[item.product.brand] += 1
            missing.setdefault(item.product.brand, Counter()).update(item.missing)
    return exposure_rows(shown, merit, maybe, missing)


def exposure_rows(
    shown: Counter[str],
    merit: Counter[str],
    maybe: Counter[str] | None = None,
    missing: dict[str, Counter[str]] | None = None,
) -> list[BrandExposure]:
    """One row per brand shown, eligible or that might have fitted, by brand name."""
    maybe, missing = maybe or Counter(), missing or {}
    total_shown = sum(shown.values()) or 1
    total_merit = sum(merit.values()) or 1
    total_possible = sum(merit.values()) + sum(maybe.values()) or 1
    return [
        BrandExposure(
            b,
            shown[b],
            shown[b] / total_shown,
            merit[b],
            merit[b] / total_merit,
            maybe[b],
            (merit[b] + maybe[b]) / total_possible,
            tuple(sorted((missing.get(b) or Counter()).items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for b in sorted(set(shown) | set(merit) | set(maybe))
    ]
