"""`advisor kb coverage`: shares of products with a figure per brand and attribute, overall, the
values that cite only their product's sources, and the catalog's declared coverage targets, which
the shipped catalog must meet (a gate of the test command)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.coverage import coverage, read_targets, unsourced
from knowledge.loader import load
from tests.knowledge.source_fixtures import source_catalog

TARGETS = "targets:\n  - {attribute: mpg, at_least: 0.9, where: {body: [sedan]}}\n"


def test_the_shipped_catalog_declares_its_coverage_targets():
    attributes = {t.attribute for t in read_targets(load())}
    assert {"mpg_combined", "mpge_combined", "ev_range_mi"} <= attributes


@pytest.mark.parametrize("target", read_targets(load()), ids=lambda t: t.attribute)
def test_the_shipped_catalog_meets_each_declared_target(target):
    have, of = target.measure(load())
    assert have / of >= target.share, target.describe()


def test_shares_are_per_brand_and_attribute_and_overall(tiny_catalog):
    data = coverage(tiny_catalog)
    assert data["brands"]["BrandC"]["mpg"] == 0.5
    assert data["attributes"]["mpg"] == 0.8
    assert data["overall"] == 24 / 25


def test_a_target_reports_what_it_misses(tmp_path):
    root = source_catalog(tmp_path / "c", {"coverage.yml": TARGETS})
    path = root / "products" / "cars.yml"
    path.write_text(path.read_text().replace("      mpg: 37\n", ""))
    [target] = coverage(load(root))["targets"]
    assert (target["have"], target["of"], target["met"], target["missing"]) == (0, 1, False, ["x"])


def test_unsourced_lists_values_with_only_product_level_sources(tiny_catalog):
    assert unsourced(tiny_catalog)["c-mid"] == ["price", "seats", "body", "drive"]


def test_the_command_prints_the_table_the_overall_share_and_json(tiny_catalog_path):
    text = CliRunner().invoke(cli, ["kb", "coverage", "--catalog", str(tiny_catalog_path)])
    assert text.exit_code == 0, text.output
    assert (
        "BrandC (2)" in text.output and "Overall: 96% of product x attribute cells" in text.output
    )
    result = CliRunner().invoke(
        cli, ["kb", "coverage", "--catalog", str(tiny_catalog_path), "--json", "--unsourced"]
    )
    data = json.loads(result.output)
    assert data["attributes"]["seats"] == 1.0 and "a-small" in data["unsourced"]
