"""Structured unmet needs: readable levels, minimal conflicts that agree with recommend, and the
per-conversation miner over a real turn log."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from analysis.need_levels import NeedLevels, nice_step
from analysis.unmet import CatalogCheck, UnmetNeedMiner, readable_profile
from knowledge.matching import eligible, recommend
from knowledge.needs import Constraint, NeedsProfile
from stores.turnlog import TurnLog

DAY = 86400.0
T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday


def turn(cid: str, n: int, text: str, needs: dict | None = None, ts: float = T0, **fields):
    return {
        "conversation_id": cid,
        "message_id": f"{cid}-{n}",
        "turn": n,
        "ts": ts + n,
        "text": text,
        "needs": needs or {},
        **fields,
    }


@pytest.fixture
def log(tmp_path: Path):
    with TurnLog(tmp_path / "turns.db") as opened:
        yield opened


@pytest.fixture(scope="module")
def check(vehicles):
    return CatalogCheck(vehicles)


def test_steps_are_round_numbers_near_a_tenth_of_the_span() -> None:
    assert nice_step(69590, integer=False) == 5000
    assert nice_step(37, integer=False) == 5
    assert nice_step(384, integer=False) == 50
    assert nice_step(12500, integer=False) == 1000
    assert nice_step(4, integer=True) == 1


@pytest.mark.parametrize(
    ("need", "value", "label"),
    [
        ("budget", 42500, "under $45k"),
        ("budget", 45000, "under $45k"),
        ("seats", 7, "7+ seats"),
        ("mpg", 37, "35+ mpg"),
        ("range", 320, "300+ mi range"),
        ("towing", 10500, "10,000+ lb towing"),
        ("body", ("suv", "pickup"), "SUV or pickup"),
        ("powertrain", ("plug_in_hybrid",), "plug-in hybrid"),
        ("awd", ("awd", "4wd"), "all-wheel drive"),
    ],
)
def test_needs_get_readable_levels_from_the_catalog(vehicles, need, value, label) -> None:
    assert NeedLevels(vehicles).level(Constraint(need, value)).label == label


def test_needs_outside_the_conflict_are_dropped_from_the_combination(check) -> None:
    needs = {
        "budget": 42500,
        "body": ["pickup"],
        "powertrain": ["electric"],
        "seats": 5,
        "awd": True,
    }
    (conflict,) = check.conflicts(needs)
    assert conflict.label == "pickup + electric + under $45k"
    assert conflict.needs == {"budget", "body", "powertrain"}
    nearest = check.nearest(conflict)
    assert nearest[0]["id"] == "rivian-r1t-2025"
    assert nearest[0]["misses"] == ["$27,400 over your budget"]


def test_equal_levels_group_together_whatever_the_exact_value(check) -> None:
    a = check.conflicts({"body": ["pickup"], "powertrain": ["electric"], "budget": 41000})
    b = check.conflicts({"powertrain": ["electric"], "budget": 44500, "body": ["truck"]})
    assert a[0].key == b[0].key


def test_a_brand_exclusion_counts_when_it_is_part_of_the_conflict(check) -> None:
    needs = {"powertrain": ["electric"], "seats": 7, "budget": 48000}
    assert check.conflicts(needs) == ()  # the Tesla Model Y fits
    (conflict,) = check.conflicts({**needs, "excluded_brands": ["Tesla"]})
    assert conflict.label == "electric + under $50k + 7+ seats + not Tesla"


def test_a_satisfiable_profile_has_no_conflict(check) -> None:
    assert check.conflicts({"body": ["suv"], "budget": 45000}) == ()
    assert check.conflicts({"priorities": ["price"]}) == ()
    assert check.conflicts({}) == ()


def _random_needs(rng: random.Random, catalog) -> dict:
    needs: dict = {}
    for name in rng.sample(sorted(catalog.category.needs), rng.randint(1, 4)):
        spec = catalog.category.needs[name]
        attribute = catalog.category.attributes[spec.attribute]
        if spec.op in ("max", "min"):
            if spec.attribute not in catalog.value_ranges:  # no product has a figure yet
                continue
            low, high = catalog.value_ranges[spec.attribute]
            needs[name] = round(rng.uniform(low * 0.8, high * 1.1))
        elif spec.fixed:
            needs[name] = True
        else:
            needs[name] = rng.sample(attribute.values, rng.randint(1, 2))
    if rng.random() < 0.2:
        needs["excluded_brands"] = rng.sample(catalog.brands, 2)
    return needs


def test_verdicts_and_conflicts_agree_with_recommend(vehicles, check) -> None:
    rng = random.Random(4)
    unmet = 0
    for _ in range(150):
        needs = _random_needs(rng, vehicles)
        profile = NeedsProfile.from_dict(vehicles.category, needs)
        advice = recommend(vehicles, profile)
        conflicts = check.conflicts(needs)
        assert bool(conflicts) == (advice.nothing_fits is not None), needs
        ids = {p.id for p in eligible(vehicles, profile)}
        mask = check.needs_mask(needs)
        assert {p.id for i, p in enumerate(vehicles.products) if mask >> i & 1} == ids
        unmet += bool(conflicts)
        for conflict in conflicts:
            assert not eligible(vehicles, conflict.profile())
            assert conflict.gap > 0
            for dropped in conflict.constraints:  # minimal: without any one need, something fits
                assert eligible(vehicles, conflict.profile().without(dropped.need))
            if conflict.excluded_brands:
                assert eligible(vehicles, NeedsProfile(conflict.constraints))
            others = [c.needs for c in conflicts if c is not conflict]
            assert not any(other < conflict.needs for other in others)
    assert unmet > 20  # the random profiles did exercise the unmet path


def test_needs_the_current_catalog_does_not_know_are_dropped(vehicles) -> None:
    needs = {"budget": "30k", "warp_drive": True, "priorities": ["price", "teleport"]}
    profile = readable_profile(vehicles, needs)
    assert [(c.need, c.value) for c in profile.constraints] == [("budget", 30000)]
    assert profile.priorities == ("price",)
    assert CatalogCheck(vehicles).conflicts(needs) == ()


def test_the_miner_groups_shoppers_by_their_last_needs(vehicles, log) -> None:
    pickup = {"body": ["pickup"], "powertrain": ["electric"]}
    log.write_turns(
        [
            turn("a", 1, "hi"),
            turn("a", 2, "I want an electric pickup", pickup),
            turn("a", 3, "under 42k please", {**pickup, "budget": 42000}),
            turn("a", 4, "thanks", {**pickup, "budget": 42000}),
            turn("b", 1, "electric truck under $44,000", {**pickup, "budget": 44000}, T0 + 8 * DAY),
            turn("b", 2, "Hi, Sam here", {}, T0 + 8 * DAY, role="staff"),
            # c asked for too little, then relaxed: something fits at the end
            turn("c", 1, "electric pickup under 40k", {**pickup, "budget": 40000}),
            turn("c", 2, "ok, up to 90k", {**pickup, "budget": 90000}),
            turn("d", 1, "an SUV under 45k", {"body": ["suv"], "budget": 45000}),
        ]
    )
    miner = UnmetNeedMiner(vehicles)
    for t in log.iter_turns():
        miner.add(t)
    (group,) = miner.groups()
    assert miner.shoppers == 4
    assert miner.unmet_conversations == 2
    assert group.label == "pickup + electric + under $45k"
    assert group.shoppers == 2
    assert group.first_seen == pytest.approx(T0 + 1)
    assert group.last_seen == pytest.approx(T0 + 8 * DAY + 1)
    assert sorted(group.days.values()) == [1, 1]
    assert group.quotes == (
        "electric truck under $44,000",
        "I want an electric pickup",
        "under 42k please",
    )
    assert 0 < group.gap < 1


def test_shortfalls_agree_with_the_worded_check(vehicles, check) -> None:
    """CatalogCheck measures shortfalls without wording them; knowledge.constraints.check words
    them: both give each product the same relative gap on every need."""
    from knowledge.constraints import check as worded
    from knowledge.needs import make_constraint

    rng = random.Random(9)
    for _ in range(60):
        for name, value in _random_needs(rng, vehicles).items():
            if name == "excluded_brands":
                continue
            constraint = make_constraint(vehicles.category, name, value)
            expected = [
                min(1.0, failure.relative_gap) if failure else 0.0
                for failure in (worded(vehicles.category, constraint, p) for p in vehicles)
            ]
            assert check.gap((constraint,)) == min(expected), (name, value)
            assert check.shortfalls(constraint) == expected, (name, value)
            meets = sum(1 << i for i, shortfall in enumerate(expected) if not shortfall)
            assert check._mask(constraint) == meets, (name, value)


def test_nearest_products_are_recommends_nearest_misses(vehicles, check) -> None:
    rng = random.Random(21)
    compared = 0
    for _ in range(80):
        for conflict in check.conflicts(_random_needs(rng, vehicles)):
            advice = recommend(vehicles, conflict.profile(), top=1, misses=3)
            expected = [
                {"id": m.product.id, "name": m.product.full_name,
                 "misses": [f.text for f in m.failures]}
                for m in advice.nothing_fits.nearest
            ]  # fmt: skip
            assert list(check.nearest(conflict)) == expected
            compared += 1
    assert compared > 10
