"""Ranking, reasons and nothing-fits on the tiny catalog, where every number is known."""

import pytest

from knowledge.errors import NeedsError
from knowledge.matching import ranking_rules, recommend
from knowledge.needs import NeedsProfile, build_profile, parse_number


def advise(catalog, needs=None, priorities=(), **kw):
    return recommend(catalog, build_profile(catalog.category, needs or {}, priorities), **kw)


def ids(advice):
    return [m.product.id for m in advice.matches]


@pytest.mark.parametrize(
    ("text", "number"),
    [("45k", 45000), ("$45,000", 45000), ("45 thousand", 45000), (7, 7), ("7.5", 7.5)],
)
def test_parse_number_reads_shopper_amounts(text, number):
    assert parse_number(text) == number


def test_parse_number_refuses_words():
    with pytest.raises(NeedsError):
        parse_number("lots")


def test_only_products_meeting_every_hard_constraint_are_matches(tiny_catalog):
    advice = advise(tiny_catalog, {"budget": 42000, "seats": 7})
    assert ids(advice) == ["c-big"]
    assert advice.match_count == 1


def test_default_priorities_rank_cheap_and_efficient_first(tiny_catalog):
    # price 1..0 across 20k..45k, mpg 0..1 across 22..40; Middle has no mpg on file and earns 0 there.
    # a-big: (0 + 3/18) / 2 = 0.083 beats c-big: (4/25 + 0) / 2 = 0.08.
    assert ids(advise(tiny_catalog, top=5)) == ["a-small", "b-small", "c-mid", "a-big", "c-big"]


def test_stated_priority_changes_the_order(tiny_catalog):
    assert ids(advise(tiny_catalog, priorities=["seats"], top=2)) == ["c-big", "a-big"]


def test_synonyms_and_fixed_needs(tiny_catalog):
    advice = advise(tiny_catalog, {"body": "crossover", "awd": True}, top=5)
    assert set(ids(advice)) == {"a-big", "c-big", "c-mid"}


def test_reasons_cite_the_shoppers_needs_and_real_values(tiny_catalog):
    match = advise(tiny_catalog, {"budget": "42k", "seats": 7}).matches[0]
    texts = [r.text for r in match.reasons]
    assert "$41,000, within your budget of $42,000" in texts
    assert "8 seats, you asked for at least 7 seats" in texts


def test_priority_reasons_give_the_place_among_matches(tiny_catalog):
    match = advise(tiny_catalog, {"body": "sedan"}, ["economy"]).matches[0]
    assert "Fuel economy: 40 mpg, best of the 2 matches" in [r.text for r in match.reasons]
    second = advise(tiny_catalog, {"body": "sedan"}, ["economy"]).matches[1]
    assert "Fuel economy: 35 mpg, 2nd of the 2 matches" in [r.text for r in second.reasons]


def test_missing_figures_are_said_not_guessed(tiny_catalog):
    middle = next(
        m for m in advise(tiny_catalog, {"body": "suv"}, top=5).matches if m.product.id == "c-mid"
    )
    assert "no figure on file for fuel economy" in [r.text for r in middle.reasons]
    # And a product without the figure can never satisfy a hard need on it.
    assert "c-mid" not in ids(advise(tiny_catalog, {"mpg": 1}, top=5))


def test_known_issues_travel_with_the_recommendation(tiny_catalog):
    match = advise(tiny_catalog, {"body": "sedan"}, ["price"], top=2).matches[1]
    assert match.product.id == "b-small"
    assert "known recall: Seat belt anchor may loosen." in [r.text for r in match.reasons]


def test_brand_exclusion_is_honoured(tiny_catalog):
    profile = build_profile(tiny_catalog.category, {"body": "suv"}).excluding("BrandC")
    assert ids(recommend(tiny_catalog, profile, top=5)) == ["a-big"]


def test_nothing_fits_names_each_failing_constraint_by_how_much(tiny_catalog):
    advice = advise(tiny_catalog, {"budget": 40000, "seats": 7})
    assert advice.matches == () and advice.nothing_fits is not None
    nearest = advice.nothing_fits.nearest
    assert nearest[0].product.id == "c-big"
    assert [f.text for f in nearest[0].failures] == ["$1,000 over your budget"]
    assert [f.text for f in nearest[1].failures] == ["$5,000 over your budget"]
    assert [f.text for f in nearest[2].failures] == ["5 seats, not 7 seats"]


def test_nothing_fits_orders_by_smallest_relaxation_and_counts_relaxations(tiny_catalog):
    result = advise(tiny_catalog, {"budget": 40000, "seats": 7}).nothing_fits
    assert [m.distance[0] for m in result.nearest] == [1, 1, 1]
    assert result.blocking_needs == ("budget", "seats")
    counts = {r.need: r.matches for r in result.relaxations}
    assert counts == {"budget": 2, "seats": 3}


def test_nothing_fits_for_categorical_and_missing_values(tiny_catalog):
    result = advise(tiny_catalog, {"body": "sedan", "awd": True, "mpg": 38}).nothing_fits
    texts = {m.product.id: [f.text for f in m.failures] for m in result.nearest}
    assert texts["b-small"] == ["35 mpg, not 38 mpg"]
    middle = advise(tiny_catalog, {"mpg": 50}, misses=5).nothing_fits
    texts = {m.product.id: [f.text for f in m.failures] for m in middle.nearest}
    assert texts["c-mid"] == ["no fuel economy figure on file"]


def test_unknown_needs_and_values_are_refused_clearly(tiny_catalog):
    with pytest.raises(NeedsError, match="Unknown need 'colour'"):
        build_profile(tiny_catalog.category, {"colour": "red"})
    with pytest.raises(NeedsError, match="expected one of sedan, suv"):
        build_profile(tiny_catalog.category, {"body": "boat"})
    with pytest.raises(NeedsError, match="Unknown priority"):
        build_profile(tiny_catalog.category, {}, ["speed"])


def test_profile_round_trips_through_a_dict(tiny_catalog):
    profile = build_profile(
        tiny_catalog.category, {"budget": "40k", "body": "suv"}, ["seats"]
    ).excluding("BrandC")
    again = NeedsProfile.from_dict(tiny_catalog.category, profile.to_dict())
    assert again == profile


def test_ranking_rules_are_stated_in_plain_words(tiny_catalog):
    rules = ranking_rules(tiny_catalog)
    assert "same published rules" in rules and "low price, fuel economy" in rules


def test_vehicle_recommendation_end_to_end(vehicles):
    advice = advise(vehicles, {"body": "suv", "awd": True, "budget": 60000}, ["fuel_economy"])
    assert len(advice.matches) == 3
    for match in advice.matches:
        assert match.product.value("body_type") == "suv"
        assert set(match.product.value("drivetrains")) & {"awd", "4wd"}
        assert match.product.value("msrp_usd") <= 60000
