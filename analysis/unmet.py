"""Structured unmet needs: conversations whose stated needs no product in the current catalog meets.

Per conversation, the needs the shopper stated (the `needs` of their latest turn that had any, read
with NeedsProfile.from_dict) are checked against the catalog as it stands now, by the rule
knowledge.matching.recommend applies: a product fits when knowledge.constraints.check passes every
hard need and its brand is not excluded. Each distinct need value is checked against every product
once and kept as a bit mask, so a verdict is a few AND operations (a test proves it agrees with
recommend); its nearest misses (as knowledge.matching.nothing_fits orders them) are each group's nearest
products, with what each misses.

An unmet conversation is grouped by each *minimal* combination of its needs that no product meets
together: needs that take no part in the conflict are dropped; a brand exclusion counts as a need
when it is part of it. A profile that conflicts in several ways counts toward each conflict (at most
MAX_CONFLICTS, smallest first). Numbers are bucketed into readable levels ("at most $42,500" and
"$44,000" are both "under $45k"): the step is a round number (1, 2 or 5 x 10^n) near a tenth of the
span of the attribute's values in the catalog (seats 1, mpg 5, range 50 mi, towing 1,000 lb, price
$5k); a maximum is rounded up to the step and a minimum down, so the level stays true to the ask.

The check is memoised per distinct needs profile. While the log streams by, a conversation keeps only
its latest needs, its first and last timestamps and the texts of its last few need-stating turns.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from analysis.need_levels import EXCLUDED_BRANDS, Level, NeedLevels
from analysis.need_masks import SortedValues, shortfall
from knowledge.catalog import Catalog, Product
from knowledge.constraints import failures
from knowledge.errors import NeedsError
from knowledge.matching import NearMiss, candidates, configurations, tie_break_key
from knowledge.needs import Constraint, NeedsProfile, make_constraint

MAX_CONFLICTS = 3  # conflicts reported per profile, smallest first
NEAREST = 3  # nearest products shown per unmet combination
QUOTES_PER_CONVERSATION = 4  # need-stating turns a conversation remembers
QUOTES = 3  # representative quotes per group
NO_NEEDS: dict[
    str, Any
] = {}  # shared by every conversation that has stated nothing yet; never mutated
DAY = 86400


@dataclass(frozen=True)
class Conflict:
    """A minimal set of stated needs that no product meets together, and how far the catalog is."""

    constraints: tuple[Constraint, ...]
    excluded_brands: tuple[str, ...]
    levels: tuple[Level, ...]  # in label order
    gap: float  # the smallest total shortfall of any product (see CatalogCheck.gap)
    key: str = field(init=False)  # the levels' keys: shoppers with equal keys are one group
    label: str = field(init=False)  # "pickup + electric + under $45k"
    needs: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", " + ".join(level.key for level in self.levels))
        object.__setattr__(self, "label", " + ".join(level.label for level in self.levels))
        object.__setattr__(self, "needs", frozenset(level.need for level in self.levels))

    def profile(self) -> NeedsProfile:
        return NeedsProfile(self.constraints, (), self.excluded_brands)


def readable_profile(catalog: Catalog, needs: dict[str, Any]) -> NeedsProfile:
    """NeedsProfile.from_dict of the logged needs, dropping what the current catalog cannot read."""
    try:
        return NeedsProfile.from_dict(catalog.category, needs)
    except (NeedsError, TypeError, ValueError, KeyError):
        readable = {}
        for name, value in needs.items():
            try:
                readable[name] = make_constraint(catalog.category, name, value).value
            except (NeedsError, TypeError, ValueError, KeyError):
                continue
        known = [p for p in needs.get("priorities") or () if p in catalog.category.priorities]
        brands = [str(b) for b in needs.get(EXCLUDED_BRANDS) or ()]
        return NeedsProfile.from_dict(
            catalog.category, {**readable, "priorities": known, EXCLUDED_BRANDS: brands}
        )


def needs_key(needs: dict[str, Any]) -> str:
    """A canonical text for a needs dict: equal needs, equal keys, whatever the order."""
    return json.dumps(needs, sort_keys=True, separators=(",", ":"), default=str)


class CatalogCheck:
    """Whether a stated profile can be met by the current catalog, memoised per distinct profile."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.levels = NeedLevels(catalog)
        self._everything = (1 << len(catalog.products)) - 1
        self._conflicts: dict[str, tuple[Conflict, ...]] = {}
        self._masks: dict[tuple[str, Any], int] = {}
        self._shortfalls: dict[tuple[str, Any], list[float]] = {}
        self._sorted_values: dict[tuple[str, tuple[str, ...]], SortedValues] = {}
        self._item_masks: dict[tuple[str, Any], int] = {}
        self._missing_masks: dict[tuple[str, tuple[str, ...]], int] = {}
        self._nearest: dict[Conflict, tuple[dict[str, Any], ...]] = {}
        self._configured: dict[tuple[str, ...], tuple[Product, ...]] = {}

    def conflicts(self, needs: dict[str, Any]) -> tuple[Conflict, ...]:
        """() when some product meets every stated need, else the minimal conflicts."""
        key = needs_key(needs)
        found = self._conflicts.get(key)
        if found is None:
            found = self._conflicts[key] = self._check(json.loads(key))
        return found

    @property
    def profiles_checked(self) -> int:
        return len(self._conflicts)

    def _check(self, needs: dict[str, Any]) -> tuple[Conflict, ...]:
        if self.needs_mask(needs):
            return ()
        return self._minimal_conflicts(readable_profile(self.catalog, needs))

    def needs_mask(self, needs: dict[str, Any]) -> int:
        """Bit i set when product i meets every need in `needs` and is not of an excluded brand
        (the products knowledge.matching.eligible returns for readable_profile(needs)). Each
        (need, value) is read and checked once; then a profile is a few look-ups and ANDs."""
        mask, masks = self._everything, self._item_masks
        try:
            configs = configurations(self.catalog.category, needs.items())
        except TypeError:  # an unreadable configuration need: judged on headline figures
            configs = ()
        for name, value in needs.items():
            key = (name, tuple(value) if type(value) is list else value, configs)
            try:
                bits = masks.get(key)
            except TypeError:  # an unhashable value: not a need this catalog can read
                continue
            if bits is None:
                bits = masks[key] = self._item_mask(name, value, configs)
            mask &= bits
        return mask

    def figure_gaps(self, needs: dict[str, Any]) -> tuple[int, dict[str, int]]:
        """(bit i set when product i meets every need in `needs` it has a figure for, and is not
        of an excluded brand; {attribute of a stated need: bit i set when product i has no
        figure for it}). Products in the first mask but not in needs_mask might fit: they are
        kept out of the matches only by a figure not on file."""
        mask, missing = self.needs_mask(needs), {}
        possible, category = self._everything, self.catalog.category
        try:
            configs = configurations(category, needs.items())
        except TypeError:
            configs = ()
        for name, value in needs.items():
            key = (name, tuple(value) if type(value) is list else value, configs)
            try:
                bits = self._item_masks.get(key)
            except TypeError:
                continue
            if bits is None:
                continue  # needs_mask has read every need it could
            spec = category.needs.get(name)
            if spec is not None:
                gap = missing[spec.attribute] = self._missing_bits(spec.attribute, configs)
                bits |= gap
            possible &= bits
        return possible | mask, missing

    def _missing_bits(self, attribute: str, configs: tuple[str, ...]) -> int:
        """Bit i set when product i could have a figure for `attribute` but has none on file."""
        key = (attribute, configs)
        if key not in self._missing_masks:
            declared = self.catalog.category.attributes[attribute]
            self._missing_masks[key] = sum(
                1 << i
                for i, product in enumerate(self.configured(configs))
                if product.value(attribute) is None and declared.applies_to(product.values)
            )
        return self._missing_masks[key]

    def _item_mask(self, name: str, value: Any, configs: tuple[str, ...] = ()) -> int:
        if name == "priorities":
            return self._everything
        if name == EXCLUDED_BRANDS:
            return self._brand_mask(tuple(str(b) for b in value or ()))
        try:
            return self._mask(make_constraint(self.catalog.category, name, value), configs)
        except (NeedsError, TypeError, ValueError, KeyError):
            return self._everything  # a need the current catalog does not know: dropped

    def _mask(self, constraint: Constraint, configs: tuple[str, ...] = ()) -> int:
        """Bit i set when product i meets `constraint`, judged on the figures of `configs` (the
        configurations the profile requires, as knowledge.matching does); computed once per
        need, value and configs. A number need is a bisection into the products sorted by the
        attribute's value, so a new budget costs a look-up, not a pass over the catalog."""
        key = (constraint.need, constraint.value, configs)
        mask = self._masks.get(key)
        if mask is None:
            spec = self.catalog.category.needs[constraint.need]
            if spec.op in ("max", "min") and isinstance(constraint.value, int | float):
                mask = self._sorted(spec.attribute, configs).meeting(spec.op, constraint.value)
            else:
                mask = sum(
                    1 << i
                    for i, p in enumerate(self.configured(configs))
                    if not shortfall(spec.op, constraint.value, p.value(spec.attribute))
                )
            self._masks[key] = mask
        return mask

    def shortfalls(self, constraint: Constraint, configs: tuple[str, ...] = ()) -> list[float]:
        """Each product's shortfall on `constraint` (see gap), computed once per need value."""
        key = (constraint.need, constraint.value, configs)
        found = self._shortfalls.get(key)
        if found is None:
            spec = self.catalog.category.needs[constraint.need]
            found = self._shortfalls[key] = [
                min(1.0, shortfall(spec.op, constraint.value, p.value(spec.attribute)))
                for p in self.configured(configs)
            ]
        return found

    def _sorted(self, attribute: str, configs: tuple[str, ...]) -> SortedValues:
        key = (attribute, configs)
        found = self._sorted_values.get(key)
        if found is None:
            values = [p.value(attribute) for p in self.configured(configs)]
            found = self._sorted_values[key] = SortedValues(values)
        return found

    def configured(self, configs: tuple[str, ...]) -> tuple[Product, ...]:
        """The products with the figures of `configs` (Product.configured), made once per configs."""
        found = self._configured.get(configs)
        if found is None:
            found = self._configured[configs] = tuple(
                p.configured(configs) for p in self.catalog.products
            )
        return found

    @cached_property
    def brand_masks(self) -> dict[str, int]:
        """Bit i set in brand B's mask when product i is of brand B."""
        masks: dict[str, int] = {}
        for i, product in enumerate(self.catalog.products):
            masks[product.brand] = masks.get(product.brand, 0) | 1 << i
        return masks

    def _brand_mask(self, excluded: tuple[str, ...]) -> int:
        """Bit i set when product i is not of an `excluded` brand."""
        names = {b.lower() for b in excluded}
        out = sum(mask for brand, mask in self.brand_masks.items() if brand.lower() in names)
        return self._everything & ~out

    def _minimal_conflicts(self, profile: NeedsProfile) -> tuple[Conflict, ...]:
        """The smallest subsets of the profile's needs (with its brand exclusion as one more need)
        that no product meets, found by trying subsets in order of size."""
        category = self.catalog.category
        configs = configurations(category, [(c.need, c.value) for c in profile.constraints])
        # (constraint, its mask on headline figures, its mask on the required configurations,
        # whether it is itself a configuration need): a subset is judged on the configurations
        # only when it holds the need that requires them.
        parts: list[tuple[Constraint | None, int, int, bool]] = [
            (
                c,
                self._mask(c),
                self._mask(c, configs),
                bool(configurations(category, [(c.need, c.value)])),
            )
            for c in profile.constraints
        ]
        if profile.excluded_brands:
            brands = self._brand_mask(profile.excluded_brands)
            parts.append((None, brands, brands, False))
        found: list[frozenset[int]] = []
        for size in range(1, len(parts) + 1):
            for combo in itertools.combinations(range(len(parts)), size):
                chosen = frozenset(combo)
                if any(f <= chosen for f in found):
                    continue
                mask = self._everything
                configured = any(parts[i][3] for i in combo)
                for i in combo:
                    mask &= parts[i][2 if configured else 1]
                if not mask:
                    found.append(chosen)
            if len(found) >= MAX_CONFLICTS:
                break
        conflicts = []
        for combo in found[:MAX_CONFLICTS]:
            constraints = tuple(parts[i][0] for i in sorted(combo) if parts[i][0] is not None)
            excluded = profile.excluded_brands if any(parts[i][0] is None for i in combo) else ()
            conflicts.append(self._conflict(constraints, excluded))
        return tuple(conflicts)

    def _conflict(self, constraints: tuple[Constraint, ...], excluded: tuple[str, ...]) -> Conflict:
        levels = [self.levels.level(c) for c in constraints]
        if excluded:
            levels.append(self.levels.exclusion(excluded))
        levels.sort(key=lambda level: level.order)
        return Conflict(constraints, excluded, tuple(levels), self.gap(constraints, excluded))

    def gap(self, constraints: tuple[Constraint, ...], excluded: tuple[str, ...] = ()) -> float:
        """The smallest, over all products, total shortfall on `constraints`: each failed need adds
        its shortfall as a share of what was asked, capped at 1 (a missed category, a missing
        figure or an excluded brand adds 1)."""
        names = {b.lower() for b in excluded}
        vectors = [[float(p.brand.lower() in names) for p in self.catalog.products]]
        configs = configurations(self.catalog.category, [(c.need, c.value) for c in constraints])
        for constraint in constraints:
            vectors.append(self.shortfalls(constraint, configs))
        return min(map(sum, zip(*vectors, strict=True)), default=0.0)

    def nearest(self, conflict: Conflict) -> tuple[dict[str, Any], ...]:
        """The nearest products to meeting the conflict's needs, with what each misses."""
        found = self._nearest.get(conflict)
        if found is None:
            # the nearest misses as knowledge.matching.nothing_fits orders them (without the
            # relaxations it also counts, which cost an eligibility pass per need)
            profile, category = conflict.profile(), self.catalog.category
            misses = sorted(
                (
                    NearMiss(p, tuple(failures(category, profile.constraints, p)))
                    for p in candidates(self.catalog, profile)
                ),
                key=lambda m: (m.distance, tie_break_key(m.product)),
            )[:NEAREST]
            found = tuple(
                dict(id=m.product.id, name=m.product.full_name, misses=[f.text for f in m.failures])
                for m in misses
            )
            self._nearest[conflict] = found
        return found


