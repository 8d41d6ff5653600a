"""The turn log's database misbehaves: locked by another writer for a few seconds (the writes wait
and succeed: busy timeout, nothing dropped), or impossible to open (one clear error line per failed
write in the Rasa log, and the shopper still gets answers)."""

from __future__ import annotations

import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.log_checks import compare_with_tracker
from stores.turnlog import TurnLog
from tests.e2e.conftest import api, new_sender, say
from tests.faults.conftest import server_log, texts

pytestmark = pytest.mark.e2e

LOCK_SECONDS = 3.0
SCRIPTS = [
    ["I want a 7-seat hybrid SUV under 45k", "compare the first two"],
    ["any recalls on the ID.4?", "how do you rank?"],
    ["an SUV under $40k", "hybrid"],
]
LOG_ERROR = re.compile(r"^\S+ \S+ ERROR +rasa_plugins\.event_broker +- turn log .*$", re.MULTILINE)


def tracker(stack, sender: str) -> dict:
    return api(stack, "GET", f"/conversations/{sender}/tracker?include_events=ALL")


def test_writes_wait_for_a_locked_log_and_nothing_is_dropped(start_stack, tmp_path):
    stack = start_stack()
    warm = new_sender()
    assert texts(say(stack, warm, "hi"))  # the event broker has the log open

    blocker = sqlite3.connect(stack.turn_log, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    locked_at = time.monotonic()
    senders = [new_sender() for _ in SCRIPTS]
    answered: dict[str, list[float]] = {s: [] for s in senders}

    def converse(sender: str, script: list[str]) -> list[list[dict]]:
        replies = []
        for text in script:
            replies.append(say(stack, sender, text))
            answered[sender].append(time.monotonic())
        return replies

    with ThreadPoolExecutor(len(SCRIPTS)) as pool:
        futures = [
            pool.submit(converse, s, script) for s, script in zip(senders, SCRIPTS, strict=True)
        ]
        time.sleep(LOCK_SECONDS)
        blocker.execute("COMMIT")
        released_at = time.monotonic()
        blocker.close()
        results = [f.result(timeout=120) for f in futures]

    # Every message was answered, and the turns that met the lock waited for it.
    for replies in results:
        assert all(texts(r) for r in replies), replies
    first_answers = [times[0] for times in answered.values()]
    assert min(first_answers) >= released_at - 0.1 >= locked_at + LOCK_SECONDS - 0.1

    # Nothing was dropped: each conversation's log matches its tracker.
    with TurnLog(stack.turn_log) as log:
        for sender in [warm, *senders]:
            assert compare_with_tracker(log.conversation(sender), tracker(stack, sender)) == []
    assert not LOG_ERROR.findall(server_log(tmp_path, "rasa server"))


def test_an_unwritable_log_gives_one_error_line_per_write_and_answers_go_on(start_stack, tmp_path):
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the turn log's folder should be\n")
    stack = start_stack(turn_log=not_a_folder / "turns.db")
    before = len(LOG_ERROR.findall(server_log(tmp_path, "rasa server")))

    shopper = new_sender()
    for text in ("hi", "I want a 7-seat hybrid SUV under 45k", "compare the first two", "thanks"):
        assert texts(say(stack, shopper, text)), text
    time.sleep(0.5)  # the log file is written by another process

    errors = LOG_ERROR.findall(server_log(tmp_path, "rasa server"))[before:]
    events = tracker(stack, shopper)["events"]
    # One error line per event the broker could not write, each naming the file and the reason.
    assert len(errors) == len(events), (len(errors), len(events))
    for line in errors:
        assert f"turn log {not_a_folder / 'turns.db'}: cannot open the database: " in line, line
        assert str(not_a_folder) in line.split("cannot open the database: ")[1], line
    assert "Traceback" not in server_log(tmp_path, "rasa server")
