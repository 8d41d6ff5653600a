"""A value may carry its own source, as-of date and configuration; the validator checks them."""

from __future__ import annotations

import textwrap

from knowledge.loader import load, validate
from knowledge.matching import recommend
from knowledge.needs import build_profile
from tests.conftest import TINY_CATEGORY, write_catalog

CATEGORY = TINY_CATEGORY + "\nconfiguration: {attribute: drive, key: drive}\n"
EPA = "https://www.fueleconomy.gov/feg/Find.do?action=sbs&id="


def catalog_with(tmp_path, mpg: str, drive: str = "[fwd, awd]", sources: dict | None = None):
    rows = f"""
    products:
      - id: x
        brand: BrandA
        model: M
        year: 2025
        values:
          drive: {drive}
          mpg: {mpg}
        sources: [https://example.org/x]
        as_of: 2025-06-01
    """
    folder = write_catalog(tmp_path / "c", CATEGORY, {"x.yml": rows})
    for name, text in (sources or {}).items():
        (folder / "sources").mkdir(exist_ok=True)
        (folder / "sources" / name).write_text(textwrap.dedent(text))
    return folder


def codes(folder) -> list[str]:
    return [p.message[:6] for p in validate(folder).problems]


def test_a_value_with_its_own_source_loads_as_its_headline_figure(tmp_path):
    mpg = f"{{value: 38, drive: fwd, source: '{EPA}1', as_of: 2025-10-28}}"
    product = load(catalog_with(tmp_path, mpg)).by_id["x"]
    assert product.value("mpg") == 38
    figure = product.figure("mpg")
    assert (figure.source, figure.as_of.isoformat(), figure.config) == (
        f"{EPA}1",
        "2025-10-28",
        "fwd",
    )


def test_a_product_may_hold_one_figure_per_configuration(tmp_path):
    mpg = (
        f"[{{value: 38, drive: fwd, source: '{EPA}1', as_of: 2025-10-28}},"
        f" {{value: 37, drive: awd, source: '{EPA}2', as_of: 2025-10-28}}]"
    )
    product = load(catalog_with(tmp_path, mpg)).by_id["x"]
    assert product.value("mpg") == 38
    assert product.figure("mpg", ["awd"]).value == 37
    assert product.configured(["awd"]).value("mpg") == 37


def test_a_shopper_who_requires_awd_is_answered_with_the_awd_figure(tmp_path):
    mpg = (
        f"[{{value: 38, drive: fwd, source: '{EPA}1', as_of: 2025-10-28}},"
        f" {{value: 37, drive: awd, source: '{EPA}2', as_of: 2025-10-28}}]"
    )
    catalog = load(catalog_with(tmp_path, mpg))
    assert recommend(catalog, build_profile(catalog.category, {"mpg": "38"})).match_count == 1
    awd = build_profile(catalog.category, {"mpg": "38", "awd": True})
    advice = recommend(catalog, awd)
    assert advice.match_count == 0
    assert advice.nothing_fits.nearest[0].failures[0].text == "37 mpg, not 38 mpg"


def test_a_figure_needs_a_source_url_and_an_as_of_date(tmp_path):
    assert codes(catalog_with(tmp_path / "a", "{value: 38, as_of: 2025-10-28}")) == ["[E111]"]
    assert codes(catalog_with(tmp_path / "b", f"{{value: 38, source: '{EPA}1'}}")) == ["[E107]"]


def test_a_figure_may_not_carry_unknown_fields(tmp_path):
    mpg = f"{{value: 38, colour: red, source: '{EPA}1', as_of: 2025-10-28}}"
    assert codes(catalog_with(tmp_path, mpg)) == ["[E118]"]


def test_a_figure_describes_a_configuration_the_product_offers(tmp_path):
    mpg = f"{{value: 38, drive: awd, source: '{EPA}1', as_of: 2025-10-28}}"
    problems = validate(catalog_with(tmp_path, mpg, drive="[fwd]")).problems
    assert [p.message[:6] for p in problems] == ["[E118]"]
    assert (problems[0].product, problems[0].field) == ("x", "values.mpg")


def test_several_figures_each_name_a_different_configuration(tmp_path):
    mpg = (
        f"[{{value: 38, drive: fwd, source: '{EPA}1', as_of: 2025-10-28}},"
        f" {{value: 37, drive: fwd, source: '{EPA}2', as_of: 2025-10-28}}]"
    )
    assert codes(catalog_with(tmp_path, mpg)) == ["[E118]"]


DECLARATION = """
source:
  label: EPA
  key: [id]
  year: year
  cite: https://www.fueleconomy.gov/feg/Find.do?action=sbs&id={id}
  as_of: 2025-10-28
  columns: [id, year, comb08]
fill:
  mpg: {column: comb08}
products:
  x: {rows: {fwd: 1, awd: 2}}
"""


def test_a_declared_attribute_must_cite_its_source_for_a_mapped_row(tmp_path):
    declared = {"epa.yml": DECLARATION}
    good = f"{{value: 38, drive: fwd, source: '{EPA}1', as_of: 2025-10-28}}"
    assert codes(catalog_with(tmp_path / "a", good, sources=declared)) == []
    unmapped = f"{{value: 38, drive: fwd, source: '{EPA}3', as_of: 2025-10-28}}"
    assert codes(catalog_with(tmp_path / "b", unmapped, sources=declared)) == ["[E119]"]
    elsewhere = "{value: 38, source: 'https://example.org/mpg', as_of: 2025-10-28}"
    assert codes(catalog_with(tmp_path / "c", elsewhere, sources=declared)) == ["[E119]"]


def test_a_figure_must_say_the_configuration_its_row_is_mapped_to(tmp_path):
    wrong = f"{{value: 38, drive: awd, source: '{EPA}1', as_of: 2025-10-28}}"
    assert codes(catalog_with(tmp_path, wrong, sources={"epa.yml": DECLARATION})) == ["[E119]"]


def test_a_mapping_may_only_name_catalog_products(tmp_path):
    declared = {"epa.yml": DECLARATION + "  ghost: {rows: [5]}\n"}
    assert codes(catalog_with(tmp_path, "30", sources=declared)) == ["[E120]"]


def test_sources_on_low_quality_sites_are_flagged_but_the_catalog_loads(tmp_path):
    sites = {"sites.yml": "low_quality:\n  example.org: content farm\n"}
    report = validate(catalog_with(tmp_path, "30", sources=sites))
    assert report.ok and report.catalog is not None
    assert [(w.product, w.field, w.message[:6]) for w in report.warnings] == [
        ("x", "sources", "[W121]")
    ]
