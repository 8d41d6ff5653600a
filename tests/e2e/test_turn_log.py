"""Nothing lost, nothing doubled: scripted conversations against the real servers, then the turn
log compared with each conversation's tracker from Rasa's HTTP API."""

from __future__ import annotations

import difflib

import pytest

from stores.redact import redact
from stores.turnlog import TurnLog
from tests.e2e.conftest import api, new_sender, say

pytestmark = pytest.mark.e2e

SCRIPTS = [
    # (nothing is cheaper than the one 7-seat hybrid SUV under 45k: "cheaper" keeps it)
    [
        "hi",
        "I want a 7-seat hybrid SUV under 45k",
        "cheaper",
        "compare the Santa Fe Hybrid and the Sorento",
        "thanks",
    ],
    ["I'm looking for a new vehicle", "an SUV under $40k", "no preference", "no Toyotas", "bye"],
    ["compare the CR-V and the RAV4 Hybrid", "any recalls on the ID.4?", "asdf qwerty zxcv"],
    ["an electric pickup under $30k", "yes", "how do you rank?"],
    ["my email is jane.doe@example.com and my phone is 555-123-4567", "a minivan under 50k"],
]


def shopper_messages(tracker: dict) -> list[dict]:
    return [e for e in tracker["events"] if e["event"] == "user"]


def test_every_message_is_logged_exactly_once_and_matches_the_tracker(stack):
    senders = []
    for script in SCRIPTS:
        sender = new_sender()
        senders.append(sender)
        for text in script:
            say(stack, sender, text)

    # a paused conversation: the shopper's messages still reach the log, the bot stays silent
    paused = new_sender()
    senders.append(paused)
    say(stack, paused, "hello")
    api(stack, "POST", f"/conversations/{paused}/tracker/events", [{"event": "pause"}])
    assert say(stack, paused, "is anyone there?") == []
    api(stack, "POST", f"/conversations/{paused}/tracker/events", [{"event": "resume"}])
    assert say(stack, paused, "how do you rank?")

    log = TurnLog(stack.turn_log)
    for sender in senders:
        tracker = api(stack, "GET", f"/conversations/{sender}/tracker")
        expected = shopper_messages(tracker)
        rows = [r for r in log.conversation(sender) if r["role"] == "shopper"]
        assert [r["message_id"] for r in rows] == [e["message_id"] for e in expected]
        assert [r["text"] for r in rows] == [redact(e["text"]) for e in expected]
        assert [r["turn"] for r in rows] == list(range(1, len(expected) + 1))
        assert [r["intent"] for r in rows] == [e["parse_data"]["intent"]["name"] for e in expected]
        bot_texts = [e["text"] for e in tracker["events"] if e["event"] == "bot" and e.get("text")]
        logged = [x["text"] for r in rows for x in r["responses"] if x["text"]]
        for mine, theirs in zip(logged, bot_texts, strict=False):
            assert mine == theirs, "\n".join(
                difflib.unified_diff(theirs.splitlines(), mine.splitlines(), lineterm="")
            )
        assert logged == bot_texts

    rows = log.conversation(senders[0])
    assert rows[1]["needs"]["seats"] == 7 and rows[1]["products"]
    assert any(p["kind"] == "compared" for p in rows[3]["products"])
    assert log.conversation(senders[3])[0]["nothing_fits"] is not None
    private = log.conversation(senders[4])[0]["text"]
    assert "jane.doe" not in private and "555-123-4567" not in private
    flags = log.conversation(paused)
    assert [r["paused"] for r in flags] == [False, True, False]
    assert log.integrity_ok()