class _Conversation:
    __slots__ = ("cid", "first_ts", "last_ts", "needs", "quotes")

    def __init__(self, cid: str, ts: float) -> None:
        self.cid = cid
        self.first_ts = ts
        self.last_ts = ts
        self.needs: dict[str, Any] = NO_NEEDS
        self.quotes: list[tuple[float, str, dict[str, Any], dict[str, Any]]] = []


@dataclass
class UnmetGroup:
    """Everything the miner knows about one unmet combination."""

    key: str
    label: str
    levels: tuple[str, ...]
    shoppers: int = 0
    first_seen: float = math.inf
    last_seen: float = -math.inf
    days: Counter[int] = field(default_factory=Counter)  # shoppers by UTC day of their last turn
    gap_total: float = 0.0
    conflicts: Counter[Conflict] = field(default_factory=Counter)
    candidates: list[tuple[int, float, str]] = field(default_factory=list)
    members: list[tuple[float, str]] = field(default_factory=list)  # (last turn, conversation)

    @property
    def gap(self) -> float:
        return self.gap_total / self.shoppers if self.shoppers else 0.0

    def add(self, conversation: _Conversation, conflict: Conflict) -> None:
        self.shoppers += 1
        self.first_seen = min(self.first_seen, conversation.first_ts)
        self.last_seen = max(self.last_seen, conversation.last_ts)
        self.days[int(conversation.last_ts // DAY)] += 1
        self.gap_total += conflict.gap
        self.conflicts[conflict] += 1
        self.members.append((conversation.last_ts, conversation.cid))
        for ts, text, before, after in conversation.quotes:
            stated = [k for k, v in after.items() if k in conflict.needs and before.get(k) != v]
            if stated and text.strip():
                self.candidates.append((-len(stated), ts, text))
        if len(self.candidates) > 60:
            self.candidates = sorted(self.candidates)[:20]

    @property
    def quotes(self) -> tuple[str, ...]:
        """Up to QUOTES distinct texts, those naming the most conflicting needs first."""
        chosen: dict[str, str] = {}
        for _, _, text in sorted(self.candidates):
            chosen.setdefault(" ".join(text.lower().split()), text)
            if len(chosen) == QUOTES:
                break
        return tuple(chosen.values())

    @property
    def conversations(self) -> tuple[str, ...]:
        """The shoppers' conversations, the latest first."""
        return tuple(cid for _, cid in sorted(self.members, key=lambda m: (-m[0], m[1])))

    def representative(self) -> Conflict:
        """The exact conflict most shoppers in the group stated (ties: the smallest key)."""
        ranked = sorted(self.conflicts.items(), key=lambda c: (-c[1], repr(c[0].constraints)))
        return ranked[0][0]


class UnmetNeedMiner:
    """Feed it turns in time order with add(); groups() then returns the unmet combinations.

    A million turns keep little more than a few quotes per conversation."""

    def __init__(self, catalog: Catalog, check: CatalogCheck | None = None) -> None:
        self.check = check or CatalogCheck(catalog)
        self.conversations: dict[str, _Conversation] = {}
        self.unmet_conversations = 0
        self._needs: dict[tuple, dict[str, Any]] = {}

    @property
    def shoppers(self) -> int:
        return len(self.conversations)

    def add(self, turn: dict[str, Any]) -> None:
        if turn.get("role", "shopper") != "shopper":
            return
        ts = turn["ts"]
        conversation = self.conversations.get(turn["conversation_id"])
        if conversation is None:
            conversation = self.conversations[turn["conversation_id"]] = _Conversation(
                turn["conversation_id"], ts
            )
        conversation.last_ts = ts
        needs = turn.get("needs")
        if not needs or needs == conversation.needs:
            return
        try:  # conversations with equal needs share one dict
            key = tuple((k, tuple(v) if type(v) is list else v) for k, v in needs.items())
            needs = self._needs.setdefault(key, needs)
        except TypeError:
            pass
        before, conversation.needs = conversation.needs, needs
        text = turn.get("text")
        if text and not turn.get("initiative"):  # never quote a reply, payload or quick reply
            # which needs it stated is worked out for unmet conversations only
            conversation.quotes.append((ts, text, before, needs))
            if len(conversation.quotes) > QUOTES_PER_CONVERSATION:
                del conversation.quotes[0]

    def groups(self) -> list[UnmetGroup]:
        """One group per unmet combination, with shoppers, timing and quotes (the nearest products
        come from self.check.nearest(group.representative()), for the groups one reports)."""
        groups: dict[str, UnmetGroup] = {}
        self.unmet_conversations = 0
        for conversation in self.conversations.values():
            if not conversation.needs or self.check.needs_mask(conversation.needs):
                continue
            conflicts = self.check.conflicts(conversation.needs)
            self.unmet_conversations += bool(conflicts)
            for conflict in conflicts:
                group = groups.get(conflict.key)
                if group is None:
                    labels = tuple(level.label for level in conflict.levels)
                    group = groups[conflict.key] = UnmetGroup(conflict.key, conflict.label, labels)
                group.add(conversation, conflict)
        return list(groups.values())
