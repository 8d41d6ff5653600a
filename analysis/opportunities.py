"""Opportunities for product managers: unmet need combinations and requested features, ranked.

One streaming pass over the turn log (TurnStore.iter_turns) feeds three miners: structured unmet needs
(analysis.unmet), free-text feature requests (analysis.features) and the brand exposure audit
(analysis.exposure). Their groups become Opportunity rows ranked by one documented score:

    score = distinct shoppers x gap

    gap, for an unmet combination: the mean, over its shoppers, of the smallest total shortfall of
        any product on the conflicting needs (each need's shortfall as a share of what was asked,
        capped at 1; a missed category, a missing figure or an excluded brand counts 1). So 0.1
        means "a product is 10% away", 2 means "the best product misses two needs outright".
    gap, for a requested feature: 1 (the catalog has no attribute for it at all).

Ties are broken by more shoppers, then kind ("unmet" before "feature"), then the name, so the order
is stable. Only groups with at least `min_shoppers` distinct shoppers are reported. A shopper is a
conversation (the Rasa sender id): the log knows no other identity.

PAUSED_GC: Python's cyclic garbage collector is paused while the log streams by. The miners make no
reference cycles, and with hundreds of thousands of conversation states alive every full collection
walks them all again: on a million turns that was about a third of the mining time.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from analysis.exposure import DEFAULT_TOLERANCE, ExposureAudit, exposure_row
from analysis.features import FeatureGroup, FeatureMiner
from analysis.initiative import Initiative
from analysis.unmet import CatalogCheck, UnmetGroup, UnmetNeedMiner
from knowledge.catalog import Catalog
from knowledge.fairness import BrandExposure
from stores.interface import TurnStore

SCORE_FORMULA = (
    "score = distinct shoppers x gap. Unmet combination: gap = mean over its shoppers of the "
    "smallest total shortfall of any product on the conflicting needs (each need's shortfall as a "
    "share of what was asked, capped at 1; a missed category, missing figure or excluded brand "
    "counts 1). Requested feature: gap = 1 (no such attribute in the catalog). Ties: more "
    "shoppers, then unmet before feature, then name."
)
KIND_ORDER = {"unmet": 0, "feature": 1}
DEFAULT_MIN_SHOPPERS = 3
DAY = 86400


def week_of(ts: float) -> str:
    """ISO week of a unix time, UTC: '2026-W03'."""
    year, week, _ = datetime.fromtimestamp(ts, timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(first: float, last: float) -> tuple[str, ...]:
    """Every ISO week from the one holding `first` to the one holding `last`."""
    start = datetime.fromtimestamp(first, timezone.utc)
    monday = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0)
    weeks, current = [], monday.timestamp()
    while current <= last:
        weeks.append(week_of(current))
        current += 7 * DAY
    return tuple(weeks)


@dataclass(frozen=True)
class Opportunity:
    rank: int
    kind: str  # "unmet" (a combination of needs no product meets) or "feature" (free text)
    key: str
    label: str
    shoppers: int
    share: float  # of all shoppers in the window
    gap: float
    score: float
    first_seen: float
    last_seen: float
    weekly: tuple[tuple[str, int], ...]  # (ISO week, shoppers) over the whole window
    quotes: tuple[str, ...]
    nearest: tuple[dict[str, Any], ...] = ()  # {"id", "name", "misses": [text, ...]}
    needs: tuple[str, ...] = ()  # the combination's levels, e.g. ("pickup", "under $45k")

    @property
    def explanation(self) -> str:
        plural = "" if self.shoppers == 1 else "s"
        return f"{self.shoppers} shopper{plural} x gap {self.gap:.2f} = {self.score:.2f}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "kind": self.kind,
            "opportunity": self.label,
            "key": self.key,
            "score": self.score,
            "score_explained": self.explanation,
            "shoppers": self.shoppers,
            "share": round(self.share, 4),
            "gap": round(self.gap, 4),
            "first_seen": _date(self.first_seen),
            "last_seen": _date(self.last_seen),
            "weekly": [{"week": w, "shoppers": n} for w, n in self.weekly],
            "needs": list(self.needs),
            "nearest": [dict(n) for n in self.nearest],
            "quotes": list(self.quotes),
        }


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class MiningResult:
    opportunities: tuple[Opportunity, ...]  # ranked
    exposure: tuple[BrandExposure, ...]
    tolerance: float
    turns: int
    shoppers: int
    unmet_shoppers: int
    first_ts: float | None
    last_ts: float | None
    weeks: tuple[str, ...]
    min_shoppers: int
    profiles_checked: int = 0
    formula: str = SCORE_FORMULA

    @property
    def window(self) -> str:
        if self.first_ts is None or self.last_ts is None:
            return "no turns"
        return f"{_date(self.first_ts)} to {_date(self.last_ts)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "turns": self.turns,
            "shoppers": self.shoppers,
            "unmet_shoppers": self.unmet_shoppers,
            "min_shoppers": self.min_shoppers,
            "score_formula": self.formula,
            "weeks": list(self.weeks),
            "opportunities": [o.to_dict() for o in self.opportunities],
            "exposure": {
                "tolerance": self.tolerance,
                "brands": [exposure_row(r, self.tolerance) for r in self.exposure],
            },
        }


def _weekly(days: dict[int, int], weeks: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    counts = dict.fromkeys(weeks, 0)
    for day, n in days.items():
        week = week_of(day * DAY)
        counts[week] = counts.get(week, 0) + n
    return tuple(sorted(counts.items()))


def _unmet(
    group: UnmetGroup, shoppers: int, weeks: tuple[str, ...], check: CatalogCheck
) -> dict[str, Any]:
    return {
        "kind": "unmet",
        "key": group.key,
        "label": group.label,
        "shoppers": group.shoppers,
        "share": group.shoppers / shoppers if shoppers else 0.0,
        "gap": group.gap,
        "first_seen": group.first_seen,
        "last_seen": group.last_seen,
        "weekly": _weekly(group.days, weeks),
        "quotes": group.quotes,
        "nearest": check.nearest(group.representative()),
        "needs": group.levels,
    }


def _feature(group: FeatureGroup, shoppers: int, weeks: tuple[str, ...]) -> dict[str, Any]:
    return {
        "kind": "feature",
        "key": group.key,
        "label": group.label,
        "shoppers": group.shoppers,
        "share": group.shoppers / shoppers if shoppers else 0.0,
        "gap": 1.0,
        "first_seen": group.first_seen,
        "last_seen": group.last_seen,
        "weekly": _weekly(group.days, weeks),
        "quotes": tuple(group.quotes),
    }


def rank(rows: list[dict[str, Any]], min_shoppers: int) -> tuple[Opportunity, ...]:
    """Score, filter and order the rows; ranks start at 1."""
    for row in rows:
        row["score"] = round(row["shoppers"] * row["gap"], 4)
    kept = [r for r in rows if r["shoppers"] >= min_shoppers]
    kept.sort(
        key=lambda r: (-r["score"], -r["shoppers"], KIND_ORDER[r["kind"]], r["label"], r["key"])
    )
    return tuple(Opportunity(rank=i, **row) for i, row in enumerate(kept, 1))


def mine(
    log: TurnStore,
    catalog: Catalog,
    since: float | None = None,
    until: float | None = None,
    min_shoppers: int = DEFAULT_MIN_SHOPPERS,
    tolerance: float = DEFAULT_TOLERANCE,
) -> MiningResult:
    """Stream the turns with since <= ts < until once and rank what shoppers could not get."""
    check = CatalogCheck(catalog)
    unmet = UnmetNeedMiner(catalog, check)
    features = FeatureMiner(catalog)
    initiative = Initiative(catalog, features.extractor.has_request)
    exposure = ExposureAudit(catalog, check)
    turns = 0
    first_ts = last_ts = None
    collecting = gc.isenabled()
    gc.disable()  # see PAUSED_GC
    try:
        for turn in log.iter_turns(since=since, until=until):
            turns += 1
            if first_ts is None:
                first_ts = turn["ts"]
            last_ts = turn["ts"]
            turn["initiative"] = initiative.see(turn)
            unmet.add(turn)
            features.add(turn)
            exposure.add(turn)
    finally:
        if collecting:
            gc.enable()
    weeks = weeks_between(first_ts, last_ts) if first_ts is not None else ()
    shoppers = unmet.shoppers
    rows = [_unmet(g, shoppers, weeks, check) for g in unmet.groups() if g.shoppers >= min_shoppers]
    rows += [_feature(g, shoppers, weeks) for g in features.groups() if g.shoppers >= min_shoppers]
    return MiningResult(
        opportunities=rank(rows, min_shoppers),
        exposure=tuple(exposure.rows()),
        tolerance=tolerance,
        turns=turns,
        shoppers=shoppers,
        unmet_shoppers=unmet.unmet_conversations,
        first_ts=first_ts,
        last_ts=last_ts,
        weeks=weeks,
        min_shoppers=min_shoppers,
        profiles_checked=unmet.check.profiles_checked,
    )
