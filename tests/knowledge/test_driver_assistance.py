"""Driver-assistance needs: only equipment NHTSA lists as standard meets "must have ..."; optional
equipment is shown as optional and never counts; the advisor says why a vehicle misses."""

from __future__ import annotations

import pytest

from knowledge.constraints import failures
from knowledge.facts import fact_answer, mentioned_attributes
from knowledge.matching import eligible, recommend
from knowledge.needs import NeedsProfile

NEEDS = {
    "blind_spot": "blind_spot_warning",
    "collision_warning": "forward_collision_warning",
    "lane_warning": "lane_departure_warning",
    "emergency_braking": "automatic_emergency_braking",
}


@pytest.mark.parametrize(("need", "attribute"), sorted(NEEDS.items()))
def test_only_standard_equipment_meets_the_need(vehicles, need, attribute):
    profile = NeedsProfile.from_dict(vehicles.category, {need: True})
    ids = {p.id for p in eligible(vehicles, profile)}
    standard = {p.id for p in vehicles.products if p.value(attribute) == "standard"}
    assert ids == standard and ids
    optional = [p for p in vehicles.products if p.value(attribute) == "optional"]
    for product in optional:
        (miss,) = failures(vehicles.category, profile.constraints, product)
        assert "optional" in miss.text


def test_a_shopper_who_requires_blind_spot_warning_gets_only_vehicles_with_it_standard(vehicles):
    profile = NeedsProfile.from_dict(vehicles.category, {"body": ["suv"], "blind_spot": True})
    advice = recommend(vehicles, profile)
    assert advice.matches
    assert all(m.product.value("blind_spot_warning") == "standard" for m in advice.matches)


def test_a_question_about_equipment_names_what_nhtsa_lists_and_cites_it(vehicles):
    wrangler = vehicles.by_id["jeep-wrangler-2025"]
    asked = mentioned_attributes(vehicles, "does it have lane keep assist?")
    assert asked == ["lane_departure_warning"]
    answer = fact_answer(vehicles, wrangler, asked)
    assert "Lane departure warning: not offered" in answer and "NHTSA" in answer
