"""The support queue, on every backend: states, wait times, living next to the turn log, and the
claim race between threads and between processes."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from stores.interface import HandoffStore
from stores.shared import open_handoff_store
from stores.support_queue import SCHEMA_VERSION


def test_a_handoff_waits_is_claimed_and_ends(queue):
    queue.enqueue("c1", {"needs": "hybrid"}, now=100.0)
    assert queue.position("c1") == 1
    [waiting] = queue.open_handoffs(now=160.0)
    assert waiting["status"] == "waiting" and waiting["wait_seconds"] == 60.0
    assert waiting["summary"] == {"needs": "hybrid"}
    assert queue.claim("c1", "alex", now=190.0)
    [claimed] = queue.open_handoffs(now=500.0)
    assert claimed["claimed_by"] == "alex" and claimed["wait_seconds"] == 90.0
    assert queue.position("c1") is None
    assert not queue.hand_back("c1", "sam"), "only the person who claimed it can hand it back"
    assert queue.hand_back("c1", "alex", now=600.0)
    assert queue.open_handoffs() == []
    ended = queue.current("c1")
    assert ended["status"] == "returned" and ended["closed_ts"] == 600.0
    assert queue.recent()[0]["conversation_id"] == "c1"


def test_asking_again_while_open_keeps_the_place_in_the_queue(queue):
    queue.enqueue("c1", {"needs": "a"}, now=10.0)
    queue.enqueue("c2", {"needs": "b"}, now=20.0)
    queue.enqueue("c1", {"needs": "a, updated"}, now=30.0)
    rows = queue.open_handoffs(now=40.0)
    assert [r["conversation_id"] for r in rows] == ["c1", "c2"]
    assert rows[0]["summary"] == {"needs": "a, updated"} and rows[0]["created_ts"] == 10.0
    assert queue.position("c2") == 2


def test_a_conversation_can_be_handed_off_again_after_it_ended(queue):
    queue.enqueue("c1", {}, now=1.0)
    assert queue.claim("c1", "alex", now=2.0)
    assert queue.close("c1", "alex", now=3.0)
    assert not queue.close("c1", "alex"), "already closed"
    queue.enqueue("c1", {"again": True}, now=4.0)
    assert queue.current("c1")["status"] == "waiting"
    assert queue.current("c1")["summary"] == {"again": True}


def test_typical_wait_is_the_median_of_recent_claims(queue):
    assert queue.typical_wait(now=1000.0) is None
    for n, wait in enumerate([60.0, 120.0, 600.0]):
        queue.enqueue(f"c{n}", {}, now=100.0)
        queue.claim(f"c{n}", "alex", now=100.0 + wait)
    assert queue.typical_wait(now=1000.0) == 120.0
    assert queue.typical_wait(now=100.0 + 30 * 86400) is None, "old claims are not typical"


def test_finish_rejects_unknown_states(queue):
    with pytest.raises(ValueError):
        queue.finish("c1", "alex", "waiting")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda q: q.enqueue("", {}), "conversation_id"),
        (lambda q: q.enqueue("c1", ["not", "a", "dict"]), "summary is a dict"),
        (lambda q: q.claim("c1", ""), "staff member's name"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(queue, call, message):
    queue.enqueue("c1", {"kept": True}, now=1.0)
    with pytest.raises(ValueError, match=message):
        call(queue)
    assert queue.current("c1")["summary"] == {"kept": True}
    assert queue.current("c1")["status"] == "waiting"


def test_lives_next_to_the_turn_log_without_touching_its_schema(backend):
    with backend.turn_log() as log:
        version = log.schema_version()
        log.write_turn({"conversation_id": "c1", "message_id": "m1", "text": "hi"})
    with backend.support_queue() as queue:
        queue.enqueue("c1", {})
        assert queue.schema_version() == SCHEMA_VERSION
    with backend.support_queue() as queue, backend.turn_log() as log:
        assert log.schema_version() == version and log.integrity_ok()
        assert [r["text"] for r in log.conversation("c1")] == ["hi"]
        assert queue.current("c1")["status"] == "waiting"


def test_two_threads_claiming_at_once_exactly_one_wins(backend):
    with backend.support_queue() as setup:
        for n in range(20):
            setup.enqueue(f"c{n}", {})
    barrier = threading.Barrier(2)
    wins: dict[str, list[str]] = {"alex": [], "sam": []}

    def claimer(name: str) -> None:
        with backend.support_queue() as mine:
            for n in range(20):
                barrier.wait()
                if mine.claim(f"c{n}", name):
                    wins[name].append(f"c{n}")

    threads = [threading.Thread(target=claimer, args=(name,)) for name in wins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(wins["alex"] + wins["sam"], key=lambda c: int(c[1:])) == [
        f"c{n}" for n in range(20)
    ]
    assert not set(wins["alex"]) & set(wins["sam"])


def _claim_in_process(location: str, name: str, start, results) -> None:
    with open_handoff_store(location) as mine:
        start.wait()
        results.put((name, mine.claim("contested", name)))


def test_two_processes_claiming_at_once_exactly_one_wins(backend):
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        location = backend.location(f"attempt-{attempt}")
        with backend.support_queue(location) as setup:
            setup.enqueue("contested", {"attempt": attempt})
        start, results = context.Event(), context.Queue()
        children = [
            context.Process(target=_claim_in_process, args=(location, name, start, results))
            for name in ("alex", "sam")
        ]
        for child in children:
            child.start()
        start.set()
        outcomes = dict(results.get(timeout=60) for _ in children)
        for child in children:
            child.join(timeout=60)
            assert child.exitcode == 0
        assert sorted(outcomes.values()) == [False, True]
        winner = next(name for name, won in outcomes.items() if won)
        with backend.support_queue(location) as check:
            assert check.current("contested")["claimed_by"] == winner


def test_handoffs_between_are_those_created_in_the_window(queue: HandoffStore) -> None:
    for n, created in enumerate((100.0, 200.0, 300.0)):
        queue.enqueue(f"c{n}", {"n": n}, now=created)
    queue.claim("c1", "Sam", now=260.0)
    queue.close("c1", "Sam", now=290.0)
    window = queue.handoffs_between(150.0, 300.0)
    assert [(h["conversation_id"], h["status"]) for h in window] == [("c1", "closed")]
    assert (window[0]["claimed_ts"], window[0]["closed_ts"], window[0]["summary"]) == (
        260.0,
        290.0,
        {"n": 1},
    )
    assert [h["conversation_id"] for h in queue.handoffs_between(None, None)] == ["c0", "c1", "c2"]
    assert [h["conversation_id"] for h in queue.handoffs_between(250.0, None)] == ["c2"]
