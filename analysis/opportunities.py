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
is stable. Only groups with at least `min_shoppers` distinct shoppers are reported; unless told,
the minimum adapts to the window (auto_min_shoppers: 1 below 30 shoppers, 2 below 100, 3 below
1,000, then 0.3% of the shoppers), so a small window is never blank for no reason, and the result
says which minimum it used and how many groups it left out. A shopper is a sender id (the chat
page keeps one per browser): the log knows no other identity.

The same pass counts the headline figures (analysis.headline) and explains the exposure audit's
flags (analysis.exposure_notes); a second, lighter pass over the previous window of the same
length gives the headline's changes. Conversations tagged as tests, load tests or staff traffic
(stores.interface.TRAFFIC) are left out unless `include_traffic` names their kind; shopper
messages that only answer the bot (analysis.initiative) count for needs but are never quoted.

PAUSED_GC: Python's cyclic garbage collector is paused while the log streams by. The miners make no
reference cycles, and with hundreds of thousands of conversation states alive every full collection
walks them all again: on a million turns that was about a third of the mining time.
"""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from analysis.exposure import DEFAULT_TOLERANCE, ExposureAudit, exposure_row
from analysis.exposure_notes import ExposureNote, ExposureNotes
from analysis.feature_meaning import describe
from analysis.features import FeatureGroup, FeatureMiner
from analysis.figure_gaps import FigureGaps
from analysis.headline import HeadlineCounter
from analysis.headline_view import Headline
from analysis.initiative import REASONS, Initiative
from analysis.ratings import NO_RATINGS, RatingSource
from analysis.unmet import CatalogCheck, UnmetGroup, UnmetNeedMiner
from knowledge.catalog import Catalog
from knowledge.fairness import BrandExposure
from stores.interface import TRAFFIC, HandoffStore, TurnStore

SCORE_FORMULA = (
    "score = distinct shoppers x gap. Unmet combination: gap = mean over its shoppers of the "
    "smallest total shortfall of any product on the conflicting needs (each need's shortfall as a "
    "share of what was asked, capped at 1; a missed category, missing figure or excluded brand "
    "counts 1). Requested feature: gap = 1 (no such attribute in the catalog). Ties: more "
    "shoppers, then unmet before feature, then name."
)
KIND_ORDER = {"unmet": 0, "feature": 1}
DEFAULT_MIN_SHOPPERS = None  # adapt to the window (auto_min_shoppers)
DAY = 86400
AUTO_RULE = "1 below 30 shoppers, 2 below 100, 3 below 1,000, then 0.3% of the shoppers"


def auto_min_shoppers(shoppers: int) -> int:
    """The minimum shoppers an opportunity needs to be reported, for a window of `shoppers`."""
    if shoppers < 30:
        return 1
    if shoppers < 100:
        return 2
    return max(3, math.ceil(shoppers * 0.003))


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
    conversations: tuple[str, ...] = ()  # its shoppers' conversations, the latest first

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
            "conversations": list(self.conversations),
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
    min_shoppers_auto: bool = False  # chosen by auto_min_shoppers, not given
    hidden: int = 0  # groups left out for having fewer than min_shoppers shoppers
    headline: Headline | None = None
    exposure_notes: tuple[ExposureNote, ...] = ()
    excluded_traffic: dict[str, int] = field(default_factory=dict)  # kind -> conversations
    kept_out: dict[str, int] = field(default_factory=dict)  # initiative reason -> messages
    sample: bool = False  # the log holds simulated conversations (advisor simulate)
    since: float | None = None  # the window asked for (None: unbounded)
    until: float | None = None
    feature_meaning: str = ""  # how feature requests were compared (feature_meaning.describe)

    @classmethod
    def empty(cls, sample: bool = False) -> MiningResult:
        """The result of mining a log that holds no turns."""
        return cls((), (), DEFAULT_TOLERANCE, 0, 0, 0, None, None, (), 1, sample=sample)

    @property
    def window(self) -> str:
        if self.first_ts is None or self.last_ts is None:
            return "no turns"
        return f"{_date(self.first_ts)} to {_date(self.last_ts)}"

    @property
    def min_shoppers_text(self) -> str:
        """Which minimum was used and why, and what it left out."""
        plural = "" if self.min_shoppers == 1 else "s"
        text = f"Opportunities with at least {self.min_shoppers} shopper{plural}"
        if self.min_shoppers_auto:
            text += f" (chosen for {self.shoppers:,} shoppers: {AUTO_RULE})"
        if self.hidden:
            text += f"; {self.hidden} more had fewer shoppers" + (
                "" if self.min_shoppers == 1 else " (a lower minimum shows them)"
            )
        return text + "."

    @property
    def traffic_text(self) -> str:
        if not self.excluded_traffic:
            return ""
        parts = ", ".join(
            f"{n} {TRAFFIC_LABELS.get(k, k)}" for k, n in self.excluded_traffic.items()
        )
        return f"Left out: conversations tagged as not real shoppers ({parts})."

    @property
    def grouping_text(self) -> str:
        if not self.feature_meaning or not any(o.kind == "feature" for o in self.opportunities):
            return ""
        return f"Feature requests grouped by meaning: {self.feature_meaning}."

    @property
    def kept_out_text(self) -> str:
        parts = [f"{REASONS[k]} {n}" for k, n in self.kept_out.items() if n]
        if not parts:
            return ""
        return "Messages that only answer the bot, never quoted or counted as features: " + (
            ", ".join(parts) + "."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "sample": self.sample,
            "turns": self.turns,
            "shoppers": self.shoppers,
            "unmet_shoppers": self.unmet_shoppers,
            "min_shoppers": self.min_shoppers,
            "min_shoppers_auto": self.min_shoppers_auto,
            "min_shoppers_explained": self.min_shoppers_text,
            "hidden_opportunities": self.hidden,
            "excluded_traffic": dict(self.excluded_traffic),
            "kept_out_messages": dict(self.kept_out),
            "feature_meaning": self.feature_meaning,
            "score_formula": self.formula,
            "weeks": list(self.weeks),
            "headline": self.headline.to_dict() if self.headline else None,
            "opportunities": [o.to_dict() for o in self.opportunities],
            "exposure": {
                "tolerance": self.tolerance,
                "brands": [exposure_row(r, self.tolerance) for r in self.exposure],
                "flags_explained": [n.to_dict() for n in self.exposure_notes],
            },
        }


TRAFFIC_LABELS = {"test": "test", "loadtest": "load test", "staff": "staff"}


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
        "conversations": group.conversations,
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
        "conversations": group.conversations,
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
    min_shoppers: int | None = DEFAULT_MIN_SHOPPERS,
    tolerance: float = DEFAULT_TOLERANCE,
    include_traffic: frozenset[str] | set[str] = frozenset(),
    handoffs: HandoffStore | None = None,
    ratings: RatingSource | None = None,
    now: float | None = None,
) -> MiningResult:
    """Stream the turns with since <= ts < until once and rank what shoppers could not get.

    min_shoppers None adapts to the window (auto_min_shoppers). Conversations tagged with a kind
    of traffic are left out unless `include_traffic` names it. `handoffs` (the support queue)
    gives the handoff waits, `ratings` the shoppers' ratings (analysis.ratings.StoreRatings of
    the rating store; without it the headline has no satisfaction figure)."""
    unknown = set(include_traffic) - set(TRAFFIC)
    if unknown:
        raise ValueError(f"include_traffic names {sorted(unknown)}; the kinds are {TRAFFIC}")
    excluded = {c: k for c, k in log.tagged_traffic().items() if k not in include_traffic}
    check = CatalogCheck(catalog)
    gaps = FigureGaps(check)
    unmet = UnmetNeedMiner(catalog, check)
    features = FeatureMiner(catalog)
    initiative = Initiative(catalog, features.extractor.has_request)
    exposure = ExposureAudit(catalog, check)
    notes = ExposureNotes(catalog, check, gaps)
    headline = HeadlineCounter(catalog, check, gaps)
    left_out: dict[str, set[str]] = {}
    turns = 0
    first_ts = last_ts = None
    collecting = gc.isenabled()
    gc.disable()  # see PAUSED_GC
    try:
        for turn in log.iter_turns(since=since, until=until):
            kind = excluded.get(turn["conversation_id"])
            if kind is not None:
                left_out.setdefault(kind, set()).add(turn["conversation_id"])
                continue
            turns += 1
            if first_ts is None:
                first_ts = turn["ts"]
            last_ts = turn["ts"]
            turn["initiative"] = initiative.see(turn)
            unmet.add(turn)
            features.add(turn)
            exposure.add(turn)
            notes.add(turn)
            headline.add(turn)
    finally:
        if collecting:
            gc.enable()
    weeks = weeks_between(first_ts, last_ts) if first_ts is not None else ()
    shoppers = unmet.shoppers
    auto = min_shoppers is None
    threshold = auto_min_shoppers(shoppers) if min_shoppers is None else min_shoppers
    unmet_groups, feature_groups = unmet.groups(), features.groups()
    rows = [_unmet(g, shoppers, weeks, check) for g in unmet_groups if g.shoppers >= threshold]
    rows += [_feature(g, shoppers, weeks) for g in feature_groups if g.shoppers >= threshold]
    hidden = sum(g.shoppers < threshold for g in (*unmet_groups, *feature_groups))
    exposure_rows = tuple(exposure.rows())
    current = headline.figures(
        since, until, _handoffs(handoffs, since, until), _ratings(ratings, since, until)
    )
    return MiningResult(
        opportunities=rank(rows, threshold),
        exposure=exposure_rows,
        tolerance=tolerance,
        turns=turns,
        shoppers=shoppers,
        unmet_shoppers=unmet.unmet_conversations,
        first_ts=first_ts,
        last_ts=last_ts,
        weeks=weeks,
        min_shoppers=threshold,
        profiles_checked=unmet.check.profiles_checked,
        min_shoppers_auto=auto,
        hidden=hidden,
        headline=Headline(
            current,
            _previous(log, catalog, check, gaps, excluded, since, until, handoffs, ratings, now),
        ),
        exposure_notes=tuple(notes.notes(list(exposure_rows), tolerance)),
        excluded_traffic={k: len(v) for k, v in sorted(left_out.items())},
        kept_out=dict(initiative.kept_out),
        sample=log.is_sample(),
        since=since,
        until=until,
        feature_meaning=describe(glossary=len(catalog.category.feature_glossary)),
    )


def _handoffs(store: HandoffStore | None, since: float | None, until: float | None) -> list:
    return store.handoffs_between(since, until) if store is not None else []


def _previous(log, catalog, check, gaps, excluded, since, until, handoffs, ratings, now):
    """The headline figures of the window of the same length just before [since, until); None
    when the window has no start (then there is no earlier window)."""
    if since is None:
        return None
    end = until if until is not None else (now if now is not None else time.time())
    start = since - max(0.0, end - since)
    counter = HeadlineCounter(catalog, check, gaps)
    for turn in log.iter_turns(since=start, until=since):
        if turn["conversation_id"] not in excluded:
            counter.add(turn)
    return counter.figures(
        start, since, _handoffs(handoffs, start, since), _ratings(ratings, start, since)
    )


def _ratings(source: RatingSource | None, since: float | None, until: float | None):
    return source.ratings(since, until) if source is not None else NO_RATINGS
