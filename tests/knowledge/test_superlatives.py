"""Superlatives and direct questions rank on the attribute they name, within the needs stated; hints
are stated in the reasons. On the tiny catalog, where every number is known."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.errors import NeedsError
from knowledge.matching import recommend
from knowledge.needs import NeedsProfile, build_profile, check_sort, profile_from_values
from knowledge.render import render_advice


def advise(catalog, needs=None, priorities=(), sort=None, hints=(), top=5):
    profile = build_profile(catalog.category, needs or {}, priorities)
    return recommend(catalog, replace(profile, sort=sort, hints=tuple(hints)), top=top)


def ids(advice):
    return [m.product.id for m in advice.matches]


def test_a_superlative_ranks_on_its_attribute_and_a_missing_figure_comes_last(tiny_catalog):
    # mpg: a-small 40, b-small 35, a-big 25, c-big 22; c-mid has none on file
    advice = advise(tiny_catalog, sort="highest mpg")
    assert ids(advice) == ["a-small", "b-small", "a-big", "c-big", "c-mid"]


def test_a_superlative_ranks_within_the_needs_stated(tiny_catalog):
    advice = advise(tiny_catalog, {"body": "suv"}, sort="lowest price")
    assert ids(advice) == ["c-mid", "c-big", "a-big"]  # $30k, $41k, $45k
    default = advise(tiny_catalog, {"body": "suv"}, ["seats"])
    assert ids(default)[0] == "c-big"  # without the order the priority decides


def test_the_reasons_say_where_each_stands_on_the_order(tiny_catalog):
    advice = advise(tiny_catalog, sort="highest mpg")
    first, last = advice.matches[0], advice.matches[-1]
    assert "Fuel economy: 40 mpg, the highest of the 5 matches" in [r.text for r in first.reasons]
    assert "no figure on file for Fuel economy" in [r.text for r in last.reasons]
    text = render_advice(tiny_catalog, advice)
    assert "Ranked by highest fuel economy, as you asked." in text


def test_a_hint_is_stated_in_the_reasons(tiny_catalog):
    advice = advise(tiny_catalog, priorities=["economy"], hints=[("economy", "a long commute")])
    reasons = [r.text for r in advice.matches[0].reasons]
    assert any("you mentioned a long commute" in r for r in reasons), reasons
    assert "fuel economy (you mentioned a long commute)" in render_advice(tiny_catalog, advice)


def test_order_and_hints_round_trip_through_plain_dicts(tiny_catalog):
    category = tiny_catalog.category
    profile = NeedsProfile.from_dict(
        category,
        {"budget": 40000, "priorities": ["economy"], "sort": "lowest price",
         "hints": {"economy": "commute"}},
    )  # fmt: skip
    assert profile.sort_key == ("price", "lowest") and profile.hint("economy") == "commute"
    assert NeedsProfile.from_dict(category, profile.to_dict()) == profile


@pytest.mark.parametrize("sort", ["highest body", "tallest price", "highest colour"])
def test_an_order_on_no_number_attribute_is_refused(tiny_catalog, sort):
    with pytest.raises(NeedsError, match="Unknown order"):
        check_sort(tiny_catalog.category, sort)
    profile, problems = profile_from_values(tiny_catalog.category, {}, sort=sort)
    assert profile.sort is None and problems  # said, never dropped silently


def test_a_hint_for_a_priority_not_stated_is_not_kept(tiny_catalog):
    profile, _ = profile_from_values(tiny_catalog.category, {}, ["price"], hints={"economy": "x"})
    assert profile.hints == ()
