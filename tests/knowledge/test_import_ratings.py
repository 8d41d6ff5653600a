"""Ratings through a composite key (make, model, body, drive): the latest release with a rating
counts, a blank rating means "not rated", and a gap-only column never overwrites."""

from __future__ import annotations

import pytest
import yaml

from knowledge.importing.run import import_values
from knowledge.loader import load
from tests.knowledge.source_fixtures import PRODUCTS, source_catalog, write_csv

RATINGS = """
source:
  name: Test ratings
  label: RATINGS
  key: [MAKE, MODEL, BODY, DRIVE]
  year: YEAR
  order: RELEASE
  as_of: 2026-12-01
  cite: https://ratings.example.gov/vehicle/{YEAR}/{MAKE}/{MODEL}/{BODY}/{DRIVE}
  columns: [MAKE, MODEL, YEAR, BODY, DRIVE, RELEASE, SEATS, STARS]
fill:
  seats: {column: SEATS, only_where_missing: true}
  price: {column: STARS}
products:
  x:
    same: {MAKE: BRANDA, MODEL: RUNNER, BODY: 4 DR}
    rows: {fwd: {DRIVE: FWD}, awd: {DRIVE: AWD}}
"""
HEADER = ["MAKE", "MODEL", "YEAR", "BODY", "DRIVE", "RELEASE", "SEATS", "STARS"]


def catalog(tmp_path, rows, products=PRODUCTS):
    # the tiny category has no star attribute: its price (a number) stands in for the rating
    root = source_catalog(tmp_path / "cat", {"ratings.yml": RATINGS}, products)
    return root, write_csv(tmp_path / "ratings.csv", HEADER, rows)


def test_the_latest_release_with_a_figure_counts(tmp_path):
    rows = [
        ["BRANDA", "RUNNER", "2025", "4 DR", "FWD", "1", "5", "31000"],
        ["BRANDA", "RUNNER", "2025", "4 DR", "FWD", "2", "5", "32000"],
        ["BRANDA", "RUNNER", "2025", "4 DR", "FWD", "3", "5", ""],
        ["BRANDA", "RUNNER", "2025", "4 DR", "AWD", "1", "5", "33000"],
    ]
    root, data = catalog(tmp_path, rows)
    import_values(root, "ratings.yml", data, accept=True)
    product = load(root).by_id["x"]
    assert [(f.config, f.value) for f in product.figures["price"]] == [
        ("fwd", 32000),
        ("awd", 33000),
    ]
    assert product.figure("price").source == (
        "https://ratings.example.gov/vehicle/2025/BRANDA/RUNNER/4%20DR/FWD"
    )


def test_a_value_the_mapped_rows_leave_unrated_is_a_conflict_and_removed_when_accepted(tmp_path):
    rows = [
        ["BRANDA", "RUNNER", "2025", "4 DR", "FWD", "1", "5", ""],
        ["BRANDA", "RUNNER", "2025", "4 DR", "AWD", "1", "5", ""],
    ]
    root, data = catalog(tmp_path, rows)
    [conflict] = import_values(root, "ratings.yml", data).conflicts
    assert (conflict.attribute, conflict.old[0].value, conflict.new) == ("price", 30000, ())
    import_values(root, "ratings.yml", data, accept=True)
    assert load(root).by_id["x"].value("price") is None
    rows = [
        r
        for f in (root / "products").glob("*.yml")
        for r in yaml.safe_load(f.read_text())["products"]
    ]
    [written] = [r for r in rows if r["id"] == "x"]
    assert "price" not in written["values"]  # removed, not left behind as an empty value


@pytest.mark.parametrize(("seats_on_file", "expected"), [("5", 5), (None, 4)])
def test_a_gap_only_column_fills_a_gap_and_never_overwrites(tmp_path, seats_on_file, expected):
    products = PRODUCTS.replace("      body: sedan\n", "      body: sedan\n      seats: 5\n")
    rows = [
        ["BRANDA", "RUNNER", "2025", "4 DR", "FWD", "1", "4", "30000"],
        ["BRANDA", "RUNNER", "2025", "4 DR", "AWD", "1", "4", "30000"],
    ]
    root, data = catalog(tmp_path, rows, products if seats_on_file else PRODUCTS)
    plan = import_values(root, "ratings.yml", data, accept=True)
    assert plan.conflicts == []
    assert load(root).by_id["x"].value("seats") == expected
