"""The same actions on the laptop catalog ($ADVISOR_CATALOG), with no code of their own: the
interview, 'cheaper', 'bigger', 'smaller', cost to own and known issues; and 'smaller' on vehicles."""

from __future__ import annotations

import pytest

from actions.advise import ActionNoPreference, ActionRecommend, ActionRefine
from actions.facts import ActionCostToOwn, ActionKnownIssues
from actions.session import catalog, need_slots
from knowledge.loader import CATALOGS_DIR
from tests.actions.conftest import make_tracker, product_entity, run_action, slot

AIR_13 = "apple-macbook-air-13-m4-2025"
AIR_15 = "apple-macbook-air-15-m4-2025"
PRO_14 = "apple-macbook-pro-14-m4-2024"


@pytest.fixture
def laptops(monkeypatch):
    monkeypatch.setenv("ADVISOR_CATALOG", str(CATALOGS_DIR / "laptops"))
    assert catalog().category.id == "laptops"
    return catalog()


def test_need_slots_follow_the_catalog(laptops):
    assert need_slots() == tuple(laptops.category.needs) and "os" in need_slots()


def test_the_laptop_interview_asks_the_laptop_questions_one_at_a_time(laptops):
    declared = {q.need: q for q in laptops.category.interview}
    events, dispatcher = run_action(ActionRecommend(), make_tracker("a new laptop", "state_needs"))
    [message] = dispatcher.messages  # nothing narrows the catalog yet: only the question
    asked = slot(events, "asked_need")
    assert message["text"] == declared[asked].text and slot(events, "pending_question") == "need"
    assert [b["title"] for b in message["buttons"]] == [t for t, _ in declared[asked].buttons]
    slots = {"asked_need": asked, "pending_question": "need"}
    events, dispatcher = run_action(
        ActionNoPreference(), make_tracker("no preference", "no_preference", slots=slots)
    )
    assert slot(events, "declined_needs") == [asked]
    other = next(n for n in declared if n != asked)
    assert slot(events, "asked_need") == other
    assert dispatcher.messages[0]["text"] == f"OK, I'll leave that open. {declared[other].text}"


def test_cheaper_laptops_shows_only_lower_prices(laptops):
    slots = {"os": "macos", "budget": 2500, "shown_products": [PRO_14, AIR_15]}
    events, dispatcher = run_action(
        ActionRefine(), make_tracker("cheaper", "refine_cheaper", slots=slots)
    )
    assert slot(events, "budget") == 1198
    items = dispatcher.messages[0]["custom"]["items"]
    assert [i["id"] for i in items] == [AIR_13]


def test_smaller_laptops_caps_the_screen(laptops):
    slots = {"shown_products": [PRO_14, AIR_15]}
    events, dispatcher = run_action(
        ActionRefine(), make_tracker("smaller", "refine_smaller", slots=slots)
    )
    cap = slot(events, "screen_max")
    assert cap < laptops.by_id[PRO_14].value("screen_in")  # the next size down there is
    assert dispatcher.messages[0]["custom"]["items"]
    for item in dispatcher.messages[0]["custom"]["items"]:
        assert laptops.by_id[item["id"]].value("screen_in") <= cap


def test_bigger_with_nothing_to_go_on_says_so(laptops):
    _, dispatcher = run_action(ActionRefine(), make_tracker("bigger", "refine_bigger"))
    assert dispatcher.messages[0]["text"] == "I have no bigger laptops to offer for your needs."


def test_cost_to_own_without_assumptions_gives_the_facts_on_file(laptops):
    text = "what does the MacBook Air 13 cost to own?"
    entity = product_entity("MacBook Air 13", AIR_13, text)
    _, dispatcher = run_action(ActionCostToOwn(), make_tracker(text, "ask_cost_to_own", [entity]))
    reply = dispatcher.messages[0]["text"]
    assert reply.startswith("2025 Apple MacBook Air 13-inch (M4)") and "$999" in reply
    assert "(source: Apple, as of " in reply and ": https://www.apple.com/" in reply


def test_known_issues_use_the_category_recall_check(laptops):
    text = "any recalls on the MacBook Air 13?"
    entity = product_entity("MacBook Air 13", AIR_13, text)
    _, dispatcher = run_action(
        ActionKnownIssues(), make_tracker(text, "ask_known_issues", [entity])
    )
    assert "laptop's serial number" in dispatcher.messages[0]["text"]


def test_smaller_vehicles_drops_a_seat_floor_or_says_it_cannot():
    seven = [p.id for p in catalog() if p.value("seats") == 7][:2]
    slots = {"seats": 7, "shown_products": seven}
    events, _ = run_action(ActionRefine(), make_tracker("smaller", "refine_smaller", slots=slots))
    assert slot(events, "seats") is None
    _, dispatcher = run_action(
        ActionRefine(), make_tracker("smaller", "refine_smaller", slots={"shown_products": seven})
    )
    assert dispatcher.messages[0]["text"] == "I have no smaller vehicles to offer for your needs."
