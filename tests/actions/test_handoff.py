"""action_handoff with real rasa_sdk Trackers: summary into the queue, pause, honest message."""

from __future__ import annotations

import pytest

from actions.handoff import ActionHandoff, handoff_message, last_messages
from stores.support_queue import SupportQueue
from stores.turnlog import PATH_ENV
from tests.actions.conftest import make_tracker, run_action

RAV4 = "toyota-rav4-hybrid-2025"
CRV = "honda-cr-v-hybrid-2025"


@pytest.fixture
def queue_path(tmp_path, monkeypatch):
    path = tmp_path / "turns.db"
    monkeypatch.setenv(PATH_ENV, str(path))
    return path


def conversation() -> list[dict]:
    parse = {"intent": {"name": "state_needs"}}
    return [
        {"event": "user", "text": "a hybrid SUV under 45k, mail me at jane@example.com"},
        {"event": "bot", "text": "2 vehicles meet your needs..."},
        {"event": "user", "text": "compare the first two", "parse_data": parse},
        {"event": "bot", "text": "Side by side..."},
        {"event": "bot", "text": "Hi, Alex here", "metadata": {"staff": True}},
        {"event": "slot", "name": "budget", "value": 45000},
        {"event": "user", "text": "can I talk to a person?"},
    ]


def handoff_tracker():
    return make_tracker(
        "can I talk to a person?",
        "ask_human",
        slots={
            "budget": 45000,
            "body": "suv",
            "powertrain": "hybrid",
            "shown_products": [RAV4, CRV],
        },
        events=conversation(),
    )


def test_handoff_queues_a_summary_pauses_and_says_what_happens(queue_path):
    events, dispatcher = run_action(ActionHandoff(), handoff_tracker())

    assert [e["event"] for e in events] == ["pause", "action"]
    assert events[1]["name"] == "action_listen"
    [message] = dispatcher.messages
    assert "person from the support team" in message["text"]
    assert "stay quiet" in message["text"]
    assert "can't promise a wait time" in message["text"]
    assert message["custom"] == {"type": "handoff", "status": "waiting", "position": 1}

    with SupportQueue(queue_path) as queue:
        [handoff] = queue.open_handoffs()
    assert handoff["conversation_id"] == "test-shopper" and handoff["status"] == "waiting"
    summary = handoff["summary"]
    assert "$45,000" in summary["needs"] and "hybrid" in summary["needs"]
    assert [p["id"] for p in summary["products_shown"]] == [RAV4, CRV]
    assert "RAV4" in summary["products_shown"][0]["name"]
    assert len(summary["last_messages"]) == 5
    assert summary["last_messages"][-1] == {"role": "shopper", "text": "can I talk to a person?"}
    assert {"role": "staff", "text": "Hi, Alex here"} in summary["last_messages"]
    assert summary["recommendation"] is None, "no cards were shown"
    assert summary["unanswered"] is None, "every earlier message was answered"


def test_the_summary_names_the_last_unanswered_question(queue_path):
    events = [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "Hi! I'm a shopping advisor.", "metadata": {}},
        {"event": "user", "text": "does it have a heat pump?", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "bot", "text": "Sorry?", "metadata": {"utter_action": "utter_default"}},
        {"event": "user", "text": "a person please", "parse_data": {"intent": {"name": "ask_human"}}},
    ]  # fmt: skip
    run_action(ActionHandoff(), make_tracker("a person please", "ask_human", events=events))
    with SupportQueue(queue_path) as queue:
        [handoff] = queue.open_handoffs()
    summary = handoff["summary"]
    assert summary["unanswered"] == {"text": "does it have a heat pump?", "why": "not understood"}
    assert [m["text"] for m in summary["last_messages"]][0] == "does it have a heat pump?"


def test_the_summary_is_redacted(queue_path):
    tracker = make_tracker(
        "human please", "ask_human", events=conversation()[:1] + [{"event": "user", "text": "x"}]
    )
    run_action(ActionHandoff(), tracker)
    with SupportQueue(queue_path) as queue:
        [handoff] = queue.open_handoffs()
    quoted = handoff["summary"]["last_messages"][0]["text"]
    assert "jane@example.com" not in quoted and "[email]" in quoted
    assert handoff["summary"]["needs"] == "no requirements yet"
    assert handoff["summary"]["products_shown"] == []


def test_asking_twice_keeps_one_queue_entry_and_says_the_position(queue_path):
    with SupportQueue(queue_path) as queue:
        queue.enqueue("someone-else", {})
    run_action(ActionHandoff(), handoff_tracker())
    _, dispatcher = run_action(ActionHandoff(), handoff_tracker())
    assert "number 2 in the queue" in dispatcher.messages[0]["text"]
    with SupportQueue(queue_path) as queue:
        assert [h["conversation_id"] for h in queue.open_handoffs()] == [
            "someone-else",
            "test-shopper",
        ]


def test_typical_wait_is_stated_when_known():
    assert "about 4 minutes" in handoff_message(None, 240.0)
    assert "about a minute" in handoff_message(1, 30.0)
    assert "queue" not in handoff_message(1, 30.0)


def test_when_the_queue_cannot_be_written_the_bot_does_not_pause(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be")
    monkeypatch.setenv(PATH_ENV, str(blocker / "turns.db"))
    events, dispatcher = run_action(ActionHandoff(), handoff_tracker())
    assert events == []
    assert "couldn't reach the support team" in dispatcher.messages[0]["text"]


def test_last_messages_skips_empty_and_non_message_events():
    tracker = make_tracker(events=[{"event": "bot", "text": ""}, {"event": "slot"}])
    assert last_messages(tracker) == []
