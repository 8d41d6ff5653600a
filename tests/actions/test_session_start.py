"""action_session_start with real rasa_sdk Trackers: a new session keeps the needs, and stays
paused while the conversation has an open handoff."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

import stores.sqlite
from actions.handoff import ActionHandoff
from actions.session_start import ActionSessionStart
from stores.support_queue import SupportQueue
from stores.turnlog import PATH_ENV
from tests.actions.conftest import make_tracker, run_action

SLOTS = {"budget": 45000, "body": "suv", "powertrain": None}
DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True}}


@pytest.fixture
def queue_path(tmp_path, monkeypatch):
    path = tmp_path / "turns.db"
    monkeypatch.setenv(PATH_ENV, str(path))
    return path


def start(domain: dict = DOMAIN) -> list[dict]:
    tracker = make_tracker("still there?", "greet", slots=SLOTS)
    return asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, domain))


def test_a_new_session_carries_the_needs_over(queue_path):
    events = start()
    assert [e["event"] for e in events] == ["session_started", "slot", "slot", "action"]
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {
        "budget": 45000,
        "body": "suv",
    }
    assert events[-1]["name"] == "action_listen"


def test_without_carry_over_only_the_session_starts(queue_path):
    events = start({"session_config": {"carry_over_slots_to_new_session": False}})
    assert [e["event"] for e in events] == ["session_started", "action"]


@pytest.mark.parametrize(("claim", "paused"), [(None, True), ("Alex", True), ("close", False)])
def test_a_conversation_in_the_support_queue_stays_paused(queue_path, claim, paused):
    with SupportQueue(queue_path) as queue:
        queue.enqueue("test-shopper", {"needs": "hybrid"})
        if claim == "close":
            queue.claim("test-shopper", "Alex")
            queue.close("test-shopper", "Alex")
        elif claim:
            queue.claim("test-shopper", claim)
    events = [e["event"] for e in start()]
    assert ("pause" in events) is paused
    assert events[0] == "session_started" and events[-1] == "action"


def test_an_unreadable_queue_still_starts_the_session(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be")
    monkeypatch.setenv(PATH_ENV, str(blocker / "turns.db"))
    events = [e["event"] for e in start()]
    assert events == ["session_started", "slot", "slot", "action"]


def test_action_calls_reuse_one_connection_to_the_queue(queue_path, monkeypatch):
    opened = []
    real = stores.sqlite.connect
    monkeypatch.setattr(stores.sqlite, "connect", lambda path: opened.append(path) or real(path))
    for _ in range(3):
        start()
    run_action(ActionHandoff(), make_tracker("a person please", "ask_human"))
    assert "pause" in [e["event"] for e in start()]
    assert opened == [queue_path]


def test_a_session_starts_while_another_process_holds_the_write_lock(queue_path):
    with SupportQueue(queue_path) as queue:
        queue.enqueue("test-shopper", {"needs": "hybrid"})
    writer = sqlite3.connect(queue_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    events = [e["event"] for e in start()]
    waited = time.monotonic() - started
    writer.execute("ROLLBACK")
    writer.close()
    assert "pause" in events
    assert waited < 2.0, "the session start waited for the write lock"
