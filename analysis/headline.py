"""Headline figures of a window, each beside the previous window of the same length.

Counted over the turns of real shoppers (traffic tagged as tests, load tests or staff is left out
by analysis.opportunities.mine before it gets here):

- conversations, shoppers, shopper turns per conversation. A shopper is a sender id (the chat page
  keeps one per browser); a conversation is a run of a shopper's turns with no pause longer than
  SESSION_GAP, the session expiry of the bot (bot/domain/core.yml), after which Rasa starts a new
  session;
- the share of conversations that reached a recommendation (products shown as recommended), a
  comparison, a "nothing fits" answer, and a handoff to a person;
- the not-understood rate: shopper turns the bot answered with its fallback, of all shopper turns;
- the median wait for a person (handoff to claim) and the median resolution time (handoff to
  close or hand back), over the handoffs created in the window (the support queue);
- satisfaction: the mean rating (1-5) and the share of 4 and 5, from analysis.ratings;
- the models and brands shoppers asked about most (the product and brand entities of their
  messages, counted once per conversation), and the real models they named that the catalog lacks
  (knowledge.other_models, the bot's own recognition from the catalog's name list; a catalog
  without one falls back to the names a comparison request leaves over);
- which missing catalog figures blocked the most matches: per conversation's stated needs, the
  products that meet every need they have a figure for but lack the figure of another (they might
  fit), counted per attribute. Filling those figures is what would let them be recommended.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from analysis.figure_gaps import FigureGaps
from analysis.ratings import Rating
from analysis.unmet import CatalogCheck, needs_key
from knowledge.catalog import Catalog, name_key
from knowledge.other_models import name_index, unknown_mentions
from knowledge.references import leftover_names
from stores.interface import ENDED, Handoff

SESSION_GAP = 2 * 3600  # seconds: session_expiration_time 120 (minutes) in bot/domain/core.yml
TOP = 5
MEMO_LIMIT = 100_000  # distinct messages whose unknown models are remembered
COMPARE_INTENT = "compare"
REACHED = {  # what a conversation reached, as the headline names it
    "recommendation": "Reached a recommendation",
    "comparison": "Compared models",
    "nothing_fits": "Heard that nothing fits",
    "handoff": "Handed to a person",
}
_BITS = {name: 1 << i for i, name in enumerate(REACHED)}


def reached_bits(turn: dict[str, Any]) -> int:
    bits = 0
    for product in turn.get("products") or ():
        kind = product.get("kind") if isinstance(product, dict) else None
        if kind == "recommended":
            bits |= _BITS["recommendation"]
        elif kind == "compared":
            bits |= _BITS["comparison"]
    if turn.get("nothing_fits"):
        bits |= _BITS["nothing_fits"]
    if turn.get("handoff"):
        bits |= _BITS["handoff"]
    return bits


class _Shopper:
    __slots__ = ("bits", "brands", "last_ts", "missing", "models", "needs")

    def __init__(self, ts: float) -> None:
        self.last_ts = ts
        self.bits = 0
        self.needs: dict[str, Any] = {}
        self.models: set[str] = set()
        self.brands: set[str] = set()
        self.missing: set[str] = set()


@dataclass(frozen=True)
class WindowFigures:
    """The headline figures of one window."""

    since: float | None
    until: float | None
    shoppers: int = 0
    conversations: int = 0
    shopper_turns: int = 0
    not_understood: int = 0
    reached: dict[str, int] = field(default_factory=dict)  # REACHED key -> conversations
    handoffs: int = 0
    median_wait: float | None = None  # seconds
    median_resolution: float | None = None
    ratings: int = 0
    mean_rating: float | None = None
    satisfied: float | None = None  # share of ratings 4 or 5
    models: tuple[tuple[str, int], ...] = ()  # (name, conversations)
    brands: tuple[tuple[str, int], ...] = ()
    missing_models: tuple[tuple[str, int], ...] = ()
    blocked: tuple[tuple[str, int, int], ...] = ()  # (attribute label, matches, conversations)
    # every name's count behind each top list above (for the change beside the window before)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def turns_per_conversation(self) -> float | None:
        return self.shopper_turns / self.conversations if self.conversations else None

    @property
    def not_understood_rate(self) -> float | None:
        return self.not_understood / self.shopper_turns if self.shopper_turns else None

    def share(self, key: str) -> float | None:
        return self.reached.get(key, 0) / self.conversations if self.conversations else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "shoppers": self.shoppers,
            "conversations": self.conversations,
            "shopper_turns": self.shopper_turns,
            "turns_per_conversation": rounded(self.turns_per_conversation),
            "not_understood_rate": rounded(self.not_understood_rate),
            "reached": {
                k: {"conversations": self.reached.get(k, 0), "share": rounded(self.share(k))}
                for k in REACHED
            },  # fmt: skip
            "handoffs": self.handoffs,
            "median_handoff_wait_seconds": rounded(self.median_wait),
            "median_resolution_seconds": rounded(self.median_resolution),
            "ratings": self.ratings,
            "mean_rating": rounded(self.mean_rating),
            "satisfied_share": rounded(self.satisfied),
            "models": [{"name": n, "conversations": c} for n, c in self.models],
            "brands": [{"name": n, "conversations": c} for n, c in self.brands],
            "missing_models": [{"name": n, "conversations": c} for n, c in self.missing_models],
            "blocked_by_missing_figures": [
                {"figure": label, "matches": m, "conversations": c} for label, m, c in self.blocked
            ],
        }


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class HeadlineCounter:
    """Feed it the window's turns in time order with add(); figures() then sums them up."""

    def __init__(
        self, catalog: Catalog, check: CatalogCheck | None = None, gaps: FigureGaps | None = None
    ) -> None:
        self.catalog = catalog
        self.check = check or CatalogCheck(catalog)
        self.shoppers: dict[str, _Shopper] = {}
        self.conversations = 0
        self.shopper_turns = 0
        self.not_understood = 0
        self.reached: Counter[str] = Counter()
        self.models: Counter[str] = Counter()
        self.brands: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.missing_surface: dict[str, Counter[str]] = {}
        self.gaps = gaps or FigureGaps(self.check)
        self._unknown: dict[tuple, list[str]] = {}
        self._has_name_list = bool(name_index(catalog).names.models)
        self._blocked: dict[str, dict[str, int]] = {}

    def add(self, turn: dict[str, Any]) -> None:
        if turn.get("role", "shopper") != "shopper":
            return
        ts, sender = turn["ts"], turn["conversation_id"]
        shopper = self.shoppers.get(sender)
        if shopper is None:
            shopper = self.shoppers[sender] = _Shopper(ts)
            self.conversations += 1
        elif ts - shopper.last_ts > SESSION_GAP:
            self._close(shopper)
            self.conversations += 1
        shopper.last_ts = ts
        self.shopper_turns += 1
        self.not_understood += bool(turn.get("fallback"))
        shopper.bits |= reached_bits(turn)
        if turn.get("needs"):
            shopper.needs = turn["needs"]
        self._mentions(shopper, turn)

    def _mentions(self, shopper: _Shopper, turn: dict[str, Any]) -> None:
        by_id = self.catalog.by_id
        spans = []
        for entity in turn.get("entities") or ():
            if not isinstance(entity, dict):
                continue
            if "start" in entity and "end" in entity:
                spans.append((entity["start"], entity["end"]))
            value = entity.get("value")
            if entity.get("entity") == "product" and value in by_id:
                if value not in shopper.models:
                    shopper.models.add(value)
                    self.models[value] += 1
                self._brand(shopper, by_id[value].brand)
            elif entity.get("entity") == "brand" and isinstance(value, str):
                self._brand(shopper, value)
        text = turn.get("text") or ""
        if text and not text.startswith("/"):
            for name in self._unknown_models(text, tuple(spans), turn.get("intent")):
                key = " ".join(name.lower().split())
                if key not in self.missing_surface:
                    self.missing_surface[key] = Counter()
                self.missing_surface[key][name] += 1
                if key not in shopper.missing:
                    shopper.missing.add(key)
                    self.missing[key] += 1

    def _unknown_models(self, text: str, spans: tuple, intent: str | None) -> list[str]:
        """Real models a message names that the catalog lacks: those of the catalog's name list
        (knowledge.other_models, as the bot recognises them), else, for a catalog without one,
        the names a comparison request leaves over (knowledge.references.leftover_names)."""
        key = (text, spans, intent)
        found = self._unknown.get(key)
        if found is None:
            if self._has_name_list:
                found = [m.model.name for m in unknown_mentions(self.catalog, text, spans)
                         if m.model is not None]  # fmt: skip
            elif intent == COMPARE_INTENT:
                found = [n for n in leftover_names(text, list(spans)) if not self._known(n)]
            else:
                found = []
            if len(self._unknown) < MEMO_LIMIT:
                self._unknown[key] = found
        return found

    def _known(self, name: str) -> bool:
        """Whether the catalog has a product of this name (Catalog.find without suggestions)."""
        return name in self.catalog.by_id or name_key(name) in self.catalog.name_index

    def _brand(self, shopper: _Shopper, brand: str) -> None:
        if brand not in shopper.brands:
            shopper.brands.add(brand)
            self.brands[brand] += 1

    def _close(self, shopper: _Shopper) -> None:
        """A conversation ended: count what it reached, and start the shopper's next one."""
        for name, bit in _BITS.items():
            if shopper.bits & bit:
                self.reached[name] += 1
        shopper.bits = 0

    def figures(
        self,
        since: float | None,
        until: float | None,
        handoffs: Iterable[Handoff] = (),
        ratings: Iterable[Rating] = (),
    ) -> WindowFigures:
        """The figures so far (each shopper's last conversation counted as ended)."""
        reached = Counter(self.reached)
        for shopper in self.shoppers.values():
            for name, bit in _BITS.items():
                reached[name] += bool(shopper.bits & bit)
        handoffs = [h for h in handoffs if h["conversation_id"] in self.shoppers]
        waits = [h["claimed_ts"] - h["created_ts"] for h in handoffs if h.get("claimed_ts")]
        done = [
            h["closed_ts"] - h["created_ts"]
            for h in handoffs
            if h.get("status") in ENDED and h.get("closed_ts")
        ]
        scores = [r.score for r in ratings if r.conversation_id in self.shoppers]
        by_id = self.catalog.by_id
        blocked = self.blocked(top=None)
        return WindowFigures(
            since=since,
            until=until,
            shoppers=len(self.shoppers),
            conversations=self.conversations,
            shopper_turns=self.shopper_turns,
            not_understood=self.not_understood,
            reached=dict(reached),
            handoffs=len(handoffs),
            median_wait=_median(waits),
            median_resolution=_median(done),
            ratings=len(scores),
            mean_rating=statistics.fmean(scores) if scores else None,
            satisfied=sum(s >= 4 for s in scores) / len(scores) if scores else None,
            models=tuple((by_id[p].name, n) for p, n in _top(self.models)),
            brands=tuple(_top(self.brands)),
            missing_models=tuple((self._surface(k), n) for k, n in _top(self.missing)),
            blocked=blocked[:TOP],
            counts={
                "models": {by_id[p].name: n for p, n in self.models.items()},
                "brands": dict(self.brands),
                "missing_models": {self._surface(k): n for k, n in self.missing.items()},
                "blocked": {label: n for label, n, _ in blocked},
            },
        )

    def _surface(self, key: str) -> str:
        """How shoppers wrote a missing model's name most often."""
        return self.missing_surface[key].most_common(1)[0][0]

    # -- missing figures -----------------------------------------------------------------------

    def blocked(self, top: int | None = TOP) -> tuple[tuple[str, int, int], ...]:
        """(attribute label, products kept out, conversations) for the figures whose absence kept
        the most products out of shoppers' matches, most first (the first `top`)."""
        matches: Counter[str] = Counter()
        conversations: Counter[str] = Counter()
        for shopper in self.shoppers.values():
            if not shopper.needs:
                continue
            for attribute, count in self._blocked_by(shopper.needs).items():
                matches[attribute] += count
                conversations[attribute] += 1
        attributes = self.catalog.category.attributes
        return tuple(
            (attributes[a].label, n, conversations[a])
            for a, n in sorted(matches.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        )

    def _blocked_by(self, needs: dict[str, Any]) -> dict[str, int]:
        key = needs_key(needs)
        found = self._blocked.get(key)
        if found is None:
            found = self._blocked[key] = self.gaps.blocked_counts(needs)
        return found


def _median(values: list[float]) -> float | None:
    values = [max(0.0, v) for v in values]
    return statistics.median(values) if values else None


def _top(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
