"""A server killed with SIGKILL while concurrent shoppers are talking: afterwards the turn log opens,
passes PRAGMA integrity_check, holds every answered message exactly once and complete, holds no
half-written row, and the restarted stack serves again.

The Rasa server keeps trackers in memory, so a killed Rasa server loses its conversations; the log
is then compared with what the shoppers were answered before the kill."""

from __future__ import annotations

import asyncio
import signal
import sqlite3

import pytest

from ops.log_checks import compare_with_client, compare_with_tracker
from ops.simulated_shoppers import drive
from stores.turnlog import TurnLog
from tests.e2e.conftest import api, new_sender, say
from tests.faults.conftest import (
    UNAVAILABLE,
    require_resilient_actions,
    start_action_server,
    texts,
)

pytestmark = pytest.mark.e2e

SHOPPERS = 12
TURNS = 8
KILL_AFTER = 30  # answered messages


def drive_and_kill(stack, name: str, stop_on_error: bool):
    """Drive SHOPPERS concurrent conversations; SIGKILL `name` after KILL_AFTER answers."""
    answered = 0

    def on_turn(turn) -> None:
        nonlocal answered
        if not turn.failed:
            answered += 1
        if answered == KILL_AFTER and stack.processes[name].poll() is None:
            stack.processes[name].send_signal(signal.SIGKILL)

    result = asyncio.run(
        drive(
            stack.rasa_url,
            SHOPPERS,
            TURNS,
            max_seconds=300,
            seed=11,
            prefix="kill",
            stop_on_error=stop_on_error,
            on_turn=on_turn,
        )
    )
    stack.processes[name].wait(timeout=30)
    assert stack.processes[name].returncode == -signal.SIGKILL
    return result


def assert_log_is_sound(db) -> None:
    """The file opens, passes the integrity check, and no row is half-written."""
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        incomplete = raw.execute(
            "SELECT conversation_id, message_id FROM turns WHERE role = 'shopper'"
            " AND (text IS NULL OR text = '' OR intent IS NULL OR intent = '')"
        ).fetchall()
        assert incomplete == []
        for column in ("entities", "needs", "responses", "products"):
            bad = raw.execute(f"SELECT COUNT(*) FROM turns WHERE json_valid({column}) = 0")
            assert bad.fetchone()[0] == 0, column
    finally:
        raw.close()
    with TurnLog(db) as log:
        assert log.integrity_ok()


def test_rasa_server_killed_while_turns_are_written(start_stack, model):
    stack = start_stack()
    result = drive_and_kill(stack, "rasa server", stop_on_error=True)
    answered = [t for t in result.turns if not t.failed]
    assert len(answered) >= KILL_AFTER
    assert any(t.failed for t in result.turns), "the kill interrupted no conversation"

    assert_log_is_sound(stack.turn_log)
    with TurnLog(stack.turn_log) as log:
        for sender, history in result.conversations.items():
            assert compare_with_client(log.conversation(sender), history) == [], sender

    # The restarted stack serves again, on the same log.
    stack.stop()
    stack.start(model, stack.token, log_dir=stack.turn_log.parent / "logs")
    stack.wait_healthy(timeout=240)
    interrupted = next(iter(result.conversations))
    assert texts(say(stack, interrupted, "hi"))
    fresh = new_sender()
    for text in ("hi", "I want a 7-seat hybrid SUV under 45k", "compare the first two"):
        assert texts(say(stack, fresh, text))
    tracker = api(stack, "GET", f"/conversations/{fresh}/tracker?include_events=ALL")
    with TurnLog(stack.turn_log) as log:
        assert compare_with_tracker(log.conversation(fresh), tracker) == []
        before = len([t for t in result.conversations[interrupted] if not t.failed])
        rows = log.conversation(interrupted)
        assert rows[-1]["text"] == "hi" and len(rows) >= before + 1
        assert [r["turn"] for r in rows] == list(range(1, len(rows) + 1))
        assert log.integrity_ok()


def test_action_server_killed_while_turns_are_written(start_stack, tmp_path):
    require_resilient_actions()
    stack = start_stack()
    result = drive_and_kill(stack, "action server", stop_on_error=False)
    assert not [t for t in result.turns if t.failed], "a request failed"
    assert all(t.replies or t.handed_off for t in result.turns), "a message got no reply"
    assert any(UNAVAILABLE in " ".join(t.texts) for t in result.turns)

    assert_log_is_sound(stack.turn_log)
    with TurnLog(stack.turn_log) as log:
        for sender, history in result.conversations.items():
            rows = log.conversation(sender)
            tracker = api(stack, "GET", f"/conversations/{sender}/tracker?include_events=ALL")
            assert compare_with_tracker(rows, tracker) == [], sender
            assert compare_with_client(rows, history) == [], sender

    start_action_server(stack, tmp_path)
    shopper = next(s for s, h in result.conversations.items() if not any(t.handed_off for t in h))
    reply = " ".join(texts(say(stack, shopper, "I want a 7-seat hybrid SUV under 45k")))
    # an answer for the conversation's needs so far (with what it said before the kill, nothing
    # may fit them, which the advisor says with the nearest misses)
    answered = "meet your needs" in reply or "meets all of: " in reply
    assert answered and "7 seats" in reply and UNAVAILABLE not in reply, reply
