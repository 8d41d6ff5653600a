"""A shopper who waits in the support queue longer than a Rasa session lasts: the new session
stays paused (the bot does not start answering while a person is expected), and the message
still reaches the tracker and the turn log."""

from __future__ import annotations

import time

import pytest

from knowledge.bot_domain import read_domain
from ops.stack import ROOT
from stores.turnlog import TurnLog
from tests.e2e.conftest import api, new_sender, say

pytestmark = pytest.mark.e2e


def session_minutes() -> float:
    domain = read_domain(ROOT / "bot" / "domain")
    return float(domain["session_config"]["session_expiration_time"])


def test_a_new_session_of_a_queued_conversation_stays_paused(stack):
    shopper = new_sender()
    assert say(stack, shopper, "a hybrid SUV under 45k")
    replies = say(stack, shopper, "can I talk to a person?")
    assert any((r.get("custom") or {}).get("type") == "handoff" for r in replies)
    # The shopper's last message dates from before the session expiry (as if they had waited).
    long_ago = time.time() - (session_minutes() + 30) * 60
    api(
        stack,
        "POST",
        f"/conversations/{shopper}/tracker/events",
        {"event": "user", "text": "hello?", "timestamp": long_ago, "parse_data": {}},
    )

    assert say(stack, shopper, "is anyone there?") == []

    tracker = api(stack, "GET", f"/conversations/{shopper}/tracker?include_events=ALL")
    assert tracker["paused"] is True
    kinds = [e["event"] for e in tracker["events"]]
    started = len(kinds) - 1 - kinds[::-1].index("session_started")
    assert "pause" in kinds[started:]
    assert tracker["slots"]["budget"] == 45000  # the needs came along
    with TurnLog(stack.turn_log) as log:
        texts = [r["text"] for r in log.conversation(shopper) if r["role"] == "shopper"]
    assert texts[-1] == "is anyone there?"
