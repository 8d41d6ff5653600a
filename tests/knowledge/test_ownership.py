"""Cost to own as AAA presents it: every yearly cost from a sourced assumption, the shopper's years
and miles, the energy from the vehicle's own EPA figure; the assumptions file and its checks."""

from __future__ import annotations

import pytest

from knowledge.loader import CATALOGS_DIR, load, validate
from knowledge.ownership import cost_answer, cost_to_own, terms, terms_from_text
from tests.conftest import TINY_CATEGORY, write_catalog

# AAA's "Your Driving Costs" 2025 as reported on 2025-09-17 (the source ownership.yml cites).
AAA_TOTAL, AAA_DEPRECIATION, AAA_FINANCE, AAA_FUEL_CENTS_A_MILE = 11577, 4334, 1131, 13.00


@pytest.fixture(scope="module")
def assumptions(vehicles):
    return {c.id: c for c in vehicles.category.ownership.costs}


def test_the_shipped_assumptions_are_aaas_2025_figures_each_with_its_source(vehicles, assumptions):
    ownership = vehicles.category.ownership
    assert (ownership.years, ownership.usage) == (5, 15000)
    assert assumptions["depreciation"].amount == AAA_DEPRECIATION
    assert assumptions["financing"].amount == AAA_FINANCE
    assert ownership.energy_price("gallon").price == 3.151
    assert ownership.energy_price("kWh").price == 0.167
    for item in [*ownership.costs, *ownership.energy_prices]:
        assert item.source.startswith("https://") and item.as_of.isoformat() == "2025-09-17"


def test_the_combined_line_is_aaas_total_less_the_figures_it_gives(assumptions):
    fuel = AAA_FUEL_CENTS_A_MILE / 100 * 15000
    rest = AAA_TOTAL - AAA_DEPRECIATION - AAA_FINANCE - fuel
    assert assumptions["insurance_fees_maintenance"].amount == pytest.approx(rest)
    assert "not on file" in assumptions["insurance_fees_maintenance"].note


def test_every_line_has_a_figure_a_source_and_the_total_adds_up(vehicles):
    cost = cost_to_own(vehicles, vehicles.by_id["honda-cr-v-hybrid-2025"])
    assert [line.id for line in cost.lines] == [
        "depreciation", "financing", "insurance_fees_maintenance", "energy",
    ]  # fmt: skip
    assert all(line.per_year is not None and line.sources for line in cost.lines)
    assert cost.per_year == pytest.approx(sum(line.per_year for line in cost.lines))
    assert cost.total == pytest.approx(cost.per_year * 5)


def test_the_answer_says_which_figures_are_national_averages(vehicles):
    cost = cost_to_own(vehicles, vehicles.by_id["honda-cr-v-hybrid-2025"])
    text = cost_answer(cost, vehicles)
    assert "are the US average for a new vehicle in AAA's study, not this model's own" in text
    assert "energy is its own" in text
    assert f"Total: about ${cost.per_year:,.0f} a year, ${cost.total:,.0f} over 5 years." in text


def test_other_years_and_miles_change_energy_and_say_what_the_averages_assume(vehicles):
    product = vehicles.by_id["honda-cr-v-hybrid-2025"]
    usual, mine = cost_to_own(vehicles, product), cost_to_own(vehicles, product, 8, 10000)
    assert mine.lines[-1].per_year == pytest.approx(usual.lines[-1].per_year * 10000 / 15000)
    assert mine.lines[0].per_year == usual.lines[0].per_year
    assert mine.total == pytest.approx(mine.per_year * 8)
    text = cost_answer(mine, vehicles)
    assert "(as you asked" in text and "assume 15,000 miles a year" in text
    assert "for 5 years of ownership; over 8" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cost to own over 7 years at 12,000 miles a year", (7, 12000)),
        ("what about 8k miles for 3 yrs", (3, 8000)),
        ("10-year cost with 9000 miles per year", (10, 9000)),
        ("what does the Tahoe cost to own?", (None, None)),
    ],
)
def test_terms_are_read_from_the_shoppers_words(vehicles, text, expected):
    assert terms_from_text(vehicles.category.ownership, text) == expected


@pytest.mark.parametrize(("years", "usage"), [(0, 15000), (40, 15000), ("x", -5), (5, 10**7)])
def test_terms_out_of_bounds_fall_back_to_the_defaults(vehicles, years, usage):
    chosen = terms(vehicles.category.ownership, years, usage)
    assert (chosen.years == 5 or years == 5) and chosen.usage == 15000


OWNERSHIP = """
roles:
  price: price
  energy:
    - {attribute: mpg, measure: efficiency, unit: gallon}
"""
OWNERSHIP_FILE = """
years: 3
usage: {amount: 12000, label: miles a year, words: [miles a year]}
energy_prices:
  gallon: {price: 3.00, label: a gallon, source: "https://example.org/fuel", as_of: 2025-01-02}
costs:
  - {id: upkeep, label: Maintenance, amount: 0.1, per: usage, source: "https://example.org/m", as_of: 2025-01-02}
  - {id: cover, label: Insurance, amount: 900, per: year, scope: a national average, source: "https://example.org/i", source_label: Example, as_of: 2025-01-02}
"""


def test_a_catalog_keeps_its_assumptions_in_ownership_yml(tmp_path):
    folder = write_catalog(tmp_path / "cars", TINY_CATEGORY + OWNERSHIP)
    (folder / "ownership.yml").write_text(OWNERSHIP_FILE)
    catalog = load(folder)
    cost = cost_to_own(catalog, catalog.by_id["a-small"])
    lines = {line.id: line for line in cost.lines}
    assert lines["upkeep"].per_year == pytest.approx(1200)  # $0.10 x 12,000 miles
    assert lines["cover"].sources[0].label == "Example" and lines["cover"].scope
    assert lines["energy"].per_year == pytest.approx(12000 / 40 * 3.00)
    assert "Insurance is a national average; maintenance and energy are its own." in cost_answer(
        cost, catalog
    )


@pytest.mark.parametrize(
    ("before", "after", "field"),
    [
        ("amount: 900", "amount: lots", "ownership.costs[1].amount"),
        ("per: usage", "per: week", "ownership.costs[0].per"),
        ('"https://example.org/i"', "example.org", "ownership.costs[1].source"),
        ("id: cover", "id: upkeep", "ownership.costs[1].id"),
        ("years: 3", "years: 3\nmaybe: 1", "ownership.maybe"),
    ],
)
def test_a_bad_assumption_is_reported_with_the_ownership_file_and_field(
    tmp_path, before, after, field
):
    folder = write_catalog(tmp_path / "cars", TINY_CATEGORY + OWNERSHIP)
    (folder / "ownership.yml").write_text(OWNERSHIP_FILE.replace(before, after, 1))
    problems = validate(folder).problems
    assert problems and problems[0].file.endswith("ownership.yml")
    assert (problems[0].message[:6], problems[0].field) == ("[E116]", field)


def test_assumptions_in_both_places_are_refused(tmp_path):
    twice = "ownership: {years: 2, usage: {amount: 1000, label: miles a year}}\n"
    folder = write_catalog(tmp_path / "cars", TINY_CATEGORY + OWNERSHIP + twice)
    (folder / "ownership.yml").write_text(OWNERSHIP_FILE)
    problems = validate(folder).problems
    assert problems[0].file.endswith("ownership.yml") and "keep one" in problems[0].message


def test_the_laptop_catalog_has_no_cost_to_own():
    laptops = load(CATALOGS_DIR / "laptops")
    assert laptops.category.ownership is None
    assert cost_to_own(laptops, laptops.products[0]) is None
