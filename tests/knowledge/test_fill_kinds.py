"""Cells read through a fill's declared spellings (NHTSA's "Stanard", "None", "Not Available") and as
counts of numbered positions (seat rows from NHTSA's SEAT_LOC); a misshapen fill names its field."""

from __future__ import annotations

import pytest

from knowledge.errors import SourceFileError
from knowledge.importing.rows import read_table
from knowledge.loader import DEFAULT_CATALOG
from knowledge.sources import Fill, read_spec, sources_dir
from tests.knowledge.test_real_sources import shared_file

EQUIPMENT = Fill(
    "X",
    values={
        "standard": ("Standard", "Stanard"),
        "optional": ("Optional",),
        "not_offered": ("None", "Not Available"),
    },
)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Standard", "standard"),
        ("Standard ", "standard"),
        ("Stanard", "standard"),
        ("optional", "optional"),
        ("None", "not_offered"),
        ("Not  Available", "not_offered"),
        ("", None),
        ("Standard & Optional", None),
    ],
)
def test_a_spelling_names_its_value(cell, value):
    assert EQUIPMENT.value_of(cell) == value


@pytest.mark.parametrize(
    ("cell", "rows"),
    [
        ("1,3,4,5,6", 2),
        ("1, 3, 4, 6", 2),
        ("1,3", 1),
        ("1,3,4,5,6,7,9", 3),
        ("1,3,4,5,6,7,8,9,10,11,12,13", 5),
        ("1,3,4,6,7,9\n1,3,4,5,6,7,9", 3),  # two layouts, both three rows
        ("1,3,4,5,6\n1,3,4,5,6,7,9", None),  # two layouts that differ in rows
        ("", None),
        ("see comments", None),
    ],
)
def test_seat_positions_count_rows_of_three(cell, rows):
    assert Fill("SEAT_LOC", per_group=3).groups_of(cell) == rows


def _declaration(tmp_path, fill: str):
    file = tmp_path / "ratings.yml"
    file.write_text(
        "source: {label: R, key: [K], cite: 'https://r.example/{K}', columns: [K, C]}\n"
        f"fill:\n  a: {fill}\n",
        encoding="utf-8",
    )
    return file


@pytest.mark.parametrize(
    ("fill", "detail"),
    [
        ("{column: C, values: [Standard]}", "'values' maps each value"),
        ("{column: C, values: {standard: {x: 1}}}", "'values' maps each value"),
        ("{column: C, per_group: 0}", "'per_group' must be a whole number"),
        ("{column: C, per_group: three}", "'per_group' must be a whole number"),
        ("{column: C, per_group: 3, values: {a: [A]}}", "either 'values' or 'per_group'"),
    ],
)
def test_a_misshapen_fill_names_its_field(tmp_path, fill, detail):
    with pytest.raises(SourceFileError) as error:
        read_spec(_declaration(tmp_path, fill))
    assert "fill.a" in str(error.value) and detail in str(error.value)


def test_every_spelling_in_nhtsas_file_is_declared_or_blank():
    """No cell of a spelled-out column is silently dropped: each is a declared spelling, blank, or
    (for NHTSA's test results) a result that is not yet known."""
    spec = read_spec(sources_dir(DEFAULT_CATALOG) / "nhtsa-ratings.yml")
    table = read_table(shared_file("nhtsa-ratings.yml"), spec)
    not_yet = {"test pending", "test results not available"}
    unknown = set()
    for fills in spec.fill.values():
        for fill in fills:
            if not fill.values:
                continue
            for row in table.rows:
                cell = row.get(fill.column)
                if cell.strip() and fill.value_of(cell) is None and cell.lower() not in not_yet:
                    unknown.add((fill.column, cell))
    assert unknown == set()
