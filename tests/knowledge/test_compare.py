"""Side-by-side comparison: values with units, the better one, data-derived pros and cons."""

import pytest

from knowledge.compare import compare
from knowledge.render import render_comparison


def test_rows_show_values_with_units_and_mark_the_better_one(tiny_catalog):
    comparison = compare(tiny_catalog, [tiny_catalog.find("Small"), tiny_catalog.find("Big")])
    rows = {r.attribute: r for r in comparison.rows}
    assert rows["price"].values == ("$20,000", "$45,000") and rows["price"].best == (0,)
    assert rows["seats"].values == ("5 seats", "7 seats") and rows["seats"].best == (1,)
    assert rows["body"].best == ()  # no direction


def test_missing_values_show_as_no_data_and_do_not_win(tiny_catalog):
    comparison = compare(tiny_catalog, [tiny_catalog.find("Middle"), tiny_catalog.find("Hauler")])
    mpg = next(r for r in comparison.rows if r.attribute == "mpg")
    assert mpg.values == ("no data", "22 mpg") and mpg.best == ()


def test_pros_and_cons_come_from_the_products_standing_in_the_category(tiny_catalog):
    comparison = compare(tiny_catalog, [tiny_catalog.find("Small"), tiny_catalog.find("Hauler")])
    assert "Price: $20,000, in the best quarter of cars here" in comparison.pros[0]
    assert "Fuel economy: 40 mpg, in the best quarter of cars here" in comparison.pros[0]
    assert "Seats: 8 seats, in the best quarter of cars here" in comparison.pros[1]
    assert "Fuel economy: 22 mpg, in the worst quarter of cars here" in comparison.cons[1]


def test_known_issues_are_included_with_sources(tiny_catalog):
    comparison = compare(tiny_catalog, [tiny_catalog.find("Compact"), tiny_catalog.find("Small")])
    assert comparison.issues[0][0].source == "https://example.org/recall"
    text = render_comparison(comparison)
    assert "! recall: Seat belt anchor may loosen. [https://example.org/recall]" in text
    assert "sources: https://example.org/b-small" in text


def test_three_products_compare_and_one_or_four_do_not(tiny_catalog):
    three = [tiny_catalog.find(n) for n in ("Small", "Big", "Hauler")]
    assert len(compare(tiny_catalog, three).products) == 3
    with pytest.raises(ValueError):
        compare(tiny_catalog, three[:1] * 2)
    with pytest.raises(ValueError):
        compare(tiny_catalog, [*three, tiny_catalog.find("Middle")])
