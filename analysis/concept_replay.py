"""Replaying the logged shoppers against a concept: what it would win, from whom, and how sure.

One streaming pass over the turn log keeps each conversation's last stated needs: through
TurnStore.iter_turns, the iterator the miners read, so every backend the miners read serves the
replay too; or, when the store offers it (the SQLite log does), through its iter_stated_needs, the
same turns in the same order with only the five columns the replay reads, and each distinct needs
text decoded once. Conversations tagged as test, load-test or staff traffic are left out as the
miners leave them. Most
shoppers share a needs profile, so the replay works on the distinct profiles, each with its
number of shoppers and a few of their words.

For each profile the concept is judged by the advisor's ranking rules (knowledge.matching):
- it fits when it meets every hard need (on the figures of the configuration the shopper
  requires) and its brand is not ruled out (analysis.need_masks.shortfall, which a test holds to
  knowledge.constraints.failures, as `eligible` uses it);
- a shopper whose needs no catalog product meets (the miner's bit masks, analysis.unmet) and whom
  it fits is new demand;
- a shopper who has matches takes the concept when it would rank first among them: by the order
  asked for, then the score, then the specifications (knowledge.matching.rank), scored in the
  catalog with the concept added, as the advisor would score it. The product the advisor shows
  first today is the one it takes the shopper from: the deployer's own brand (category.yml
  `deployer.house_brand`) is cannibalisation, another brand's conquest; from the product a
  concept changes, neither.
A test holds the replay to knowledge.matching.recommend on a catalog holding the concept.
"""

from __future__ import annotations

import gc
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analysis.concept import Concept
from analysis.need_masks import shortfall
from analysis.unmet import CatalogCheck, needs_key
from knowledge.catalog import Catalog, Product
from knowledge.errors import NeedsError
from knowledge.matching import _sort_key, score, tie_break_key, wanted_configurations
from knowledge.needs import NeedsProfile, check_sort, make_constraint
from stores.interface import TurnStore

QUOTES = 3  # a profile's remembered quotes
MIN_QUOTE_WORDS = 3


@dataclass
class Profile:
    needs: dict[str, Any]
    shoppers: int = 0
    quotes: list[str] = field(default_factory=list)
    read: NeedsProfile | None = None
    configs: tuple[str, ...] = ()
    mask: int = 0
    members: list[str] = field(default_factory=list)  # its shoppers' conversations
    excluded: frozenset[str] = frozenset()  # brands ruled out, lower case
    checks: tuple[tuple[str, Any, str], ...] = ()  # (op, value, attribute) of each hard need
    days: Counter[int] = field(default_factory=Counter)  # shoppers by UTC day of their last turn


@dataclass
class Shoppers:
    """The replayed log: distinct needs profiles with their shoppers."""

    profiles: list[Profile]
    shoppers: int  # conversations that stated needs
    conversations: int
    turns: int
    first_ts: float | None
    last_ts: float | None

    @property
    def days(self) -> float:
        if self.first_ts is None or self.last_ts is None:
            return 0.0
        return max(1.0, (self.last_ts - self.first_ts) / 86400)


