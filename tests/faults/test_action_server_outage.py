"""The action server stops in the middle of conversations: every shopper message still gets a clear
reply through Rasa (so it is in the tracker and the turn log), the needs stay in the tracker, and
once the action server is back the same conversations continue with their needs."""

from __future__ import annotations

import pytest

from ops.log_checks import compare_with_tracker
from stores.turnlog import TurnLog
from tests.e2e.conftest import api, new_sender, say
from tests.faults.conftest import (
    UNAVAILABLE,
    require_resilient_actions,
    server_log,
    start_action_server,
    stop_server,
    texts,
)

pytestmark = pytest.mark.e2e

NEEDS = {"budget": 45000, "seats": 7, "body": "suv", "powertrain": "hybrid"}
OTHER_NEEDS = {"budget": 40000, "body": "suv", "powertrain": "hybrid"}


def needs_of(stack, sender: str) -> dict:
    slots = api(stack, "GET", f"/conversations/{sender}/tracker")["slots"]
    values = {}
    for name in NEEDS:
        value = slots.get(name)
        values[name] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return {k: v for k, v in values.items() if v is not None}


def tracker(stack, sender: str) -> dict:
    return api(stack, "GET", f"/conversations/{sender}/tracker?include_events=ALL")


def test_action_server_outage_gets_a_clear_reply_and_the_conversation_resumes(
    start_stack, tmp_path
):
    require_resilient_actions()
    stack = start_stack()
    shopper = new_sender()
    assert texts(say(stack, shopper, "hi"))
    first = " ".join(texts(say(stack, shopper, "I want a 7-seat hybrid SUV under 45k")))
    assert "meets your needs" in first and "$45,000" in first, first
    assert needs_of(stack, shopper) == NEEDS

    stop_server(stack, "action server")

    # Each lookup gets one clear reply instead of silence.
    for text in (
        "cheaper",
        "compare the first two",
        "any recalls on the ID.4?",
        "how do you rank?",
    ):
        replies = texts(say(stack, shopper, text))
        assert len(replies) == 1 and UNAVAILABLE in replies[0], (text, replies)
    replies = texts(say(stack, shopper, "can I talk to a person?"))
    assert len(replies) == 1 and "can't reach the support team right now" in replies[0], replies
    # A shopper stating needs during the outage: each answer gets the clear reply, and Rasa keeps
    # the needs it recognised.
    other = new_sender()
    for text in ("an SUV under $40k", "hybrid"):
        replies = texts(say(stack, other, text))
        assert len(replies) == 1 and UNAVAILABLE in replies[0], replies

    # The needs are intact in the tracker, and the replies are in the tracker and the turn log.
    assert needs_of(stack, shopper) == NEEDS
    assert needs_of(stack, other) == OTHER_NEEDS
    with TurnLog(stack.turn_log) as log:
        for sender in (shopper, other):
            assert compare_with_tracker(log.conversation(sender), tracker(stack, sender)) == []
        cheaper = log.conversation(shopper)[2]
        assert cheaper["text"] == "cheaper"
        assert [r["response"] for r in cheaper["responses"]] == ["utter_action_unavailable"]
    rasa_log = server_log(tmp_path, "rasa server")
    actions = ("action_refine", "action_compare", "action_known_issues", "action_handoff")
    for action in (*actions, "action_recommend"):
        assert f"custom action '{action}' failed for conversation" in rasa_log, action

    start_action_server(stack, tmp_path)

    # The same conversations continue with their needs.
    again = " ".join(texts(say(stack, shopper, "what do you recommend?")))
    assert UNAVAILABLE not in again
    assert "meets your needs (budget up to $45,000; SUV; hybrid; at least 7 seats)" in again, again
    resumed = " ".join(texts(say(stack, other, "what do you recommend?")))
    assert "meet your needs (budget up to $40,000; SUV; hybrid)" in resumed, resumed
    assert needs_of(stack, shopper) == NEEDS
    assert needs_of(stack, other) == OTHER_NEEDS
    with TurnLog(stack.turn_log) as log:
        for sender in (shopper, other):
            assert compare_with_tracker(log.conversation(sender), tracker(stack, sender)) == []
        logged = log.conversation(shopper)
        assert [r["needs"]["budget"] for r in logged[1:]] == [45000] * (len(logged) - 1)
        assert all(r["needs"]["seats"] == 7 for r in logged[1:])
