"""`advisor kb add-lines` on a copy of the shipped catalog with the real public files: a declared line
gets its body, powertrain and drivetrains from the files' rows, each citing its row, is pinned in
every declaration, and the importers fill its figures; a line the files disagree on is refused
with its id and nothing is written; a second run adds nothing."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.errors import SourceFileError
from knowledge.importing.lines import add_lines
from knowledge.loader import DEFAULT_CATALOG, load
from knowledge.sources import read_spec
from tests.knowledge.test_real_sources import shared_file

WRX = (
    "  - {id: subaru-wrx-2025, brand: Subaru, model: WRX, year: 2025, "
    "epa: {make: Subaru, baseModel: WRX}, ratings: {MAKE: SUBARU, MODEL: WRX, BODY_STYLE: 4 DR}}\n"
)
# NHTSA lists the Venue as a hatchback, EPA as an SUV: without `body` and a reason it is refused.
VENUE = (
    "  - {id: hyundai-venue-2026-x, brand: Hyundai, model: Venue X, year: 2025, "
    "epa: {make: Hyundai, baseModel: Venue}, ratings: {MAKE: HYUNDAI, MODEL: VENUE, BODY_STYLE: 5 HB}}\n"
)


@pytest.fixture
def files():
    return {
        "efficiency": shared_file("epa.yml"),
        "ratings": shared_file("nhtsa-ratings.yml"),
        "issues": shared_file("nhtsa-recalls.yml"),
    }


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "vehicles"
    shutil.copytree(DEFAULT_CATALOG, root)
    return root


def _digest(root) -> str:
    files = sorted(p for p in root.rglob("*.yml"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def test_the_shipped_lines_are_all_in_the_catalog(files):
    planned, present = add_lines(DEFAULT_CATALOG, files, dry_run=True)
    assert planned == [] and len(present) >= 80


def test_a_new_line_is_added_from_the_files_and_filled_by_the_importers(copy, files):
    with (copy / "sources" / "lines.yml").open("a", encoding="utf-8") as out:
        out.write(WRX)
    result = CliRunner().invoke(
        cli,
        [
            "kb", "add-lines", "--catalog", str(copy),
            "--epa", str(files["efficiency"]),
            "--nhtsa-ratings", str(files["ratings"]),
            "--nhtsa-recalls", str(files["issues"]),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Added 1 line(s)" in result.output and "subaru-wrx-2025" in result.output
    wrx = load(copy).by_id["subaru-wrx-2025"]
    assert (wrx.value("body_type"), wrx.value("powertrain"), wrx.value("drivetrains")) == (
        "sedan",
        "gas",
        ("awd",),
    )
    assert wrx.figure("body_type").source.startswith(
        "https://www.nhtsa.gov/vehicle/2025/SUBARU/WRX"
    )
    assert wrx.figure("powertrain").source.startswith("https://www.fueleconomy.gov/feg/Find.do")
    assert wrx.value("mpg_combined") and wrx.value("seats") == 5 and wrx.value("seat_rows") == 2
    assert wrx.figure("mpg_combined").source == wrx.figure("powertrain").source
    assert wrx.value("msrp_usd") is None  # no file gives a price: nothing is guessed
    for name in ("epa.yml", "nhtsa-ratings.yml"):
        spec = read_spec(copy / "sources" / name)
        assert spec.products["subaru-wrx-2025"].reason
    recalls = read_spec(copy / "sources" / "nhtsa-recalls.yml")
    assert "subaru-wrx-2025" in recalls.products or "subaru-wrx-2025" in recalls.unmappable
    before = _digest(copy)
    planned, _ = add_lines(copy, files)
    assert planned == [] and _digest(copy) == before


def test_a_line_the_files_disagree_on_is_refused_and_nothing_is_written(copy, files):
    with (copy / "sources" / "lines.yml").open("a", encoding="utf-8") as out:
        out.write(WRX + VENUE)
    before = _digest(copy)
    with pytest.raises(SourceFileError) as error:
        add_lines(copy, files)
    message = str(error.value)
    assert "lines.yml" in message and "hyundai-venue-2026-x" in message
    assert "hatchback" in message and "suv" in message and "subaru-wrx" not in message
    assert _digest(copy) == before
