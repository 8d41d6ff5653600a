"""The Rasa server as the launcher starts it: no token on its command line, conversations kept in
the SQL tracker store across a restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ops.stack import Stack, ensure_model, free_port
from tests.e2e.conftest import api, new_sender, say

pytestmark = pytest.mark.e2e


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_the_api_token_is_not_on_any_command_line(stack):
    for name, process in stack.processes.items():
        assert stack.token not in command_line(process.pid), name
    assert "-m rasa_plugins run" in command_line(stack.processes["rasa server"].pid)


def test_a_restart_keeps_every_conversation(tmp_path):
    given = os.environ.get("ADVISOR_E2E_MODEL")
    model = Path(given) if given else ensure_model()
    sender = new_sender()

    def started() -> Stack:
        running = Stack(
            rasa_port=free_port(), action_port=free_port(), web=False, turn_log=tmp_path / "t.db"
        )
        running.start(model, token="restart-test", log_dir=tmp_path / "logs")
        running.wait_healthy(timeout=240)
        return running

    first = started()
    try:
        say(first, sender, "I want a hybrid SUV under 45k")
        before = api(first, "GET", f"/conversations/{sender}/tracker")
    finally:
        first.stop()
    assert (tmp_path / "trackers.db").is_file()

    second = started()
    try:
        after = api(second, "GET", f"/conversations/{sender}/tracker")
    finally:
        second.stop()
    assert after["slots"]["budget"] == before["slots"]["budget"] is not None
    assert [e["event"] for e in after["events"]] == [e["event"] for e in before["events"]]
    said = [e.get("text") for e in after["events"] if e["event"] == "user"]
    assert "I want a hybrid SUV under 45k" in said
