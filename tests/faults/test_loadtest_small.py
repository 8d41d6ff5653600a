"""`advisor loadtest` with 20 shoppers against its own stack, and its checker on planted faults."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ops.loadtest import loadtest
from ops.log_checks import compare_with_client, compare_with_tracker
from ops.simulated_shoppers import Turn
from stores.turnlog import TurnLog


@pytest.mark.e2e
def test_a_small_load_test_passes_its_checks():
    result = CliRunner().invoke(
        loadtest, ["--shoppers", "20", "--turns-per-shopper", "5", "--max-seconds", "300"]
    )
    assert result.exit_code == 0, result.output + (result.stderr or "")
    assert "OK: 100 messages from 20 shoppers" in result.output
    assert "failed: 0" in result.output
    assert "p50" in result.output and "p95" in result.output and "p99" in result.output


def test_only_loopback_servers_are_driven():
    result = CliRunner().invoke(loadtest, ["--url", "http://203.0.113.9:5005", "--shoppers", "1"])
    assert result.exit_code == 2
    assert "only loopback addresses are allowed" in result.output + (result.stderr or "")


def user(message_id: str, text: str, intent: str = "greet") -> dict:
    return {
        "event": "user",
        "message_id": message_id,
        "text": text,
        "parse_data": {"intent": {"name": intent}},
    }


def bot(text: str) -> dict:
    return {"event": "bot", "text": text, "metadata": {}}


def logged(tmp_path, turns: list[dict]) -> list[dict]:
    with TurnLog(tmp_path / "turns.db") as log:
        for turn in turns:
            log.write_turn({"conversation_id": "c1", "intent": "greet", **turn})
        return log.conversation("c1")


def test_the_tracker_comparison_finds_lost_doubled_and_wrong_turns(tmp_path):
    tracker = {"events": [user("m1", "hi"), bot("Hello!"), user("m2", "mail me at a@b.org")]}
    rows = logged(
        tmp_path,
        [
            {"message_id": "m1", "text": "hi", "responses": [{"response": "x", "text": "Hello!"}]},
            {"message_id": "m2", "text": "mail me at a@b.org"},
        ],
    )
    assert compare_with_tracker(rows, tracker) == []
    assert compare_with_tracker(rows[:1], tracker)  # a lost turn
    assert compare_with_tracker(rows + rows[1:], tracker)  # a doubled turn
    assert compare_with_tracker(rows, {"events": tracker["events"] + [bot("More?")]})
    wrong = [{**rows[0], "intent": "goodbye"}, rows[1]]
    assert compare_with_tracker(wrong, tracker)


def test_the_client_comparison_allows_unanswered_turns_but_no_incomplete_rows(tmp_path):
    answered = Turn("c1", "hi", status=200, replies=[{"text": "Hello!"}])
    in_flight = Turn("c1", "cheaper", error="ServerDisconnectedError")
    rows = logged(
        tmp_path,
        [{"message_id": "m1", "text": "hi", "responses": [{"response": "x", "text": "Hello!"}]}],
    )
    assert compare_with_client(rows, [answered, in_flight]) == []
    assert compare_with_client([], [answered])  # an answered turn missing from the log
    assert compare_with_client(rows, [in_flight])  # a logged turn that was never sent
    assert compare_with_client([{**rows[0], "intent": None}], [answered])  # a half-written row
