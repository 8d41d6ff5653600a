"""Synthetic conversations in the turn log's format, to prove the miners right and fast.

A seeded generator writes conversations through TurnStore.write_turns, mixing:
- planted unmet needs: shoppers stating a combination no product meets (PlantedNeed), some adding
  needs that take no part in the conflict, over one to three turns;
- planted segments (PlantedSegment, only when given): shoppers whose similar needs span several
  need levels and whom one change to one product would serve (what the need clusters and the
  concept test must find); which conversations belong to which planted need or segment is kept in
  SimulationTruth.members, which no miner reads;
- planted feature requests: satisfied shoppers asking for something the catalog has no attribute
  for (PlantedFeature), in several wordings;
- satisfied shoppers whose needs are derived from a real product (so something always fits), some of
  whom first ask for too low a budget and then relax it;
- noise: greetings, chit-chat and gibberish (fallback turns, a handoff to staff now and then),
  one-off feature wishes, a few random need profiles, e-mail addresses and phone numbers;
- around them, from a second random stream (ops.simulated_extras): the interview's questions and
  the replies to them, questions about one product, comparisons naming a model the catalog
  lacks, and handoffs that staff claim and close, then a rating now and then. Handoffs go to the
  support queue when simulate() is given one.
Recommendations and nearest misses are what knowledge.matching.recommend gives. The same seed gives
the same log. `advisor simulate` marks the log as sample data (TurnStore.mark_sample).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from analysis.unmet import CatalogCheck, needs_key, readable_profile
from knowledge.catalog import Catalog, Product
from knowledge.constraints import failures
from knowledge.matching import Advice, Match, NearMiss, NothingFits, candidates, rank, tie_break_key
from ops.scenario import (
    CHATTER,
    DESCRIBED,
    FEATURE_TEMPLATES,
    MISSING_MODELS,
    NOISE_ADJECTIVES,
    NOISE_NOUNS,
    STATEMENTS,
    VEHICLE_FEATURES,
    VEHICLE_NEEDS,
    PlantedFeature,
    PlantedNeed,
    PlantedSegment,
    _draw,
    describe,
)
from ops.simulated_extras import with_added_turns
from stores.interface import HandoffStore, RatingStore, TurnStore

DEFAULT_START = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
DAY = 86400


@dataclass
class SimulationTruth:
    conversations: int = 0
    turns: int = 0
    planted_needs: Counter[str] = field(default_factory=Counter)  # label -> conversations
    planted_features: Counter[str] = field(default_factory=Counter)  # phrase -> conversations
    planted_segments: Counter[str] = field(default_factory=Counter)  # label -> conversations
    # label of a planted need or segment -> its conversations (what clustering must recover)
    members: dict[str, list[str]] = field(default_factory=dict)
    # (conversation, created, claimed, closed, staff, (score, comment) or None) of each handoff
    # staff took and closed
    handoffs: list[tuple[str, float, float, float, str, tuple[int, str] | None]] = field(
        default_factory=list
    )


class Simulator:
    def __init__(
        self,
        catalog: Catalog,
        seed: int = 7,
        start: datetime = DEFAULT_START,
        weeks: int = 8,
        planted_needs: tuple[PlantedNeed, ...] = VEHICLE_NEEDS,
        planted_features: tuple[PlantedFeature, ...] = VEHICLE_FEATURES,
        planted_segments: tuple[PlantedSegment, ...] = (),
    ) -> None:
        self.catalog = catalog
        self.rng = random.Random(seed)
        self.more = random.Random(seed * 7919 + 1)  # the added turns' own stream
        self.missing_models = [m for m in MISSING_MODELS if not _known(catalog, m)]
        self.seed = seed
        self.start = start.timestamp()
        self.weeks = weeks
        self.planted_needs = planted_needs
        self.planted_features = planted_features
        self.planted_segments = planted_segments
        self.truth = SimulationTruth()
        self._advice_by_needs: dict[str, Advice] = {}
        self.check = CatalogCheck(catalog)

    # -- conversations -------------------------------------------------------------------------

    def turns(self, conversations: int | None = None, turns: int | None = None) -> Iterator[dict]:
        """Turn dicts for `conversations` conversations, or until `turns` turns are made."""
        index = 0
        while (conversations is None or index < conversations) and (
            turns is None or self.truth.turns < turns
        ):
            made = self._conversation(index)
            if turns is not None:
                made = made[: turns - self.truth.turns]
            self.truth.conversations += 1
            self.truth.turns += len(made)
            yield from made
            index += 1

    def _conversation(self, index: int) -> list[dict[str, Any]]:
        rng = self.rng
        roll = rng.random()
        growth = 0.0
        script: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
        if rng.random() < 0.5:
            script.append(("hi", None, {"intent": "greet"}))
        for planted in (*self.planted_needs, *self.planted_segments):
            if roll < planted.weight:
                growth = planted.growth
                planted_kind = (
                    self.truth.planted_segments
                    if isinstance(planted, PlantedSegment)
                    else self.truth.planted_needs
                )
                planted_kind[planted.label] += 1
                self.truth.members.setdefault(planted.label, []).append(
                    f"sim{self.seed}-{index:07d}"
                )
                script += self._planted_need(planted)
                break
            roll -= planted.weight
        else:
            if roll < 0.06:
                script += self._chatter()
            elif roll < 0.075:
                script += self._random_needs()
            else:
                script += self._satisfied(relax=roll < 0.16)
                script += self._feature_request()
            if rng.random() < 0.3:
                script.append(("thanks!", None, {"intent": "thank"}))
        return self._turns(index, self._more(script), self._start_ts(growth))

    def _more(self, script):
        """The script with the added turns of ops.simulated_extras."""
        return with_added_turns(self, script)

    def _start_ts(self, growth: float) -> float:
        rng = self.rng
        while True:
            week = rng.randrange(self.weeks)
            position = week / (self.weeks - 1) - 0.5 if self.weeks > 1 else 0.0
            if rng.random() * 2 <= 1 + growth * position * 2:
                break
        return self.start + (week * 7 + rng.random() * 7) * DAY

    def _statement(self, needs: dict[str, Any]) -> str:
        needs, parts = dict(needs), []
        if "body" in needs and "powertrain" in needs:
            noun = describe("body", needs.pop("body"), self.rng)[2:]
            adjective = describe("powertrain", needs.pop("powertrain"), self.rng)
            parts.append(f"{'an' if adjective[0] in 'aeiou' else 'a'} {adjective} {noun}")
        parts += [describe(k, v, self.rng) for k, v in needs.items()]
        text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        return self.rng.choice(STATEMENTS).format(x=text)

    def _stated(self, needs: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """The needs stated over one to three turns, each turn adding some."""
        items = list(needs.items())
        self.rng.shuffle(items)
        cuts = sorted(self.rng.sample(range(1, len(items)), min(len(items) - 1, 2)))
        chunks = [items[a:b] for a, b in zip([0, *cuts], [*cuts, len(items)], strict=True)]
        script, so_far = [], {}
        for chunk in chunks:
            so_far = {**so_far, **dict(chunk)}
            script.append((self._statement(dict(chunk)), dict(so_far), {"intent": "state_needs"}))
        return script

    def _planted_need(self, planted: PlantedNeed):
        needs = {k: _draw(self.rng, v) for k, v in planted.needs.items()}
        for name, value in planted.extras.items():
            if self.rng.random() < 0.5:
                needs[name] = _draw(self.rng, value)
        script = self._stated(needs)
        if self.rng.random() < 0.5:
            script.append(("what would you suggest then?", script[-1][1], {"intent": "ask_advice"}))
        return script

    def _from_product(self, product: Product) -> dict[str, Any]:
        """Needs `product` meets, as a shopper who would be happy with it might state them."""
        rng, values, needs = self.rng, product.values, {}
        category = self.catalog.category
        for name, spec in category.needs.items():
            value = values.get(spec.attribute)
            if value is None or rng.random() > (0.9 if spec.op in ("in", "max") else 0.25):
                continue
            if spec.op == "max":
                needs[name] = int(math.ceil(value / 1000) * 1000 + rng.choice((0, 1000, 3000)))
            elif spec.op == "min":
                needs[name] = int(value)
            elif spec.fixed and set(spec.fixed) & set(value if isinstance(value, tuple) else ()):
                needs[name] = True
            elif spec.op == "in" and not spec.fixed:
                needs[name] = [value]
        if rng.random() < 0.1:
            others = [b for b in self.catalog.brands if b != product.brand]
            needs["excluded_brands"] = [rng.choice(others)]
        return needs

    def _satisfied(self, relax: bool):
        """A shopper something fits; with `relax`, one who first asks for too low a budget."""
        needs = self._from_product(self.rng.choice(self.catalog.products))
        if not needs:
            return [("just browsing", None, {"intent": "browse"})]
        if relax and "budget" in needs:
            low = int(needs["budget"] * 0.55 // 1000 * 1000)
            script = self._stated({**needs, "budget": low})
            script.append((f"ok, I can go up to ${needs['budget']:,}", dict(needs), {}))
        else:
            script = self._stated(needs)
        if self.rng.random() < 0.3:
            script.append(("compare the first two", needs, {"intent": "compare", "compare": True}))
        return script

    def _feature_request(self):
        rng = self.rng
        roll = rng.random()
        for feature in self.planted_features:
            if roll < feature.weight:
                self.truth.planted_features[feature.phrase] += 1
                wording = feature.phrase
                if feature.variants and rng.random() < 1 / 3:
                    wording = rng.choice(feature.variants)
                text = rng.choice(feature.templates or FEATURE_TEMPLATES).format(p=wording)
                return [(text, None, {"intent": "ask_feature", "fallback": rng.random() < 0.5})]
            roll -= feature.weight
        if roll < 0.02:
            wish = f"a {rng.choice(NOISE_ADJECTIVES)} {rng.choice(NOISE_NOUNS)}"
            text = rng.choice(FEATURE_TEMPLATES).format(p=wish)
            return [(text, None, {"intent": "nlu_fallback", "fallback": True})]
        return []

    def _chatter(self):
        rng = self.rng
        script = []
        for _ in range(rng.randint(1, 3)):
            text, intent, fallback = rng.choice(CHATTER)
            script.append((text, None, {"intent": intent, "fallback": fallback}))
        if rng.random() < 0.2:
            email = f"shopper{rng.randint(1, 9999)}@example.com"
            phone = f"555-201-{rng.randint(1000, 9999)}"
            script.append((f"my email is {email}, call me at {phone}", None, {}))
        if rng.random() < 0.1:
            script.append(
                ("Hi, this is Sam from the store. How can I help?", None, {"staff": True})
            )
        return script

    def _random_needs(self):
        rng, category = self.rng, self.catalog.category
        needs = {}
        described = sorted(n for n in category.needs if n in DESCRIBED) or sorted(category.needs)
        for name in rng.sample(described, 3):
            spec = category.needs[name]
            attribute = category.attributes[spec.attribute]
            if spec.op in ("max", "min"):
                low, high = self.catalog.value_ranges.get(spec.attribute, (1, 10))
                needs[name] = int(rng.uniform(low, high))
            elif spec.fixed:
                needs[name] = True
            else:
                needs[name] = [rng.choice(attribute.values)]
        return self._stated(needs)

    # -- turn dicts ----------------------------------------------------------------------------

    def _advice(self, needs: dict[str, Any]) -> Advice:
        """What knowledge.matching.recommend would answer, built from its parts for speed: the top
        3 of rank() over the eligible products (found with the miner's bit masks), or the nearest
        misses in recommend's order."""
        key = needs_key(needs)
        found = self._advice_by_needs.get(key)
        if found is None:
            profile = readable_profile(self.catalog, needs)
            mask = self.check.needs_mask(needs)
            if mask:
                products = [p for i, p in enumerate(self.catalog.products) if mask >> i & 1]
                ranked = rank(self.catalog, profile, products)
                matches = tuple(Match(p, score, ()) for p, score in ranked[:3])
                found = Advice(profile, matches, len(products))
            else:  # the nearest misses as recommend orders them (relaxations are not logged)
                category = self.catalog.category
                misses = [
                    NearMiss(p, tuple(failures(category, profile.constraints, p)))
                    for p in candidates(self.catalog, profile)
                ]
                misses.sort(key=lambda m: (m.distance, tie_break_key(m.product)))
                found = Advice(profile, (), 0, NothingFits(profile, tuple(misses[:3]), ()))
            self._advice_by_needs[key] = found
        return found

    def _turns(self, index: int, script, ts: float) -> list[dict[str, Any]]:
        conversation_id = f"sim{self.seed}-{index:07d}"
        channel = self.rng.choice(("rest", "socketio"))
        out, needs, handed_off = [], {}, False
        handoff_ts = None
        for number, (text, new_needs, extra) in enumerate(script, 1):
            if extra.get("added"):
                ts = max(ts, (handoff_ts or ts) + extra.get("after", 0)) + self.more.uniform(5, 90)
            else:
                ts += self.rng.uniform(5, 90)
            staff = extra.get("staff", False)
            turn = {
                "conversation_id": conversation_id,
                "message_id": f"staff-{conversation_id}-{number}" if staff else f"{index}-{number}",
                "turn": number,
                "role": "staff" if staff else "shopper",
                "ts": ts,
                "channel": channel,
                "text": text,
                "intent": None if staff else extra.get("intent", "inform"),
                "confidence": None
                if staff
                else round((self.more if extra.get("added") else self.rng).uniform(0.3, 0.99), 3),
                "fallback": extra.get("fallback", False),
                "handoff": extra.get("intent") == "human_handoff",
                "paused": handed_off,
            }
            if turn["handoff"] and handoff_ts is None:
                handoff_ts = ts
            if staff and "handoff_ends" in extra and handoff_ts is not None:
                self.truth.handoffs.append(
                    (conversation_id, handoff_ts, ts, handoff_ts + extra["handoff_ends"],
                     extra["staff_name"], extra.get("rating"))
                )  # fmt: skip
            # paused from the handoff until staff close it
            handed_off = (handed_off or turn["handoff"]) and not extra.get("closed")
            if extra.get("closed"):
                turn["paused"] = False
            if new_needs is not None:
                needs = new_needs
            turn["needs"] = needs
            if "entities" in extra:
                turn["entities"] = extra["entities"]
            if "responses" in extra:
                turn["responses"] = extra["responses"]
            elif extra.get("added") and not staff:
                turn["responses"] = [{"response": None, "text": "OK."}]
            else:
                turn.update(self._response(needs, new_needs is not None, extra))
            if staff:
                turn["responses"] = []
            out.append(turn)
        return out

    def _response(self, needs, stated: bool, extra: dict[str, Any]) -> dict[str, Any]:
        if extra.get("compare") and needs:
            shown = [m.product.id for m in self._advice(needs).matches[:2]]
            items = [{"id": pid, "kind": "compared", "fit": None} for pid in shown]
            return {"products": items, "responses": [{"response": None, "text": "Side by side:"}]}
        if not stated or not needs:
            return {"responses": [{"response": "utter_default", "text": "Sorry?"}]}
        advice = self._advice(needs)
        if advice.nothing_fits:
            nearest = [m.to_dict() for m in advice.nothing_fits.nearest]
            return {
                "products": [{"id": m["id"], "kind": "near_miss", "fit": None} for m in nearest],
                "nothing_fits": {"needs": needs, "nearest": nearest},
                "responses": [{"response": None, "text": "Nothing meets all of that."}],
            }
        shown = [(m.product, round(m.score, 4)) for m in advice.matches]
        text = f"{advice.match_count} match: " + ", ".join(p.name for p, _ in shown)
        return {
            "products": [{"id": p.id, "kind": "recommended", "fit": fit} for p, fit in shown],
            "responses": [{"response": None, "text": text}],
        }


def _known(catalog: Catalog, name: str) -> bool:
    try:
        catalog.find(name)
    except LookupError:
        return False
    return True


def simulate(
    log: TurnStore,
    catalog: Catalog,
    conversations: int | None = 2000,
    turns: int | None = None,
    seed: int = 7,
    queue: HandoffStore | None = None,
    ratings: RatingStore | None = None,
    **options: Any,
) -> SimulationTruth:
    """Write simulated conversations to `log` (their handoffs to `queue`, the shoppers' ratings
    of them to `ratings`); returns what was planted and how much was written."""
    simulator = Simulator(catalog, seed=seed, **options)
    log.write_turns(simulator.turns(conversations=conversations, turns=turns))
    if queue is not None:
        for conversation, created, claimed, closed, staff, rating in simulator.truth.handoffs:
            handoff = queue.enqueue(conversation, {"simulated": True}, now=created)
            queue.claim(conversation, staff, now=claimed)
            queue.close(conversation, staff, now=closed)
            if rating is not None and ratings is not None:
                score, comment = rating
                ratings.rate(handoff["id"], conversation, score, comment, staff, now=closed + 30)
    return simulator.truth
