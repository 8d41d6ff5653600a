"""The miners recover what the simulator planted (precision and recall >= 0.9), rank it above the
noise, and see the planted trends."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.opportunities import mine
from ops.simulate import simulate
from stores.turnlog import TurnLog

CONVERSATIONS = 2000


@pytest.fixture(scope="module")
def mined(vehicles, tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("sim") / "turns.db"
    with TurnLog(path) as log:
        truth = simulate(log, vehicles, conversations=CONVERSATIONS, seed=14)
        reported = mine(log, vehicles)  # the default threshold, as `advisor needs` uses
        everything = mine(log, vehicles, min_shoppers=1)
    return truth, reported, everything


def planted_labels(truth) -> set[tuple[str, str]]:
    return {("unmet", label) for label in truth.planted_needs} | {
        ("feature", phrase) for phrase in truth.planted_features
    }


def test_the_simulation_is_what_was_asked_for(mined) -> None:
    truth, reported, _ = mined
    assert truth.conversations == CONVERSATIONS == reported.shoppers
    assert reported.turns == truth.turns
    assert len(truth.planted_needs) == 5 and len(truth.planted_features) == 5
    assert min(truth.planted_needs.values()) >= 20
    assert min(truth.planted_features.values()) >= 15


def test_planted_needs_and_features_are_recovered_with_precision_and_recall(mined) -> None:
    truth, reported, _ = mined
    planted = planted_labels(truth)
    found = {(o.kind, o.label) for o in reported.opportunities}
    hits = planted & found
    precision, recall = len(hits) / len(found), len(hits) / len(planted)
    assert precision >= 0.9, sorted(found - planted)
    assert recall >= 0.9, sorted(planted - found)


def test_planted_shopper_counts_are_recovered(mined) -> None:
    truth, reported, _ = mined
    by_label = {o.label: o for o in reported.opportunities}
    for label, shoppers in {**truth.planted_needs, **truth.planted_features}.items():
        if label in by_label:
            assert by_label[label].shoppers >= 0.9 * shoppers, label
            assert by_label[label].shoppers <= shoppers, label


def test_every_planted_opportunity_ranks_above_all_noise(mined) -> None:
    truth, _, everything = mined
    planted = planted_labels(truth)
    ranks = [(o.rank, (o.kind, o.label) in planted) for o in everything.opportunities]
    worst_planted = max(rank for rank, is_planted in ranks if is_planted)
    best_noise = min(rank for rank, is_planted in ranks if not is_planted)
    assert worst_planted < best_noise


def test_planted_trends_show_in_the_weekly_counts(mined) -> None:
    _, reported, _ = mined
    by_label = {o.label: o for o in reported.opportunities}

    def halves(label: str) -> tuple[int, int]:
        counts = [n for _, n in by_label[label].weekly]
        middle = len(counts) // 2
        return sum(counts[:middle]), sum(counts[middle:])

    early, late = halves("pickup + electric + under $45k")  # planted growing
    assert late > 1.5 * early
    early, late = halves("hybrid + 10,000+ lb towing")  # planted shrinking
    assert early > 1.5 * late
    assert len(reported.weeks) >= 8


def test_opportunities_carry_quotes_nearest_products_and_no_personal_data(mined) -> None:
    _, reported, _ = mined
    for o in reported.opportunities:
        assert 1 <= len(o.quotes) <= 3
        assert not any("@example.com" in q for q in o.quotes)
        if o.kind == "unmet":
            assert o.nearest and all(n["misses"] for n in o.nearest)


def test_the_same_seed_writes_the_same_log(vehicles, tmp_path: Path) -> None:
    def written(name: str, seed: int) -> list[tuple]:
        with TurnLog(tmp_path / name) as log:
            simulate(log, vehicles, conversations=40, seed=seed)
            return [
                (t["conversation_id"], t["turn"], t["ts"], t["text"], t["needs"], t["products"])
                for t in log.iter_turns()
            ]

    assert written("a.db", 3) == written("b.db", 3) != written("c.db", 4)
