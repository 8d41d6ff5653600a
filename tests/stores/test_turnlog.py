"""The turn log database: schema and migrations, upserts, durability settings, concurrency, reads."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path
from types import GeneratorType

import pytest

from stores.turnlog import BATCH_SIZE, SCHEMA_VERSION, STREAM_CHUNK, TurnLog


def turn(conversation: str, message: str, **fields) -> dict:
    return {"conversation_id": conversation, "message_id": message, "text": message, **fields}


@pytest.fixture
def log(tmp_path: Path):
    with TurnLog(tmp_path / "data" / "turns.db") as opened:
        yield opened


def test_a_new_database_gets_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new" / "turns.db"
    TurnLog(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"turns_conversation_turn", "turns_ts", "turns_intent"} <= indexes
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_migrates_nothing_and_keeps_one_version_row(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    with TurnLog(path) as first:
        first.write_turn(turn("c1", "m1"))
    with TurnLog(path) as again:
        assert again.schema_version() == SCHEMA_VERSION
        assert len(again.conversation("c1")) == 1
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (1,)


def test_a_database_from_newer_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    TurnLog(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        TurnLog(path)


def test_connection_pragmas(log: TurnLog) -> None:
    db = log._db
    assert db.execute("PRAGMA journal_mode").fetchone()["journal_mode"] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()["timeout"] == 10000
    assert db.execute("PRAGMA synchronous").fetchone()["synchronous"] == 1  # NORMAL
    assert db.execute("PRAGMA foreign_keys").fetchone()["foreign_keys"] == 1


def test_writing_the_same_message_twice_updates_the_row(log: TurnLog) -> None:
    log.write_turn(turn("c1", "m1", ts=10.0, intent="greet", confidence=0.5))
    log.write_turn(turn("c1", "m2", ts=11.0))
    log.write_turn(turn("c1", "m1", intent="recommend", confidence=0.9, fallback=True))
    rows = log.conversation("c1")
    assert [(r["message_id"], r["turn"]) for r in rows] == [("m1", 1), ("m2", 2)]
    assert rows[0]["intent"] == "recommend" and rows[0]["confidence"] == 0.9
    assert rows[0]["fallback"] is True and rows[0]["ts"] == 10.0
    assert rows[0]["updated_ts"] >= rows[0]["ts"]


def test_turn_numbers_count_per_conversation_unless_given(log: TurnLog) -> None:
    log.write_turns([turn("a", "1"), turn("b", "1"), turn("a", "2"), turn("a", "3", turn=7)])
    assert [r["turn"] for r in log.conversation("a")] == [1, 2, 7]
    assert [r["turn"] for r in log.conversation("b")] == [1]


def test_defaults_and_decoding(log: TurnLog) -> None:
    log.write_turn(turn("c1", "m1"))
    row = log.turn("c1", "m1")
    assert row["role"] == "shopper" and row["channel"] is None
    assert (row["entities"], row["needs"], row["responses"], row["products"]) == ([], {}, [], [])
    assert row["nothing_fits"] is None
    assert (row["fallback"], row["handoff"], row["paused"]) == (False, False, False)


def test_text_entities_and_responses_are_redacted(log: TurnLog) -> None:
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
    raw = sqlite3.connect(log.path).execute("SELECT text, entities FROM turns").fetchone()
    assert "example.com" not in raw[0] + raw[1]


def test_extend_turn_appends_and_update_turn_replaces(log: TurnLog) -> None:
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


def test_bad_writes_are_refused(log: TurnLog) -> None:
    with pytest.raises(KeyError):
        log.update_turn("c1", "missing", fallback=True)
    with pytest.raises(ValueError, match="unknown"):
        log.write_turn(turn("c1", "m1", colour="red"))
    with pytest.raises(ValueError, match="message_id"):
        log.write_turn({"conversation_id": "c1", "text": "x"})
    with pytest.raises(ValueError, match="role"):
        log.write_turn(turn("c1", "m1", role="bot"))
    assert log.conversation("c1") == []


def test_a_write_waits_for_another_writers_lock(log: TurnLog) -> None:
    locked = threading.Event()

    def hold_write_lock() -> None:
        other = sqlite3.connect(log.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO schema_version SELECT version FROM schema_version WHERE 0")
        locked.set()
        time.sleep(1.5)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    locked.wait(5)
    started = time.monotonic()
    log.write_turn(turn("c1", "m1"))
    waited = time.monotonic() - started
    holder.join()
    assert waited >= 1.0
    assert log.turn("c1", "m1") is not None


def test_integrity_check(log: TurnLog) -> None:
    log.write_turn(turn("c1", "m1"))
    assert log.integrity_ok()


def test_iter_turns_streams_in_time_order_within_windows(log: TurnLog) -> None:
    count = STREAM_CHUNK * 2 + 17
    log.write_turns(turn(f"c{i % 7}", f"m{i}", ts=1000.0 + (i * 37) % count) for i in range(count))
    stream = log.iter_turns()
    assert isinstance(stream, GeneratorType)
    times = [(t["ts"], t["id"]) for t in stream]
    assert len(times) == count and times == sorted(times)
    window = list(log.iter_turns(since=1100.0, until=1200.0))
    assert len(window) == 100 and all(1100.0 <= t["ts"] < 1200.0 for t in window)
    one = list(log.iter_turns(conversation_id="c3"))
    assert one and {t["conversation_id"] for t in one} == {"c3"}


def test_writers_are_not_blocked_by_an_open_stream(log: TurnLog) -> None:
    log.write_turns(turn("c1", f"m{i}", ts=float(i)) for i in range(STREAM_CHUNK + 5))
    stream = log.iter_turns()
    first = next(stream)
    log.write_turn(turn("c2", "late", ts=0.5))
    rest = list(stream)
    assert first["ts"] == 0.0 and len(rest) == STREAM_CHUNK + 4  # a consistent snapshot
    assert log.turn("c2", "late") is not None


def test_write_turns_batches_large_inputs(log: TurnLog) -> None:
    written = log.write_turns(
        turn(f"c{i % 50}", f"m{i}", ts=float(i)) for i in range(BATCH_SIZE + 10)
    )
    assert written == BATCH_SIZE + 10
    assert sum(1 for _ in log.iter_turns()) == BATCH_SIZE + 10


def test_recent_returns_the_latest_oldest_first(log: TurnLog) -> None:
    log.write_turns(turn("c1", f"m{i}", ts=float(i)) for i in range(10))
    assert [t["message_id"] for t in log.recent(3)] == ["m7", "m8", "m9"]


def test_paused_state_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    with TurnLog(path) as log:
        assert not log.is_paused("c1")
        log.set_paused("c1", True)
    with TurnLog(path) as log:
        assert log.is_paused("c1")
        log.set_paused("c1", False)
        assert not log.is_paused("c1")


PROCESSES, TURNS_EACH = 4, 200


def write_from_a_worker(path: str, worker: int) -> None:
    with TurnLog(path) as log:
        for i in range(TURNS_EACH):
            log.write_turn(turn(f"own-{worker}", f"m{i}", ts=time.time()))
            log.write_turn(turn("shared", f"w{worker}-m{i}", ts=time.time()))


def test_several_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    TurnLog(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=write_from_a_worker, args=(str(path), w)) for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    with TurnLog(path) as log:
        for worker in range(PROCESSES):
            assert [t["turn"] for t in log.conversation(f"own-{worker}")] == list(
                range(1, TURNS_EACH + 1)
            )
        shared = log.conversation("shared")
        assert len(shared) == PROCESSES * TURNS_EACH
        assert [t["turn"] for t in shared] == list(range(1, PROCESSES * TURNS_EACH + 1))
        assert log.integrity_ok()
