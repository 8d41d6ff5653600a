"""A figure that exists only for some products (`applies_when` in category.yml: an electric range
only for electric and plug-in models): a product outside them has no such figure at all. It misses
a need on that figure as it misses any other need, it is never offered as "might also fit" for a
figure missing from the file, its fact answer says it has no such figure, and a catalog row that
gives it one anyway is reported."""

from __future__ import annotations

import pytest

from analysis.unmet import CatalogCheck
from knowledge.compare import compare
from knowledge.constraints import failures
from knowledge.coverage import coverage
from knowledge.facts import fact_answer, fact_citations
from knowledge.loader import load, validate
from knowledge.matching import recommend
from knowledge.needs import build_profile
from tests.conftest import TINY_CATEGORY, write_catalog

CATEGORY = TINY_CATEGORY.replace(
    "    range: [5, 80]\n", "    range: [5, 80]\n    applies_when: {body: [sedan]}\n"
)
PRODUCTS = """
products:
  - {id: a-small, brand: BrandA, model: Small, year: 2025,
     values: {price: 20000, seats: 5, mpg: 40, body: sedan, drive: [fwd]},
     sources: [https://example.org/a-small], as_of: 2025-06-01}
  - {id: b-small, brand: BrandB, model: Compact, year: 2025,
     values: {price: 22000, seats: 5, mpg: 35, body: sedan, drive: [fwd, awd]},
     sources: [https://example.org/b-small], as_of: 2025-06-01}
  - {id: b-plain, brand: BrandB, model: Plain, year: 2025,
     values: {price: 21000, seats: 5, body: sedan, drive: [fwd]},
     sources: [https://example.org/b-plain], as_of: 2025-06-01}
  - {id: a-big, brand: BrandA, model: Big, year: 2025,
     values: {price: 45000, seats: 7, body: suv, drive: [fwd, awd]},
     sources: [https://example.org/a-big], as_of: 2025-06-01}
"""


@pytest.fixture
def shop(tmp_path):
    return load(write_catalog(tmp_path / "c", category=CATEGORY, products={"all.yml": PRODUCTS}))


def test_the_declaration_is_read(shop):
    mpg = shop.category.attributes["mpg"]
    assert mpg.applies_when == {"body": ("sedan",)}
    assert mpg.applies_to(shop.by_id["a-small"].values)
    assert not mpg.applies_to(shop.by_id["a-big"].values)
    assert mpg.applies_to({"price": 1})  # with no body on file, it may have one


def test_a_product_without_such_a_figure_misses_the_need_and_never_might_fit(shop):
    profile = build_profile(shop.category, {"mpg": 30})
    [miss] = failures(shop.category, profile.constraints, shop.by_id["a-big"])
    assert miss.text == "suv, so no Fuel economy" and miss.actual == "suv"
    advice = recommend(shop, profile)
    assert [m.product.id for m in advice.matches] == ["a-small", "b-small"]
    # the sedan with no figure on file might fit; the SUV, which has no such figure, does not
    assert [m.product.id for m in advice.might_fit] == ["b-plain"]


def test_nothing_fits_names_the_reason_not_a_missing_figure(shop):
    profile = build_profile(shop.category, {"mpg": 30, "body": ["suv"]})
    advice = recommend(shop, profile)
    assert advice.nothing_fits is not None and advice.might_fit == ()


def test_the_fact_answer_says_there_is_no_such_figure(shop):
    big = shop.by_id["a-big"]
    assert (
        fact_answer(shop, big, ["mpg"])
        == "The 2025 BrandA Big is a suv car: it has no Fuel economy."
    )
    assert fact_citations(shop, big, ["mpg"]) == []
    plain = fact_answer(shop, shop.by_id["b-plain"], ["mpg"])
    assert plain.startswith("I have no fuel economy on file for the 2025 BrandB Plain")


def test_the_comparison_shows_none_rather_than_no_data(shop):
    table = compare(shop, [shop.by_id["a-small"], shop.by_id["a-big"], shop.by_id["b-plain"]])
    [mpg] = [r for r in table.rows if r.attribute == "mpg"]
    assert mpg.values == ("40 mpg", "none", "no data")


def test_the_miner_counts_only_figures_that_could_exist_as_missing(shop):
    gaps = CatalogCheck(shop).figure_gaps({"mpg": 30})[1]["mpg"]
    ids = [p.id for i, p in enumerate(shop.products) if gaps >> i & 1]
    assert ids == ["b-plain"]


def test_a_row_giving_a_figure_it_cannot_have_is_reported(tmp_path):
    bad = PRODUCTS.replace(
        "values: {price: 45000, seats: 7,", "values: {price: 45000, seats: 7, mpg: 22,"
    )
    folder = write_catalog(tmp_path / "c", category=CATEGORY, products={"all.yml": bad})
    [problem] = validate(folder).problems
    assert (problem.product, problem.field) == ("a-big", "values.mpg")
    assert (
        problem.message.startswith("[E118]")
        and "only for body sedan; this product has body suv" in problem.message
    )
    # a bad deciding value is reported once, as itself
    worse = bad.replace("mpg: 22, body: suv", "mpg: 22, body: boat")
    assert worse != bad
    write_catalog(tmp_path / "c", category=CATEGORY, products={"all.yml": worse})
    assert [p.message[:6] for p in validate(folder).problems] == ["[E108]"]


@pytest.mark.parametrize(
    "declared, detail",
    [
        ("{colour: [red]}", "applies_when names 'colour', which is not a declared category"),
        ("{seats: [5]}", "applies_when names 'seats', which is not a declared category"),
        ("{body: [wagon]}", "applies_when lists wagon, not values of 'body' (sedan, suv)"),
        ("[sedan]", "'applies_when' must map category attributes to their values"),
    ],
)
def test_a_misshapen_declaration_is_described(tmp_path, declared, detail):
    category = CATEGORY.replace("applies_when: {body: [sedan]}", f"applies_when: {declared}")
    folder = write_catalog(tmp_path / "c", category=category, products={"all.yml": PRODUCTS})
    problems = validate(folder).problems
    assert [p.message[:6] for p in problems] == ["[E112]"] and detail in problems[0].message


def test_coverage_counts_only_products_that_can_have_the_figure(shop):
    found = coverage(shop)
    assert (
        found["attributes"]["mpg"] == 2 / 3
    )  # three sedans, two with a figure; the SUV not counted
    assert found["brands"]["BrandA"]["mpg"] == 1.0 and found["brands"]["BrandB"]["mpg"] == 0.5
