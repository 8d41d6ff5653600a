"""Brand exposure over logged recommendations: agrees with the library's audit when the log holds
exactly what recommend shows, and flags a log that favours one brand."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.exposure import ExposureAudit, exposure_row
from knowledge.fairness import exposure_audit
from knowledge.matching import recommend
from knowledge.needs import NeedsProfile
from stores.turnlog import TurnLog

NEEDS = [
    {"budget": 25000},
    {"seats": 7},
    {"body": ["suv"], "awd": True},
    {"body": ["sedan"], "excluded_brands": ["BrandA"]},
    {"mpg": 30},
    {"body": ["suv"], "seats": 8},  # nothing fits: no slot shown, no merit
]


@pytest.fixture
def log(tmp_path: Path):
    with TurnLog(tmp_path / "turns.db") as opened:
        yield opened


def shown_turn(cid: str, needs: dict, ids: list[str]) -> dict:
    products = [{"id": pid, "kind": "recommended", "fit": 0.5} for pid in ids]
    products.append({"id": "b-small", "kind": "compared", "fit": None})  # not a recommendation
    return {
        "conversation_id": cid,
        "message_id": "m1",
        "text": "x",
        "needs": needs,
        "products": products,
    }


def audit_of(catalog, log: TurnLog) -> ExposureAudit:
    audit = ExposureAudit(catalog)
    for t in log.iter_turns():
        audit.add(t)
    return audit


def test_a_log_of_what_recommend_shows_matches_the_library_audit(tiny_catalog, log) -> None:
    profiles = [NeedsProfile.from_dict(tiny_catalog.category, n) for n in NEEDS]
    log.write_turns(
        shown_turn(f"c{i}", needs, [m.product.id for m in recommend(tiny_catalog, profile).matches])
        for i, (needs, profile) in enumerate(zip(NEEDS, profiles, strict=True))
    )
    expected = {row.brand: row for row in exposure_audit(tiny_catalog, profiles)}
    rows = audit_of(tiny_catalog, log).rows()
    assert {row.brand: row for row in rows} == expected
    assert [abs(r.gap) for r in rows] == sorted((abs(r.gap) for r in rows), reverse=True)


def test_a_log_that_favours_one_brand_is_flagged(tiny_catalog, log) -> None:
    log.write_turns(shown_turn(f"c{i}", {"budget": 50000}, ["a-small", "a-big"]) for i in range(5))
    audit = audit_of(tiny_catalog, log)
    flags = {row.brand: row.flag(0.1) for row in audit.rows()}
    assert flags == {"BrandA": "over-exposed", "BrandB": "under-exposed", "BrandC": "under-exposed"}
    assert audit.turns == 5
    a = next(row for row in audit.rows() if row.brand == "BrandA")
    assert exposure_row(a, 0.1) == {
        "brand": "BrandA",
        "shown": 10,
        "shown_share": 1.0,
        "eligible": 10,
        "eligible_share": 0.4,
        "gap": 0.6,
        "flag": "over-exposed",
        "might_fit": 0,
        "possible_share": 0.4,
        "under_exposure": 0.0,
        "from_missing_figures": 0.0,
        "from_specs": 0.0,
        "missing": {},
    }
    assert {row.brand: row.flag(0.7) for row in audit.rows()}["BrandA"] == "fair"


def test_products_the_catalog_no_longer_has_are_counted_apart(tiny_catalog, log) -> None:
    log.write_turn(shown_turn("c1", {}, ["a-small", "gone-2019"]))
    audit = audit_of(tiny_catalog, log)
    assert audit.unknown_products == 1
    assert audit.shown == {"BrandA": 1}


def test_turns_without_recommendations_are_ignored(tiny_catalog, log) -> None:
    log.write_turn({"conversation_id": "c1", "message_id": "m1", "text": "hi"})
    assert audit_of(tiny_catalog, log).rows() == []


def test_under_exposure_owed_to_a_missing_figure_is_reported_apart(tiny_catalog, log) -> None:
    # Middle (BrandC) has no fuel economy on file: for "at least 30 mpg" it might fit, but it is
    # neither shown nor counted as merit, so the merit-only audit would call BrandC fair.
    log.write_turns(shown_turn(f"c{i}", {"mpg": 30}, ["a-small", "b-small"]) for i in range(4))
    rows = {row.brand: row for row in audit_of(tiny_catalog, log).rows()}
    c = rows["BrandC"]
    assert (c.shown, c.eligible, c.might_fit, c.flag(0.1)) == (0, 0, 4, "fair")
    assert c.possible_share == pytest.approx(1 / 3)
    assert c.under_exposure == pytest.approx(1 / 3)
    assert c.from_missing_figures == pytest.approx(1 / 3) and c.from_specs == pytest.approx(0)
    assert c.missing == (("mpg", 4),)
    a = rows["BrandA"]
    assert (a.might_fit, a.under_exposure, a.from_missing_figures) == (0, 0.0, 0.0)
    assert exposure_row(c)["missing"] == {"mpg": 4}


def test_the_exposure_command_prints_the_split(tiny_catalog_path, log, tmp_path) -> None:
    from click.testing import CliRunner

    from advisor.cli import cli

    log.write_turns(shown_turn(f"c{i}", {"mpg": 30}, ["a-small", "b-small"]) for i in range(4))
    args = ["exposure", "--db", str(log.path), "--catalog", str(tiny_catalog_path)]
    text = CliRunner().invoke(cli, args).output
    [c_row] = [line for line in text.splitlines() if line.startswith("BrandC")]
    assert c_row.split()[:8] == ["BrandC", "0", "0.0%", "0.0%", "fair", "4", "33.3%", "33.3"]
    assert "Fuel economy (4)" in c_row
    import json

    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    assert data["turns"] == 4
    assert {r["brand"]: r["from_missing_figures"] for r in data["brands"]}["BrandC"] == 0.3333
