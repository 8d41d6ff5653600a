"""Why the brand exposure audit flags a brand: which needs, which products, and whether missing
figures or the figures on file explain it.

analysis.exposure compares, per brand, its share of the recommendation slots shown (S slots in all)
with its share of merit (M: the products that met the needs of each recommending turn). A brand's
difference is a sum over the turns, so it splits exactly:

- by the needs stated (their readable levels, e.g. "SUV + hybrid + under $45k"): the part of the
  difference that arose in turns with those needs, shown_b,needs / S - merit_b,needs / M;
- by product: shown_p / S - eligible_p / M, summed over the brand's products.

Then why, from the products that met the needs but were not shown (top-3 slots are few):

- missing figures: such a product lacked a figure of an attribute it is ranked on (the shopper's
  priorities, or the category's defaults): no credit is given for a figure not on file (rule 2);
- figures on file: it had them all and ranked below the products shown;
- and, for an under-exposed brand, the products of it that might have fitted but for a missing
  figure of a stated need (analysis.figure_gaps): never in the matches, so not in merit either.

An over-exposed brand's reasons are its competitors' (why their eligible products were not shown),
an under-exposed one's its own. The terms are those of the audit's split of under-exposure into
what missing figures and what the figures on file explain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analysis.figure_gaps import FigureGaps
from analysis.unmet import CatalogCheck, needs_key, readable_profile
from knowledge.catalog import Catalog
from knowledge.fairness import BrandExposure
from knowledge.matching import configurations

TOP = 3


@dataclass(frozen=True)
class _Situation:
    """What is the same for every recommending turn with these needs."""

    eligible: int  # products meeting the needs (bits)
    label: str  # the needs as readable levels
    lacking: dict[str, int]  # ranking attribute -> products without its figure (bits)
    blocked: int  # products that might fit but for a missing figure of a stated need
    blocked_by: dict[str, int]  # stated need's attribute -> products lacking its figure


@dataclass
class ExposureNote:
    brand: str
    flag: str
    shown_share: float
    eligible_share: float
    needs: list[dict[str, Any]] = field(default_factory=list)  # label, points, shown, eligible
    products: list[dict[str, Any]] = field(default_factory=list)  # name, points, shown, eligible
    not_shown: int = 0  # eligible slots not shown: the brand's (under) or competitors' (over)
    lacking: int = 0  # of not_shown, those lacking at least one figure they are ranked on
    missing_figures: dict[str, int] = field(default_factory=dict)  # attribute label -> slots
    on_file: int = 0  # of not_shown, those with every ranking figure on file
    might_fit: dict[str, int] = field(default_factory=dict)  # attribute label -> products

    @property
    def gap(self) -> float:
        return self.shown_share - self.eligible_share

    def sentences(self) -> list[str]:
        """The note in words."""
        over = self.flag == "over-exposed"
        lines = [
            f"{self.brand} is {self.flag}: {self.shown_share:.1%} of the recommendations shown "
            f"vs {self.eligible_share:.1%} of the products that met shoppers' needs "
            f"({self.gap * 100:+.1f} points)."
        ]
        if self.needs:
            parts = [
                f"{n['label']} ({n['points']:+.1f} points: shown {n['shown']} times, "
                f"met the needs {n['eligible']} times)"
                for n in self.needs
            ]
            lines.append(f"Needs where it {'gained' if over else 'lost'} most: " + "; ".join(parts))
        if self.products:
            parts = [
                f"{p['name']} ({p['points']:+.1f} points: shown {p['shown']} of "
                f"{p['eligible']} times it met the needs)"
                for p in self.products
            ]
            lines.append(("Its products shown most: " if over else "Its products shown least: ")
                         + "; ".join(parts))  # fmt: skip
        whose = "Competitors' products" if over else "Its products"
        if self.not_shown:
            detail = ", ".join(f"{label} {n}" for label, n in self.missing_figures.items())
            lines.append(
                f"Why: {whose} met the needs but were not shown {self.not_shown:,} times; "
                f"{self.lacking:,} of those lacked a figure they are ranked on"
                + (f" (missing: {detail})" if detail else "")
                + f", {self.on_file:,} had them all and ranked below on the figures on file."
            )
        if self.might_fit:
            detail = ", ".join(f"{label} {n}" for label, n in self.might_fit.items())
            lines.append(
                f"Missing figures of stated needs kept {sum(self.might_fit.values())} more of "
                f"its products out of the matches ({detail})."
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "flag": self.flag,
            "needs": self.needs,
            "products": self.products,
            "not_shown": self.not_shown,
            "lacking_a_ranking_figure": self.lacking,
            "missing_figures": self.missing_figures,
            "on_file": self.on_file,
            "might_fit": self.might_fit,
            "explanation": " ".join(self.sentences()),
        }


class ExposureNotes:
    """Feed it turns with add(); notes(rows, tolerance) then explains the flagged brands."""

    def __init__(self, catalog: Catalog, check: CatalogCheck, gaps: FigureGaps) -> None:
        self.catalog, self.check, self.gaps = catalog, check, gaps
        self._situations: dict[str, _Situation] = {}
        self._turns: Counter[tuple[str, int]] = Counter()  # (needs key, shown bits) -> turns
        self._index = {p.id: i for i, p in enumerate(catalog.products)}

    def add(self, turn: dict[str, Any]) -> None:
        products = turn.get("products")
        if not products:
            return
        shown = 0
        recommended = False
        for item in products:
            if isinstance(item, dict) and item.get("kind") == "recommended":
                recommended = True
                index = self._index.get(item.get("id"))
                if index is not None:
                    shown |= 1 << index
        if not recommended:
            return
        needs = turn.get("needs") or {}
        key = needs_key(needs)
        if key not in self._situations:
            self._situations[key] = self._situation(needs)
        self._turns[key, shown] += 1

    def _situation(self, needs: dict[str, Any]) -> _Situation:
        category = self.catalog.category
        profile = readable_profile(self.catalog, needs)
        levels = [self.check.levels.level(c) for c in profile.constraints]
        if profile.excluded_brands:
            levels.append(self.check.levels.exclusion(profile.excluded_brands))
        levels.sort(key=lambda level: level.order)
        label = " + ".join(level.label for level in levels) or "no needs stated"
        try:
            configs = configurations(category, needs.items())
        except TypeError:
            configs = ()
        priorities = profile.priorities or tuple(category.default_priorities)
        attributes = {a for p in priorities if p in category.priorities
                      for a in category.priorities[p].attributes}  # fmt: skip
        lacking = {a: self.gaps.missing_mask(a, configs) for a in sorted(attributes)}
        blocked, blocked_by = self.gaps.blocked(needs)
        return _Situation(self.check.needs_mask(needs), label, lacking, blocked, blocked_by)

    def notes(self, rows: list[BrandExposure], tolerance: float) -> list[ExposureNote]:
        flagged = [r for r in rows if r.flag(tolerance) != "fair"]
        if not flagged:
            return []
        brand_masks = self.check.brand_masks
        total_shown = sum(
            (shown & ((1 << len(self.catalog.products)) - 1)).bit_count() * n
            for (_, shown), n in self._turns.items()
        )
        total_merit = sum(
            self._situations[key].eligible.bit_count() * n for (key, _), n in self._turns.items()
        )
        S, M = total_shown or 1, total_merit or 1  # noqa: N806 - the module's notation
        return [self._note(r, tolerance, brand_masks[r.brand], S, M) for r in flagged
                if r.brand in brand_masks]  # fmt: skip

    def _note(self, row: BrandExposure, tolerance: float, mine: int, S: int, M: int):  # noqa: N803
        over = row.flag(tolerance) == "over-exposed"
        attributes = self.catalog.category.attributes
        by_needs: dict[str, list[int]] = {}
        by_product: dict[int, list[int]] = {}
        missing: Counter[str] = Counter()
        might_fit: Counter[str] = Counter()
        not_shown = on_file = lacking_any = 0
        for (key, shown), n in self._turns.items():
            situation = self._situations[key]
            counts = by_needs.setdefault(situation.label, [0, 0])
            counts[0] += (shown & mine).bit_count() * n
            counts[1] += (situation.eligible & mine).bit_count() * n
            for i in _bits(situation.eligible & mine):
                product = by_product.setdefault(i, [0, 0])
                product[0] += n * bool(shown >> i & 1)
                product[1] += n
            left_out = situation.eligible & ~shown & (~mine if over else mine)
            not_shown += left_out.bit_count() * n
            lacked = 0
            for attribute, bits in situation.lacking.items():
                count = (left_out & bits).bit_count()
                if count:
                    missing[attributes[attribute].label] += count * n
                    lacked |= left_out & bits
            lacking_any += lacked.bit_count() * n
            on_file += (left_out & ~lacked).bit_count() * n
            if not over:
                for attribute, bits in situation.blocked_by.items():
                    count = (situation.blocked & bits & mine).bit_count()
                    if count:
                        might_fit[attributes[attribute].label] += count * n
        sign = 1 if over else -1

        def points(shown: int, eligible: int) -> float:
            return (shown / S - eligible / M) * 100

        needs = sorted(
            ({"label": label, "points": round(points(*c), 1), "shown": c[0], "eligible": c[1]}
             for label, c in by_needs.items() if c[0] or c[1]),
            key=lambda n: (-sign * n["points"], n["label"]),
        )  # fmt: skip
        products = sorted(
            (
                {
                    "name": self.catalog.products[i].full_name,
                    "points": round(points(*c), 1),
                    "shown": c[0],
                    "eligible": c[1],
                }
                for i, c in by_product.items()
            ),
            key=lambda p: (-sign * p["points"], p["name"]),
        )
        return ExposureNote(
            brand=row.brand,
            flag=row.flag(tolerance),
            shown_share=row.shown_share,
            eligible_share=row.eligible_share,
            needs=[n for n in needs if sign * n["points"] > 0][:TOP],
            products=[p for p in products if sign * p["points"] > 0][:TOP],
            not_shown=not_shown,
            lacking=lacking_any,
            missing_figures=dict(missing.most_common()),
            on_file=on_file,
            might_fit=dict(might_fit.most_common()),
        )


def _bits(mask: int):
    i = 0
    while mask:
        if mask & 1:
            yield i
        mask >>= 1
        i += 1
