"""The handoff summary from a conversation's events: no greeting, whole recommendations, and the
shopper's last unanswered question."""

from __future__ import annotations

import pytest

from knowledge.handoff import last_messages, last_recommendation, unanswered_question

LONG_ANSWER = "2 cars meet your needs (budget up to $45,000). Top 2:\n" + "\n".join(
    f"{n}. Car {n}\n   - " + "a reason that takes room " * 12 for n in (1, 2)
)


def user(text: str, intent: str | None = "state_needs") -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, response: str | None = None, custom: dict | None = None, **metadata) -> dict:
    if response:
        metadata["utter_action"] = response
    return {"event": "bot", "text": text, "data": {"custom": custom}, "metadata": metadata}


def conversation() -> list[dict]:
    cards = {"type": "product_cards", "items": [
        {"id": "car-1", "name": "Car 1", "reasons": ["within budget"]},
        {"id": "car-2", "name": "Car 2", "reasons": ["7 seats"]},
    ]}  # fmt: skip
    return [
        bot("Hi! I'm a shopping advisor, run by a BrandA retailer.", "utter_greet"),
        user("hi", "greet"),
        bot("Hi! I'm a shopping advisor, run by a BrandA retailer.", "utter_greet"),
        user("7 seats under 45k, mail jo@example.com"),
        {"event": "action", "name": "action_recommend"},
        bot(LONG_ANSWER, custom=cards),
        user("does it have a heat pump?", "nlu_fallback"),
        bot("Sorry, I didn't get that.", "utter_default"),
        user("what does the first one cost to own?", "ask_cost_to_own"),
        bot("I can't look that up right now.", "utter_action_unavailable"),
        user("ok", "affirm"),
        bot("Anything else?"),
        user("can I talk to a person?", "ask_human"),
    ]


def test_the_last_messages_leave_out_the_greeting_and_are_whole():
    messages = last_messages(conversation(), count=20)
    assert all("shopping advisor" not in m["text"] for m in messages)
    assert messages[0] == {"role": "shopper", "text": "7 seats under 45k, mail [email]"}
    assert messages[1] == {"role": "advisor", "text": LONG_ANSWER.strip()}, "never cut"
    assert messages[-1] == {"role": "shopper", "text": "can I talk to a person?"}
    assert len(last_messages(conversation())) == 5


def test_the_last_recommendation_is_kept_in_whole():
    found = last_recommendation(conversation())
    assert found["text"] == LONG_ANSWER.strip()
    assert found["products"] == [
        {"id": "car-1", "name": "Car 1", "reasons": ["within budget"]},
        {"id": "car-2", "name": "Car 2", "reasons": ["7 seats"]},
    ]
    assert last_recommendation(conversation()[:4]) is None


def test_the_last_unanswered_question_is_named_with_why():
    assert unanswered_question(conversation()) == {
        "text": "what does the first one cost to own?",
        "why": "could not be looked up",
    }
    assert unanswered_question(conversation()[:8] + [user("a person please", "ask_human")]) == {
        "text": "does it have a heat pump?",
        "why": "not understood",
    }


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (
            [user("is anyone there?"), user("hello??")],
            {"text": "is anyone there?", "why": "no answer"},
        ),
        (
            [user("is anyone there?"), bot("Kim here", staff=True), user("thanks")],
            {"text": "what does the first one cost to own?", "why": "could not be looked up"},
        ),
    ],
    ids=["while paused, nobody answered", "a person answered it"],
)
def test_a_message_nobody_answered_is_unanswered_until_a_person_does(tail, expected):
    queued = bot("I've asked a person to join.", custom={"type": "handoff", "status": "waiting"})
    assert unanswered_question(conversation() + [queued, *tail]) == expected


def test_a_question_taken_as_off_topic_went_unanswered():
    events = [
        user("does it have a heat pump?", "out_of_scope"),
        bot("I can only help with choosing a car.", "utter_out_of_scope"),
        user("a person please", "ask_human"),
    ]
    assert unanswered_question(events) == {
        "text": "does it have a heat pump?",
        "why": "taken as off topic",
    }


def test_an_answered_conversation_has_no_unanswered_question():
    events = [user("7 seats"), bot("2 cars fit."), user("a person please", "ask_human")]
    assert unanswered_question(events) is None
    assert unanswered_question([]) is None
