"""Answer first: the best matches at once, then at most one question, the one whose answer splits
the current matches the most; never one already answered, declined or unable to change the result;
no question after a nothing-fits. On a tiny catalog whose numbers the tests reason about, on the
vehicles and on the laptops."""

from __future__ import annotations

import pytest

from knowledge.interview import (
    answers,
    button_amount,
    next_question,
    next_turn,
    ranked_questions,
    split,
)
from knowledge.loader import CATALOGS_DIR, load
from knowledge.needs import NeedsProfile, build_profile
from tests.conftest import TINY_CATEGORY, TINY_PRODUCTS, write_catalog

# Asked in this order by a fixed interview: all-wheel drive first.
INTERVIEW = """
interview:
  ask:
    - need: awd
      question: Do you need all-wheel drive?
      buttons: {"Yes": I need AWD, "No": no preference}
    - need: body
      question: Sedan or SUV?
      buttons: {Sedan: a sedan, SUV: an SUV, No preference: no preference}
    - need: budget
      question: What's your budget?
      buttons: {Under $25k: under $25k, Under $35k: under $35k, Under $50k: under $50k}
"""


@pytest.fixture(scope="module")
def cars(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interview") / "cars"
    return load(write_catalog(folder, TINY_CATEGORY + INTERVIEW, {"all.yml": TINY_PRODUCTS}))


@pytest.fixture(scope="module")
def laptops():
    return load(CATALOGS_DIR / "laptops")


def test_the_chosen_question_is_not_the_fixed_order_when_another_splits_the_matches_better(cars):
    fixed_order_first = cars.category.interview[0].need
    assert fixed_order_first == "awd"
    scored = {s.question.need: s for s in ranked_questions(cars, NeedsProfile())}
    # 4 of the 5 cars offer AWD: "yes" keeps 4, "no" keeps all 5
    assert scored["awd"].kept == (4, 5) and scored["awd"].split == pytest.approx(4 / 9 * 1 / 5)
    # 2 sedans, 3 SUVs: either answer rules out a good share
    assert scored["body"].split == pytest.approx(2 / 5 * 3 / 5 + 3 / 5 * 2 / 5)
    assert scored["body"].split > scored["budget"].split > scored["awd"].split
    assert next_question(cars, NeedsProfile()).need == "body" != fixed_order_first


def test_a_question_already_answered_or_declined_is_never_asked(cars):
    sedans = build_profile(cars.category, {"body": "sedan"})
    assert "body" not in {s.question.need for s in ranked_questions(cars, sedans)}
    declined = ranked_questions(cars, NeedsProfile(), declined=["body"])
    assert [s.question.need for s in declined][0] == "budget"
    assert next_question(cars, NeedsProfile(), declined=["body", "budget", "awd"]) is None


def test_a_question_that_cannot_change_the_result_is_never_asked(cars):
    big = build_profile(cars.category, {"body": "suv", "mpg": 20})
    matches = [p.id for p in cars if p.value("body") == "suv" and (p.value("mpg") or 0) >= 20]
    assert sorted(matches) == ["a-big", "c-big"]
    # both offer AWD ("yes" keeps both, as "no" does); both cost $41-45k (under $25k or $35k
    # keeps neither, under $50k both): no answer to either question changes what is shown
    assert ranked_questions(cars, big) == []
    assert next_turn(cars, big).question is None


def test_answers_come_from_the_values_the_buttons_and_yes_or_no(cars, vehicles):
    body, budget = cars.category.interview[1], cars.category.interview[2]
    assert [a.label for a in answers(cars, body, list(cars))] == ["sedan", "suv"]
    assert [a.constraint.value for a in answers(cars, budget, list(cars))] == [25000, 35000, 50000]
    awd = answers(cars, cars.category.interview[0], list(cars))
    assert [a.label for a in awd] == ["yes", "no"] and awd[1].constraint is None
    seats = next(q for q in vehicles.category.interview if q.need == "seats")
    assert [a.constraint.value for a in answers(vehicles, seats, [])] == [5, 7, 8]


@pytest.mark.parametrize(
    "payload, amount",
    [("under $30k", 30000), ("at least 7 seats", 7), ("under $1500", 1500), ("a sedan", None)],
)
def test_button_amounts(payload, amount):
    assert button_amount(payload) == amount


def test_split_is_the_share_an_answer_is_expected_to_rule_out():
    assert split([25, 25, 25, 25], 100) == pytest.approx(0.75)
    assert split([100, 0, 0], 100) == 0.0  # every match answers alike
    assert split([], 10) == 0.0


def test_answer_first_shows_matches_and_one_question(vehicles):
    suvs = build_profile(vehicles.category, {"body": "suv"})
    turn = next_turn(vehicles, suvs)
    assert turn.advice.matches and turn.advice.match_count > 3
    assert turn.question is not None and turn.question.need != "body"
    best = ranked_questions(vehicles, suvs, matches=[p for p, _ in turn.advice.ranked])
    assert turn.question == best[0].question
    assert all(best[0].split >= s.split for s in best)


def test_nothing_narrowing_the_catalog_gets_only_the_question(vehicles, laptops):
    for catalog in (vehicles, laptops):
        turn = next_turn(catalog, NeedsProfile())
        assert turn.advice is None
        assert turn.question in catalog.category.interview


def test_every_question_declined_gets_the_default_ranking(vehicles):
    declined = [q.need for q in vehicles.category.interview]
    turn = next_turn(vehicles, NeedsProfile(), declined)
    assert turn.question is None and len(turn.advice.matches) == 3


def test_needs_no_product_meets_get_nothing_fits_at_once_and_no_question(vehicles):
    # a cheap, very efficient minivan
    impossible = build_profile(vehicles.category, {"body": "minivan", "budget": 25000, "mpg": 50})
    turn = next_turn(vehicles, impossible)
    assert turn.advice.nothing_fits is not None and turn.advice.nothing_fits.nearest
    assert turn.question is None


def test_the_laptop_interview_is_chosen_the_same_way(laptops):
    macs = build_profile(laptops.category, {"os": "macos"})
    turn = next_turn(laptops, macs)
    shown = [p for p, _ in turn.advice.ranked]
    assert all(p.value("os") == "macos" for p in shown)
    if turn.question is not None:  # only the budget is left to ask, if it can change the result
        assert turn.question.need == "budget"
    assert next_question(laptops, macs, declined=["budget"], matches=shown) is None
