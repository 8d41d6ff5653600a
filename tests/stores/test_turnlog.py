"""The turn log, on every backend: upserts, numbering, defaults, redaction, reads, streaming and
writers in several processes. (What only SQLite has: test_sqlite.py.)"""

from __future__ import annotations

import multiprocessing
import time
from types import GeneratorType

import pytest

from stores.interface import TurnStore
from stores.shared import open_turn_store
from stores.turnlog import BATCH_SIZE
from tests.stores.conftest import StoreBackend, turn

MORE_THAN_A_READ_AHEAD = 1000


def test_writing_the_same_message_twice_updates_the_row(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1", ts=10.0, intent="greet", confidence=0.5))
    log.write_turn(turn("c1", "m2", ts=11.0))
    log.write_turn(turn("c1", "m1", intent="recommend", confidence=0.9, fallback=True))
    rows = log.conversation("c1")
    assert [(r["message_id"], r["turn"]) for r in rows] == [("m1", 1), ("m2", 2)]
    assert rows[0]["intent"] == "recommend" and rows[0]["confidence"] == 0.9
    assert rows[0]["fallback"] is True and rows[0]["ts"] == 10.0
    assert rows[0]["updated_ts"] >= rows[0]["ts"]


def test_the_same_message_twice_in_one_batch_is_one_row(log: TurnStore) -> None:
    log.write_turns([turn("c1", "m1", ts=1.0), turn("c1", "m1", intent="greet")])
    [row] = log.conversation("c1")
    assert (row["turn"], row["ts"], row["intent"]) == (1, 1.0, "greet")


def test_turn_numbers_count_per_conversation_unless_given(log: TurnStore) -> None:
    log.write_turns([turn("a", "1"), turn("b", "1"), turn("a", "2"), turn("a", "3", turn=7)])
    assert [r["turn"] for r in log.conversation("a")] == [1, 2, 7]
    assert [r["turn"] for r in log.conversation("b")] == [1]


def test_numbering_continues_after_the_highest_turn(log: TurnStore) -> None:
    log.write_turns([turn("a", "1"), turn("a", "2", turn=7)])
    log.write_turns([turn("a", "3"), turn("a", "4")])
    assert [r["turn"] for r in log.conversation("a")] == [1, 7, 8, 9]


def test_defaults_and_decoding(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1"))
    row = log.turn("c1", "m1")
    assert row["role"] == "shopper" and row["channel"] is None
    assert (row["entities"], row["needs"], row["responses"], row["products"]) == ([], {}, [], [])
    assert row["nothing_fits"] is None
    assert (row["fallback"], row["handoff"], row["paused"]) == (False, False, False)


def test_text_entities_and_responses_are_redacted(log: TurnStore, backend: StoreBackend) -> None:
    log.write_turn(
        turn(
            "c1",
            "m1",
            text="I'm jo@example.com, call 555-123-4567; budget $45,000",
            entities=[{"entity": "contact", "value": "jo@example.com", "start": 4, "end": 18}],
            responses=[{"response": None, "text": "Noted jo@example.com"}],
        )
    )
    row = log.turn("c1", "m1")
    assert row["text"] == "I'm [email], call [phone]; budget $45,000"
    assert row["entities"][0]["value"] == "[email]"
    assert row["responses"][0]["text"] == "Noted [email]"
    [raw] = backend.raw("SELECT text, entities FROM turns")
    assert "example.com" not in raw[0] + raw[1]


def test_appended_responses_are_redacted(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1"))
    log.extend_turn("c1", "m1", responses=[{"response": None, "text": "Mail jo@example.com"}])
    assert log.turn("c1", "m1")["responses"][0]["text"] == "Mail [email]"


def test_extend_turn_appends_and_update_turn_replaces(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1"))
    first = {"response": "utter_greet", "text": "Hi"}
    card = {"id": "p1", "kind": "recommended", "fit": 0.8}
    log.extend_turn("c1", "m1", responses=[first], products=[card])
    log.extend_turn("c1", "m1", responses=[{"response": None, "text": "More"}], handoff=True)
    row = log.turn("c1", "m1")
    assert row["responses"] == [first, {"response": None, "text": "More"}]
    assert row["products"] == [card] and row["handoff"] is True
    log.update_turn("c1", "m1", needs={"budget": 45000}, responses=[])
    row = log.turn("c1", "m1")
    assert row["needs"] == {"budget": 45000} and row["responses"] == []


def test_changing_a_missing_turn_is_a_key_error(log: TurnStore) -> None:
    with pytest.raises(KeyError):
        log.update_turn("c1", "missing", fallback=True)
    with pytest.raises(KeyError):
        log.extend_turn("c1", "missing", responses=[{"text": "hi"}])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (turn("c1", "m1", colour="red"), "unknown"),
        ({"conversation_id": "c1", "text": "x"}, "message_id"),
        (turn("", "m1"), "conversation_id"),
        (turn("c1", "m1", role="bot"), "role"),
        (turn("c1", "m1", entities="jo@example.com"), "entities must be a list of objects"),
        (turn("c1", "m1", needs={"budget": object()}), "'needs' must hold JSON"),
        (["c1", "m1"], "a turn is a dict"),
    ],
)
def test_a_bad_turn_is_refused_with_a_clear_error(log: TurnStore, bad, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        log.write_turn(bad)
    assert log.conversation("c1") == []


def test_a_bad_turn_in_a_batch_writes_nothing_of_the_batch(log: TurnStore) -> None:
    with pytest.raises(ValueError, match="turn 1 of the batch: role"):
        log.write_turns([turn("c1", "m1"), turn("c1", "m2", role="bot"), turn("c1", "m3")])
    assert log.conversation("c1") == []


def test_bad_changes_are_refused_and_change_nothing(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1", intent="greet"))
    with pytest.raises(ValueError, match="unknown"):
        log.update_turn("c1", "m1", intent="other", colour="red")
    with pytest.raises(ValueError, match="unknown turn log columns: \\['id'\\]"):
        log.update_turn("c1", "m1", id=7)
    with pytest.raises(ValueError, match="responses must be a list of objects"):
        log.extend_turn("c1", "m1", responses=["hi"])
    with pytest.raises(ValueError, match="can be appended to"):
        log.change_turn("c1", "m1", {}, {"needs": [{"budget": 1}]})
    assert log.turn("c1", "m1")["intent"] == "greet"


def test_integrity_check(log: TurnStore) -> None:
    log.write_turn(turn("c1", "m1"))
    assert log.integrity_ok()


def test_iter_turns_streams_in_time_order_within_windows(log: TurnStore) -> None:
    count = MORE_THAN_A_READ_AHEAD * 2 + 17
    log.write_turns(turn(f"c{i % 7}", f"m{i}", ts=1000.0 + (i * 37) % count) for i in range(count))
    stream = log.iter_turns()
    assert isinstance(stream, GeneratorType)
    times = [(t["ts"], t["id"]) for t in stream]
    assert len(times) == count and times == sorted(times)
    window = list(log.iter_turns(since=1100.0, until=1200.0))
    assert len(window) == 100 and all(1100.0 <= t["ts"] < 1200.0 for t in window)
    one = list(log.iter_turns(conversation_id="c3"))
    assert one and {t["conversation_id"] for t in one} == {"c3"}


def test_writers_are_not_blocked_by_an_open_stream(log: TurnStore) -> None:
    log.write_turns(turn("c1", f"m{i}", ts=float(i)) for i in range(MORE_THAN_A_READ_AHEAD + 5))
    stream = log.iter_turns()
    first = next(stream)
    log.write_turn(turn("c2", "late", ts=0.5))
    rest = list(stream)
    assert first["ts"] == 0.0 and len(rest) == MORE_THAN_A_READ_AHEAD + 4  # a consistent snapshot
    assert log.turn("c2", "late") is not None


def test_write_turns_batches_large_inputs(log: TurnStore) -> None:
    written = log.write_turns(
        turn(f"c{i % 50}", f"m{i}", ts=float(i)) for i in range(BATCH_SIZE + 10)
    )
    assert written == BATCH_SIZE + 10
    assert sum(1 for _ in log.iter_turns()) == BATCH_SIZE + 10


def test_recent_returns_the_latest_oldest_first(log: TurnStore) -> None:
    log.write_turns(turn("c1", f"m{i}", ts=float(i)) for i in range(10))
    assert [t["message_id"] for t in log.recent(3)] == ["m7", "m8", "m9"]


def test_last_turn_is_the_highest_numbered_of_the_role(log: TurnStore) -> None:
    log.write_turns([turn("c1", "m1"), turn("c1", "s1", role="staff"), turn("c1", "m2", turn=1)])
    assert log.last_turn("c1")["message_id"] == "s1"
    assert log.last_turn("c1", role="shopper")["message_id"] == "m2"
    assert log.last_turn("nobody") is None


def test_paused_state_is_remembered(backend: StoreBackend) -> None:
    with backend.turn_log() as log:
        assert not log.is_paused("c1")
        log.set_paused("c1", True)
    with backend.turn_log() as log:
        assert log.is_paused("c1")
        log.set_paused("c1", False)
        assert not log.is_paused("c1")


PROCESSES, TURNS_EACH = 4, 200


def write_from_a_worker(location: str, worker: int) -> None:
    with open_turn_store(location) as log:
        for i in range(TURNS_EACH):
            log.write_turn(turn(f"own-{worker}", f"m{i}", ts=time.time()))
            log.write_turn(turn("shared", f"w{worker}-m{i}", ts=time.time()))


def test_several_processes_writing_at_once_lose_nothing(backend: StoreBackend) -> None:
    location = backend.location()
    backend.turn_log(location).close()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=write_from_a_worker, args=(location, w)) for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    with backend.turn_log(location) as log:
        for worker in range(PROCESSES):
            assert [t["turn"] for t in log.conversation(f"own-{worker}")] == list(
                range(1, TURNS_EACH + 1)
            )
        shared = log.conversation("shared")
        assert len(shared) == PROCESSES * TURNS_EACH
        assert [t["turn"] for t in shared] == list(range(1, PROCESSES * TURNS_EACH + 1))
        assert log.integrity_ok()


def test_traffic_tags_are_kept_per_conversation_and_checked(log: TurnStore) -> None:
    log.write_turns([turn("c1", "m1"), turn("c2", "m1"), turn("c3", "m1")])
    assert log.tagged_traffic() == {}
    log.tag_traffic("c1", "loadtest")
    log.tag_traffic("c2", "staff")
    log.set_paused("c2", True)  # the paused flag and the tag share the conversation's state
    log.tag_traffic("c4", "test")  # a conversation with no turn yet
    assert log.tagged_traffic() == {"c1": "loadtest", "c2": "staff", "c4": "test"}
    assert log.is_paused("c2")
    log.tag_traffic("c1", None)
    assert log.tagged_traffic() == {"c2": "staff", "c4": "test"}
    with pytest.raises(ValueError, match="traffic is one of"):
        log.tag_traffic("c3", "robots")
    with pytest.raises(ValueError, match="conversation_id"):
        log.tag_traffic("", "test")
    assert "c3" not in log.tagged_traffic()


def test_a_log_can_say_it_holds_simulated_conversations(log: TurnStore) -> None:
    assert not log.is_sample()
    log.mark_sample()
    log.mark_sample()
    assert log.is_sample()
