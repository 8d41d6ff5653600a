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

    @property
    def gap(self) -> float:
        return self.shown_share - self.eligible_share

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
    for profile in profiles:
        advice = recommend(catalog, profile, top=top)
        shown.update(m.product.brand for m in advice.matches)
        merit.update(p.brand for p in eligible(catalog, profile))
    total_shown = sum(shown.values()) or 1
    total_merit = sum(merit.values()) or 1
    brands = sorted(set(shown) | set(merit))
    return [
        BrandExposure(b, shown[b], shown[b] / total_shown, merit[b], merit[b] / total_merit)
        for b in brands
    ]
