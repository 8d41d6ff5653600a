"""Which shopper messages are the shopper's own words (quoted, mined for features), and which only
answer the bot: button payloads, quick replies, short replies to its questions."""

from __future__ import annotations

import pytest

from analysis.features import FeatureExtractor
from analysis.initiative import PAYLOAD, QUICK_REPLY, REPLY, Initiative

BUDGET = {
    "response": "utter_ask_budget",
    "text": "What's your budget (starting price)?",
    "buttons": [{"title": "Under $30k", "payload": "under $30k"}],
}
HUMAN = {
    "response": "utter_offer_human",
    "text": "Would you like to talk to a person?",
    "buttons": [{"title": "Talk to a person", "payload": "/ask_human"}],
}
DONE = {"response": "utter_anything_else", "text": "Anything else I can help with?"}


@pytest.fixture(scope="module")
def extractor(vehicles):
    return FeatureExtractor(vehicles)


def reason(vehicles, extractor, text: str, asked: dict | None) -> str | None:
    initiative = Initiative(vehicles, extractor.has_request)
    initiative.see({"conversation_id": "c", "text": "hi", "responses": [asked] if asked else []})
    return initiative.see({"conversation_id": "c", "text": text})


@pytest.mark.parametrize(
    ("text", "asked", "expected"),
    [
        ("/ask_human", None, PAYLOAD),
        ('/inform{"body": "suv"}', BUDGET, PAYLOAD),
        ("Under $30k", BUDGET, QUICK_REPLY),  # the button's title, clicked or typed
        ("Talk to a person", HUMAN, QUICK_REPLY),
        ("no preference", None, QUICK_REPLY),  # an interview button of category.yml
        ("a pickup truck", None, QUICK_REPLY),
        ("around 40 I guess", BUDGET, REPLY),
        ("room for 5 people and a big dog", BUDGET, REPLY),
        ("yes please", HUMAN, REPLY),
        ("I need heated seats", BUDGET, None),  # a request of its own, mid-interview
        ("well my wife says we should look at something with a very big trunk too", BUDGET, None),
        ("around 40 I guess", DONE, None),  # not a question the bot asked
        ("I want an electric pickup under 45k", None, None),
    ],
)
def test_messages_that_only_answer_the_bot(vehicles, extractor, text, asked, expected) -> None:
    assert reason(vehicles, extractor, text, asked) == expected


def test_staff_messages_leave_what_the_bot_asked_as_it_was(vehicles, extractor) -> None:
    initiative = Initiative(vehicles, extractor.has_request)
    initiative.see({"conversation_id": "c", "text": "hi", "responses": [BUDGET]})
    assert initiative.see({"conversation_id": "c", "role": "staff", "text": "Hi, Sam here"}) is None
    assert initiative.see({"conversation_id": "c", "text": "about 30"}) == REPLY
    assert initiative.see({"conversation_id": "c", "text": "about 30"}) is None  # asked nothing
    assert initiative.kept_out == {PAYLOAD: 0, QUICK_REPLY: 0, REPLY: 1}


def test_other_conversations_do_not_answer_this_one(vehicles, extractor) -> None:
    initiative = Initiative(vehicles, extractor.has_request)
    initiative.see({"conversation_id": "a", "text": "hi", "responses": [BUDGET]})
    assert initiative.see({"conversation_id": "b", "text": "about 30"}) is None
