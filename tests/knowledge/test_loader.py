"""The validator reports every problem with file, product and field, and loads good catalogs."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.errors import CatalogError
from knowledge.loader import load, validate
from tests.conftest import TINY_CATEGORY, write_catalog

GOOD = """
  - {{id: {pid}, brand: BrandA, model: M, values: {{{values}}},
     sources: [https://example.org/x], as_of: 2025-06-01}}
"""


def codes_for(tmp_path, rows: str) -> list[str]:
    folder = write_catalog(tmp_path / "c", products={"bad.yml": "products:\n" + rows})
    return [p.message[:6] for p in validate(folder).problems]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ("colour: red", "[E101]"),
        ("price: cheap", "[E102]"),
        ("seats: 6.5", "[E102]"),
        ("price: '30000 EUR'", "[E103]"),
        ("seats: 12", "[E106]"),
        ("body: truck", "[E108]"),
        ("drive: awd", "[E102]"),
    ],
)
def test_validator_names_each_bad_value(tmp_path, values, code):
    assert codes_for(tmp_path, GOOD.format(pid="x1", values=values)) == [code]


def test_validator_accepts_a_value_written_with_its_unit(tmp_path):
    folder = write_catalog(
        tmp_path / "c",
        products={"ok.yml": "products:\n" + GOOD.format(pid="x", values="price: '30,000 USD'")},
    )
    assert load(folder).by_id["x"].value("price") == 30000


def test_validator_reports_duplicate_ids_with_the_first_file(tmp_path):
    rows = GOOD.format(pid="dup", values="seats: 5") + GOOD.format(pid="dup", values="seats: 4")
    folder = write_catalog(tmp_path / "c", products={"bad.yml": "products:\n" + rows})
    problems = validate(folder).problems
    assert [p.message[:6] for p in problems] == ["[E104]"]
    assert problems[0].product == "dup" and problems[0].field == "id"


def test_validator_requires_a_source_url(tmp_path):
    rows = "  - {id: s, brand: B, model: M, values: {}, as_of: 2025-01-01}\n"
    rows += "  - {id: t, brand: B, model: M, values: {}, sources: [not a url], as_of: 2025-01-01}\n"
    assert codes_for(tmp_path, rows) == ["[E105]", "[E111]"]


def test_validator_requires_fields_and_dates(tmp_path):
    rows = "  - {id: s, model: M, values: {}, sources: [https://e.org], as_of: 'June 2025', colour: red}\n"
    assert sorted(codes_for(tmp_path, rows)) == ["[E107]", "[E109]", "[E110]"]


def test_validator_checks_known_issues(tmp_path):
    rows = (
        "  - {id: s, brand: B, model: M, values: {}, sources: [https://e.org], as_of: 2025-01-01,"
        " known_issues: [{kind: rumour, summary: x}, {kind: recall}]}\n"
    )
    assert codes_for(tmp_path, rows) == ["[E108]", "[E114]"]


def test_validator_reports_every_problem_in_every_file_with_where(tmp_path):
    folder = write_catalog(
        tmp_path / "c",
        products={
            "one.yml": "products:\n" + GOOD.format(pid="p1", values="seats: 99, price: x"),
            "two.yml": "products:\n" + GOOD.format(pid="p2", values="body: boat"),
        },
    )
    problems = validate(folder).problems
    assert len(problems) == 3
    rendered = [str(p) for p in problems]
    assert any(
        "one.yml: product 'p1', field 'values.seats'" in r and "[E106]" in r for r in rendered
    )
    assert any("two.yml: product 'p2', field 'values.body'" in r for r in rendered)


def test_unreadable_yaml_and_missing_catalog_are_reported(tmp_path):
    folder = write_catalog(tmp_path / "c", products={"broken.yml": "products: [ {id: x"})
    assert [p.message[:6] for p in validate(folder).problems] == ["[E100]"]
    assert validate(tmp_path / "nowhere").problems[0].message.startswith("[E113]")


def test_bad_category_declaration_is_reported(tmp_path):
    category = TINY_CATEGORY.replace("op: max", "op: most")
    folder = write_catalog(tmp_path / "c", category=category)
    assert [p.message[:6] for p in validate(folder).problems] == ["[E112]"]


@pytest.mark.parametrize(
    ("before", "after", "detail"),
    [
        ("range: [2, 9]", "range: [null, 9]", "range must be [min, max] numbers"),
        ("range: [2, 9]", "range: [9, 2]", "range must be [min, max] numbers"),
        ("values: [sedan, suv]", "values: sedan", "'values' must be a list of names"),
        ("attribute: price, op: max", "attribute: [price], op: max", "must name a declared"),
        ("fixed: [awd]", "fixed: [4wd]", "'fixed' must list values of attribute 'drive'"),
        ("attributes: [price]", "attributes: price", "must list declared attributes"),
        ("brand_aliases: {BrandA: [BA]}", "brand_aliases: [BA]", "'brand_aliases' must map"),
        ("{suv: [crossover]}", "{truck: [pickup]}", "'value_synonyms' and 'value_labels'"),
    ],
)
def test_misshapen_category_declarations_are_described(tmp_path, before, after, detail):
    assert before in TINY_CATEGORY
    folder = write_catalog(tmp_path / "c", category=TINY_CATEGORY.replace(before, after))
    problems = validate(folder).problems
    assert [p.message[:6] for p in problems] == ["[E112]"]
    assert detail in problems[0].message and problems[0].file.endswith("category.yml")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ("aliases: Smally", "aliases", "[E102]"),
        ("known_issues: {kind: recall}", "known_issues", "[E102]"),
        ("trim: [LX, EX]", "trim", "[E102]"),
    ],
)
def test_misshapen_product_fields_are_described(tmp_path, fields, field, code):
    row = GOOD.format(pid="x1", values="seats: 5").replace("values:", fields + ", values:")
    folder = write_catalog(tmp_path / "c", products={"bad.yml": "products:\n" + row})
    problems = validate(folder).problems
    assert [(p.message[:6], p.product, p.field) for p in problems] == [(code, "x1", field)]


def test_non_finite_numbers_are_refused(tmp_path):
    assert codes_for(tmp_path, GOOD.format(pid="x1", values="mpg: .nan")) == ["[E102]"]


def test_load_raises_with_all_problems(tmp_path):
    rows = GOOD.format(pid="a", values="seats: 99") + GOOD.format(pid="b", values="seats: 0")
    folder = write_catalog(tmp_path / "c", products={"bad.yml": "products:\n" + rows})
    with pytest.raises(CatalogError) as caught:
        load(folder)
    assert len(caught.value.problems) == 2


def test_kb_validate_command_prints_all_problems_and_fails(tmp_path):
    rows = GOOD.format(pid="a", values="seats: 99") + GOOD.format(pid="b", values="colour: red")
    folder = write_catalog(tmp_path / "c", products={"bad.yml": "products:\n" + rows})
    result = CliRunner().invoke(cli, ["kb", "validate", str(folder)])
    assert result.exit_code == 1
    assert "[E106]" in result.output and "[E101]" in result.output
    assert "2 problem(s)" in result.output


def test_default_vehicle_catalog_is_valid_and_broad(vehicles):
    assert len(vehicles) >= 60
    assert len(vehicles.brands) >= 12
    assert {"Chevrolet", "GMC", "Buick", "Cadillac", "Toyota", "Honda", "Ford", "Tesla"} <= set(
        vehicles.brands
    )
    assert {p.value("body_type") for p in vehicles} >= {"sedan", "suv", "minivan", "pickup"}
    assert {p.value("powertrain") for p in vehicles} == {
        "gas",
        "hybrid",
        "plug_in_hybrid",
        "electric",
    }
    assert all(p.sources and p.as_of for p in vehicles)
    assert all(2024 <= p.year <= 2026 for p in vehicles)
