"""Concept tests and need clusters: the replay holds to the advisor's ranking, a concept is
validated like a catalog row, and planted segments (parameters the miners never read) are found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from analysis.clusters import cluster_unmet
from analysis.concept import load_concepts, make_concept
from analysis.concept_estimate import wilson
from analysis.concept_replay import Replay, read_shoppers
from analysis.concept_view import concept_test, render_csv
from analysis.unmet import readable_profile
from knowledge.catalog import Catalog
from knowledge.errors import CatalogError
from knowledge.matching import recommend
from ops.scenario import VEHICLE_SEGMENTS
from ops.simulate import simulate
from stores.turnlog import TurnLog

MAVERICK_6500 = {"from_product": "ford-maverick-2025", "set": {"towing_lb": 6500}}


@pytest.fixture(scope="module")
def planted(tmp_path_factory, vehicles):
    path = tmp_path_factory.mktemp("concept") / "turns.db"
    with TurnLog(path) as log:
        log.mark_sample()
        truth = simulate(log, vehicles, 3000, seed=11, planted_segments=VEHICLE_SEGMENTS)
    return path, truth


@pytest.fixture(scope="module")
def shoppers(planted):
    with TurnLog(planted[0]) as log:
        return read_shoppers(log)


def test_the_replay_ranks_as_recommend_does_with_the_concept_in_the_catalog(
    vehicles, shoppers
) -> None:
    concept = make_concept(
        vehicles, {"from_product": "toyota-tacoma-2025", "set": {"towing_lb": 8000}}
    )
    replay = Replay(vehicles, shoppers)
    outcome = replay.run(concept)
    with_concept = Catalog(vehicles.category, (*vehicles.products, concept.product))
    new = taken = 0
    for profile in shoppers.profiles:
        advice = recommend(with_concept, readable_profile(vehicles, profile.needs), top=1)
        if advice.matches and advice.matches[0].product.id == concept.product.id:
            if advice.match_count == 1:
                new += profile.shoppers
            else:
                taken += profile.shoppers
    assert (outcome.new_demand, outcome.taken) == (new, taken)
    assert outcome.taken > 0


def test_shoppers_moving_to_the_changed_product_are_won_from_nobody(vehicles, shoppers) -> None:
    base = "toyota-rav4-hybrid-2025"
    concept = make_concept(vehicles, {"from_product": base, "set": {"msrp_usd": 25000}})
    replay = Replay(vehicles, shoppers)
    outcome = replay.run(concept)
    own, conquest, changed = replay.own(outcome)
    assert changed == outcome.taken_from[base] > 0
    assert conquest > 0 and own + conquest + changed == outcome.taken
    house = vehicles.category.house_brand.lower()
    others = {p: n for p, n in outcome.taken_from.items() if p != base}
    assert own == sum(n for p, n in others.items() if vehicles.by_id[p].brand.lower() == house)
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in concept.product.values.items()}
    from_scratch = make_concept(vehicles, {"brand": "Acme", "model": "Hauler", "values": values})
    assert replay.own(replay.run(from_scratch))[2] == 0


def test_the_concept_test_recovers_the_planted_segment_within_10_percent(vehicles, planted) -> None:
    path, truth = planted
    planted_count = truth.planted_segments["hybrid pickup towing 5,500-6,500 lb"]
    with TurnLog(path) as log:
        report = concept_test(log, vehicles, [make_concept(vehicles, MAVERICK_6500)])
    (result,) = report.results
    assert abs(result.figures["new_demand"] - planted_count) <= 0.1 * planted_count
    low, high = result.figures["share_interval"]
    assert low < result.figures["share"] < high
    assert report.to_dict()["concepts"][0]["concept"]["hypothetical"] is True
    changes = {row["change"] for row in result.sensitivity}
    assert "Maximum towing one level worse" in changes


def test_clusters_recover_the_planted_needs_and_segments(vehicles, planted, shoppers) -> None:
    truth = planted[1]
    replay = Replay(vehicles, shoppers)
    clusters = cluster_unmet(vehicles, shoppers, replay.check, min_shoppers=5)
    found = [set(c.members) for c in clusters]
    for label, members in truth.members.items():
        members = set(members)
        best = max(found, key=lambda f: len(f & members))
        precision, recall = len(best & members) / len(best), len(best & members) / len(members)
        assert precision >= 0.9 and recall >= 0.9, (label, precision, recall)
    segment = next(
        c for c in clusters if set(c.members) & set(truth.members[VEHICLE_SEGMENTS[0].label])
    )
    assert segment.change.serves >= 0.9 * segment.shoppers
    assert segment.change.attribute == "towing_lb"
    assert segment.change.command.startswith("advisor concept --from-product ")


def test_a_concept_is_validated_like_a_row_but_needs_no_source(vehicles) -> None:
    spec = {
        "brand": "Acme",
        "model": "Hauler",
        "values": {"body_type": "pickup", "towing_lb": 7000},
    }
    concept = make_concept(vehicles, spec)
    assert concept.hypothetical and concept.product.sources == ()
    with pytest.raises(CatalogError, match="E101"):
        make_concept(vehicles, {**spec, "values": {"wings": 2}})
    with pytest.raises(CatalogError, match="E106"):
        make_concept(vehicles, {**spec, "values": {"towing_lb": 10**6}})
    with pytest.raises(CatalogError, match="E108"):
        make_concept(vehicles, {**spec, "values": {"body_type": "hovercraft"}})
    with pytest.raises(CatalogError, match="E132"):
        make_concept(vehicles, {"from_product": "no-such-car"})


def test_concepts_are_read_from_a_file_side_by_side(vehicles, tmp_path: Path) -> None:
    path = tmp_path / "concepts.yml"
    path.write_text(
        "concepts:\n  - {from_product: ford-maverick-2025, set: {towing_lb: 6500}}\n"
        "  - {from_product: toyota-sienna-2025, set: {towing_lb: 5000}}\n"
    )
    names = [c.name for c in load_concepts(vehicles, path)]
    assert names == [
        "2025 Ford Maverick XL with 6,500 lb maximum towing (concept)",
        "2025 Toyota Sienna LE with 5,000 lb maximum towing (concept)",
    ]


def test_wilson_interval() -> None:
    low, high = wilson(10, 100)
    assert 0.05 < low < 0.1 < high < 0.18
    assert wilson(0, 0) == (0.0, 0.0)


def test_the_cli_prints_json_and_csv(planted, tmp_path: Path) -> None:
    path = planted[0]
    runner = CliRunner()
    args = ["concept", "--db", str(path), "--from-product", "ford-maverick-2025", "--set",
            "towing_lb=6500", "--buy-share", "0.1", "--shoppers-per-year", "100000", "--price", "30000"]  # fmt: skip
    result = runner.invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    figures = data["concepts"][0]
    assert figures["assumptions"]["buy_share"] == 0.1 and figures["revenue"] > 0
    assert len(figures["revenue_interval"]) == 2
    csv_out = runner.invoke(cli, [*args, "--csv"])
    assert csv_out.exit_code == 0 and csv_out.output.startswith("concept,hypothetical,section")
    text = runner.invoke(cli, args)
    assert "hypothetical" in text.output and "Sensitivity" in text.output
    bad = runner.invoke(cli, ["concept", "--db", str(path), "--from-product", "ford-maverick-2025",
                              "--set", "towing_lb=lots"])  # fmt: skip
    assert bad.exit_code != 0 and "E102" in bad.output
    clusters = runner.invoke(cli, ["clusters", "--db", str(path), "--json"])
    assert clusters.exit_code == 0
    assert json.loads(clusters.output)["clusters"][0]["smallest_change"]["hypothetical"] is True


def test_render_csv_marks_every_row_hypothetical(vehicles, planted) -> None:
    with TurnLog(planted[0]) as log:
        report = concept_test(
            log, vehicles, [make_concept(vehicles, MAVERICK_6500)], with_sensitivity=False
        )
    rows = render_csv(report).splitlines()[1:]
    assert rows and all(",yes," in row for row in rows)


def test_concept_and_clusters_import_neither_spacy_nor_tensorflow(planted) -> None:
    import subprocess
    import sys

    db = str(planted[0])
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from advisor.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['concept', '--db', {db!r}, '--from-product', "
        "'ford-maverick-2025', '--set', 'towing_lb=6500', '--no-sensitivity'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"r = CliRunner().invoke(cli, ['clusters', '--db', {db!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('tensorflow', 'spacy', 'thinc', 'rasa', 'sklearn') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_the_fast_path_reads_what_iter_turns_gives(planted, shoppers) -> None:
    from analysis.concept_replay import _rows

    class Plain:  # a store without the fast path: replayed through iter_turns
        def __init__(self, log):
            self.log = log

        def tagged_traffic(self):
            return self.log.tagged_traffic()

        def iter_turns(self, **window):
            return self.log.iter_turns(**window)

    with TurnLog(planted[0]) as log:
        slow = read_shoppers(Plain(log))
        assert next(_rows(log, None, None))[0] == next(log.iter_stated_needs())[0]

    def summary(found):
        return sorted((p.shoppers, sorted(p.members), p.quotes) for p in found.profiles)

    assert summary(slow) == summary(shoppers)
    assert (slow.shoppers, slow.conversations, slow.turns) == (
        shoppers.shoppers, shoppers.conversations, shoppers.turns,
    )  # fmt: skip


def test_profiles_are_read_as_readable_profile_reads_them(vehicles, shoppers) -> None:
    from dataclasses import replace

    from analysis.concept_replay import _readable
    from analysis.unmet import CatalogCheck

    check = CatalogCheck(vehicles)
    odd = [{"budget": "lots", "sort": "highest towing_lb"}, {"seats": 7, "priorities": ["x"]},
           {"body": ["pickup"], "sort": "highest towing_lb", "priorities": ["towing"]}]  # fmt: skip
    for needs in [p.needs for p in shoppers.profiles] + odd:
        expected = replace(readable_profile(vehicles, needs), hints=())
        assert _readable(vehicles, check, needs) == expected, needs