def read_shoppers(
    log: TurnStore,
    since: float | None = None,
    until: float | None = None,
    include_traffic: frozenset[str] = frozenset(),
) -> Shoppers:
    """Every conversation's last stated needs, as distinct profiles (one pass, bounded memory:
    conversations with equal stored needs share one copy; a profile keeps QUOTES texts)."""
    excluded = {c for c, k in log.tagged_traffic().items() if k not in include_traffic}
    fast = getattr(log, "iter_stated_needs", None)
    rows = fast(since, until) if fast is not None else _rows(log, since, until)
    last: dict[str, tuple[Any, str]] = {}  # conversation -> (its needs as read, the words)
    last_ts_of: dict[str, float] = {}
    shared: dict[Any, Any] = {}  # stored needs -> needs, decoded once
    turns, first_ts, last_ts = 0, None, None
    collecting = gc.isenabled()
    gc.disable()  # as the miners do (analysis.opportunities, PAUSED_GC)
    try:
        for cid, role, ts, text, stored in rows:
            if cid in excluded:
                continue
            turns += 1
            if first_ts is None:
                first_ts = ts
            last_ts = ts
            if role != "shopper":
                continue
            last_ts_of[cid] = ts
            if not stored or stored in EMPTY:
                continue
            before = last.get(cid)
            if before is not None and before[0] == stored:
                continue
            needs = shared.get(stored, MISSING)
            if needs is MISSING:  # each distinct stored needs decoded once
                needs = shared[stored] = _needs(stored)
            if before is not None and needs == shared[before[0]]:
                continue  # the same needs written in another order
            last[cid] = (stored, text if text and len(text.split()) >= MIN_QUOTE_WORDS else "")
    finally:
        if collecting:
            gc.enable()
    by_stored: dict[Any, Profile | None] = {}
    profiles: dict[str, Profile] = {}
    for cid, (stored, text) in last.items():
        profile = by_stored.get(stored, MISSING)
        if profile is MISSING:
            needs = shared[stored]
            profile = None
            if needs:
                key = needs_key(needs)
                profile = profiles.get(key)
                if profile is None:
                    profile = profiles[key] = Profile(needs)
            by_stored[stored] = profile
        if profile is None:
            continue
        profile.shoppers += 1
        profile.members.append(cid)
        profile.days[int(last_ts_of[cid] // 86400)] += 1
        if text and len(profile.quotes) < QUOTES and text not in profile.quotes:
            profile.quotes.append(text)
    shoppers = sum(p.shoppers for p in profiles.values())
    return Shoppers(list(profiles.values()), shoppers, len(last_ts_of), turns, first_ts, last_ts)


EMPTY = frozenset({"{}", "null"})
MISSING = object()


def _needs(stored: Any) -> dict[str, Any] | None:
    """A turn's needs from its stored form (JSON text from the fast path, a dict otherwise)."""
    if isinstance(stored, str):
        try:
            stored = json.loads(stored)
        except ValueError:
            return None
    return stored if isinstance(stored, dict) and stored else None


def _rows(log: TurnStore, since: float | None, until: float | None):
    """iter_turns as (conversation, role, ts, text, needs) rows, needs as canonical JSON text (so
    equal needs compare equal, as the fast path's stored text does)."""
    for turn in log.iter_turns(since=since, until=until):
        needs = turn.get("needs")
        yield (
            turn["conversation_id"],
            turn.get("role", "shopper"),
            turn["ts"],
            turn.get("text") or "",
            needs_key(needs) if needs else None,
        )


@dataclass
class Outcome:
    """What one concept would win among the replayed shoppers."""

    concept: Concept
    shoppers: int
    fits: int = 0  # shoppers it meets every need of
    new_demand: int = 0  # of those, shoppers nothing in the catalog fits today
    taken: int = 0  # of those with matches, shoppers it would rank first for
    taken_from: Counter[str] = field(default_factory=Counter)  # product id -> shoppers
    new_needs: Counter[str] = field(default_factory=Counter)  # unmet combination -> shoppers
    new_quotes: list[str] = field(default_factory=list)

    @property
    def wins(self) -> int:
        return self.new_demand + self.taken


class Replay:
    """Judges concepts against one replayed log; the catalog's own answers are worked out once per
    profile and kept for every concept and variant."""

    def __init__(self, catalog: Catalog, shoppers: Shoppers, check: CatalogCheck | None = None):
        self.catalog = catalog
        self.check = check or CatalogCheck(catalog)
        self.shoppers = shoppers
        self.house_brand = (catalog.category.house_brand or "").lower()
        for profile in shoppers.profiles:
            read_profile(catalog, self.check, profile)
        self._tops: dict[tuple, dict[int, Product]] = {}

    def _with(self, product: Product) -> Catalog:
        return Catalog(
            self.catalog.category, (*self.catalog.products, product), self.catalog.source
        )

    def _top(self, profile: Profile, scoring: Catalog, ranges: tuple, index: int) -> Product:
        """The product the advisor ranks first among the profile's matches, scored in `scoring`
        (knowledge.matching.rank's first: its sort key, the tie-break worked out for ties only)."""
        tops = self._tops.setdefault(ranges, {})
        found = tops.get(index)
        if found is None:
            configured = self.check.configured(profile.configs)
            mask, read = profile.mask, profile.read
            scored = [
                ((*_sort_key(read, p), -round(score(scoring, read, p), 9)), p)
                for i, p in enumerate(configured)
                if mask >> i & 1
            ]
            best = min(key for key, _ in scored)
            tied = [p for key, p in scored if key == best]
            found = tops[index] = min(tied, key=tie_break_key) if len(tied) > 1 else tied[0]
        return found

    def run(self, concept: Concept) -> Outcome:
        product = concept.product
        scoring = self._with(product)
        ranges = tuple(sorted(scoring.value_ranges.items()))
        base_ranges = tuple(sorted(self.catalog.value_ranges.items()))
        outcome = Outcome(concept, self.shoppers.shoppers)
        brand = product.brand.lower()
        configured_by: dict[tuple[str, ...], Product] = {}
        for index, profile in enumerate(self.shoppers.profiles):
            if brand in profile.excluded:
                continue
            configured = configured_by.get(profile.configs)
            if configured is None:
                configured = configured_by[profile.configs] = product.configured(profile.configs)
            values = configured.values
            if any(shortfall(op, value, values.get(a)) for op, value, a in profile.checks):
                continue
            read = profile.read
            outcome.fits += profile.shoppers
            if not profile.mask:
                outcome.new_demand += profile.shoppers
                for conflict in self.check.conflicts(profile.needs)[:1]:
                    outcome.new_needs[conflict.label] += profile.shoppers
                for quote in profile.quotes:
                    if len(outcome.new_quotes) < 2 * QUOTES and quote not in outcome.new_quotes:
                        outcome.new_quotes.append(quote)
                continue
            top = self._top(profile, scoring, ranges, index)
            if _key(scoring, read, configured) < _key(scoring, read, top):
                outcome.taken += profile.shoppers
                shown = (
                    top
                    if ranges == base_ranges
                    else self._top(profile, self.catalog, base_ranges, index)
                )
                outcome.taken_from[shown.id] += profile.shoppers
        return outcome

    def own(self, outcome: Outcome) -> tuple[int, int, int]:
        """(shoppers taken from the deployer's own brand, from other brands, from the product the
        concept changes): shoppers who move from a product to its changed self are won from
        nobody, so they are neither cannibalisation nor conquest."""
        base = outcome.concept.base
        changed = outcome.taken_from.get(base, 0) if base else 0
        own = sum(
            n
            for pid, n in outcome.taken_from.items()
            if pid != base and self.catalog.by_id[pid].brand.lower() == self.house_brand
        )
        return own, outcome.taken - own - changed, changed


def read_profile(catalog: Catalog, check: CatalogCheck, profile: Profile) -> None:
    """Read a profile's needs once: the constraints, configurations, brands ruled out and the
    catalog's matches (a bit mask), for every concept judged against it."""
    needs = catalog.category.needs
    profile.read = read = _readable(catalog, check, profile.needs)
    profile.configs = wanted_configurations(catalog, read)
    profile.mask = check.needs_mask(profile.needs)
    profile.excluded = frozenset(b.lower() for b in read.excluded_brands)
    profile.checks = tuple(
        (needs[c.need].op, c.value, needs[c.need].attribute) for c in read.constraints
    )


PROFILE_KEYS = ("priorities", "excluded_brands", "sort", "hints")


def _readable(catalog: Catalog, check: CatalogCheck, needs: dict[str, Any]) -> NeedsProfile:
    """analysis.unmet.readable_profile, each (need, value) read once per check (a test holds the
    two to the same profiles)."""
    memo = check.__dict__.setdefault("_replay_constraints", {})
    category = catalog.category
    constraints = []
    clean = True  # readable_profile keeps the order asked for only when every need reads
    for name, value in needs.items():
        if name in PROFILE_KEYS:
            continue
        try:
            key = (name, tuple(value) if type(value) is list else value)
            found = memo.get(key, MISSING)
        except TypeError:
            clean = False
            continue
        if found is MISSING:
            try:
                found = make_constraint(category, name, value)
            except (NeedsError, TypeError, ValueError, KeyError):
                found = None
            memo[key] = found
        if found is not None:
            constraints.append(found)
        else:
            clean = False
    asked = needs.get("priorities") or ()
    priorities = tuple(dict.fromkeys(p for p in asked if p in category.priorities))
    order = None
    if clean and len(set(priorities)) == len(set(asked)):
        try:
            order = check_sort(category, needs.get("sort"))
        except NeedsError:
            order = None
    brands = tuple(str(b) for b in needs.get("excluded_brands") or ())
    return NeedsProfile(tuple(constraints), priorities, brands, order)


def _key(catalog: Catalog, profile: NeedsProfile, product: Product) -> tuple:
    """knowledge.matching.rank's sort key of one product."""
    return (
        *_sort_key(profile, product),
        -round(score(catalog, profile, product), 9),
        tie_break_key(product),
    )
