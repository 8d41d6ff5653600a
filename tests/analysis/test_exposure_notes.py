"""Why the exposure audit flags a brand: the difference splits exactly by needs and by product, and
the reasons count products that met the needs but were not shown, with or without their ranking
figures, and products kept out by a missing figure of a stated need."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.exposure_notes import ExposureNotes
from analysis.figure_gaps import FigureGaps
from analysis.opportunities import mine
from analysis.unmet import CatalogCheck
from stores.turnlog import TurnLog


def shown(cid: str, needs: dict, ids: list[str]) -> dict:
    products = [{"id": pid, "kind": "recommended", "fit": 0.5} for pid in ids]
    return {"conversation_id": cid, "message_id": "m1", "text": "x", "needs": needs,
            "products": products}  # fmt: skip


# BrandA's products shown every time, whatever else met the needs: BrandA over-exposed
TURNS = [
    shown("c1", {"body": ["suv"]}, ["a-big"]),  # c-big and c-mid met it too
    shown("c2", {"body": ["suv"]}, ["a-big"]),
    shown("c3", {"seats": 5}, ["a-small"]),  # five products met it
    shown("c4", {"body": ["suv"], "mpg": 20}, ["a-big"]),  # c-mid has no mpg: might fit
]


@pytest.fixture
def result(tmp_path: Path, tiny_catalog):
    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turns(TURNS)
        return mine(log, tiny_catalog, tolerance=0.1)


def test_flagged_brands_are_explained(result) -> None:
    flags = {r.brand: r.flag(result.tolerance) for r in result.exposure}
    notes = {n.brand: n for n in result.exposure_notes}
    assert set(notes) == {b for b, f in flags.items() if f != "fair"}
    assert flags["BrandA"] == "over-exposed" and flags["BrandC"] == "under-exposed"


def test_the_difference_splits_exactly_by_needs_and_by_product(tiny_catalog, tmp_path) -> None:
    check = CatalogCheck(tiny_catalog)
    notes = ExposureNotes(tiny_catalog, check, FigureGaps(check))
    for turn in TURNS:
        notes.add(turn)
    with TurnLog(tmp_path / "t.db") as log:
        log.write_turns(TURNS)
        rows = mine(log, tiny_catalog).exposure
    import analysis.exposure_notes as module

    module.TOP = 100  # every part, to add them up
    try:
        for note in notes.notes(list(rows), 0.1):
            points = note.gap * 100
            assert sum(n["points"] for n in note.needs) == pytest.approx(points, abs=0.3)
            assert sum(p["points"] for p in note.products) == pytest.approx(points, abs=0.3)
    finally:
        module.TOP = 3


def test_the_reasons_name_missing_figures_and_figures_on_file(result) -> None:
    notes = {n.brand: n for n in result.exposure_notes}
    under = notes["BrandC"]
    # BrandC met the needs in c1, c2, c3 (c-big and c-mid each) and c4 (c-big): never shown
    assert under.not_shown == 7
    # c-mid has no fuel economy figure, one the default priorities rank on
    assert under.missing_figures == {"Fuel economy": 3} and under.lacking == 3
    assert under.on_file == 4
    assert under.might_fit == {"Fuel economy": 1}  # c4: c-mid lacks the mpg figure asked for
    text = " ".join(under.sentences())
    assert "BrandC is under-exposed" in text and "kept 1 more of its products out" in text
    over = notes["BrandA"]
    assert over.products[0]["name"] == "2025 BrandA Big"
    assert "Competitors' products met the needs but were not shown" in " ".join(over.sentences())
