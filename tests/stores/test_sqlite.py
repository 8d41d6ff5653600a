"""What only the SQLite backend has: its schema, migration sets and version tables, databases made
by the earlier code, PRAGMAs, the file's write lock, and one connection per file per process."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from stores.interface import StoreClosed
from stores.support_queue import SupportQueue
from stores.turnlog import SCHEMA_VERSION, TurnLog
from tests.stores.conftest import turn

# The schema version 1 tables as the code before sqlite-utils made them (hand-written SQL).
EARLIER_V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE turns (
    id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, message_id TEXT NOT NULL,
    turn INTEGER NOT NULL, role TEXT NOT NULL, ts REAL NOT NULL, updated_ts REAL NOT NULL,
    channel TEXT, text TEXT NOT NULL, intent TEXT, confidence REAL,
    entities TEXT NOT NULL DEFAULT '[]', needs TEXT NOT NULL DEFAULT '{}',
    responses TEXT NOT NULL DEFAULT '[]', products TEXT NOT NULL DEFAULT '[]', nothing_fits TEXT,
    fallback INTEGER NOT NULL DEFAULT 0, handoff INTEGER NOT NULL DEFAULT 0,
    paused INTEGER NOT NULL DEFAULT 0, UNIQUE(conversation_id, message_id)
);
CREATE INDEX turns_conversation_turn ON turns(conversation_id, turn);
CREATE INDEX turns_ts ON turns(ts);
CREATE INDEX turns_intent ON turns(intent);
CREATE TABLE conversation_state (
    conversation_id TEXT PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0, updated_ts REAL NOT NULL
);
CREATE TABLE support_queue_version (version INTEGER NOT NULL);
INSERT INTO support_queue_version VALUES (1);
CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, created_ts REAL NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'claimed', 'closed', 'returned')),
    claimed_by TEXT, claimed_ts REAL, closed_ts REAL
);
CREATE UNIQUE INDEX handoffs_open ON handoffs(conversation_id)
    WHERE status IN ('waiting', 'claimed');
CREATE INDEX handoffs_status_created ON handoffs(status, created_ts);
INSERT INTO turns (conversation_id, message_id, turn, role, ts, updated_ts, text, needs)
    VALUES ('old', 'm1', 1, 'shopper', 5.0, 5.0, 'a hybrid please', '{"powertrain": "hybrid"}');
INSERT INTO handoffs (conversation_id, created_ts, summary) VALUES ('old', 6.0, '{"needs": "x"}');
"""


def raw(path: Path, sql: str, *params) -> list[tuple]:
    """Run one statement past the stores (and commit it); its rows."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(sql, params).fetchall()
        connection.commit()
        return rows
    finally:
        connection.close()


# -- schema and migrations ---------------------------------------------------------------------


def test_a_new_database_gets_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new" / "turns.db"
    TurnLog(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"turns_conversation_turn", "turns_ts", "turns_intent"} <= indexes
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_migrations_are_recorded_as_sqlite_utils_migration_sets(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    TurnLog(path).close()
    SupportQueue(path).close_db()
    recorded = raw(path, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")
    assert recorded == [
        ("turn_log", "create_turns"),
        ("turn_log", "add_traffic"),
        ("support_queue", "create_handoffs"),
    ]


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
    raw(path, "UPDATE schema_version SET version = ?", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="newer"):
        TurnLog(path)


def test_a_database_with_migrations_this_code_does_not_know_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    SupportQueue(path).close_db()
    raw(
        path,
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        *("support_queue", "add_priority", "later"),
    )
    with pytest.raises(RuntimeError, match="newer than this code"):
        SupportQueue(path)


def test_a_database_made_by_the_earlier_code_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    sqlite3.connect(path).executescript(EARLIER_V1)
    tables_before = raw(path, "SELECT name, sql FROM sqlite_master ORDER BY name")
    with TurnLog(path) as log, SupportQueue(path) as queue:
        assert log.schema_version() == SCHEMA_VERSION and queue.schema_version() == 1
        assert log.conversation("old")[0]["needs"] == {"powertrain": "hybrid"}
        log.write_turn(turn("old", "m2"))
        log.write_turn(turn("old", "m1", intent="state_needs"))
        assert [(t["message_id"], t["turn"]) for t in log.conversation("old")] == [
            ("m1", 1),
            ("m2", 2),
        ]
        assert queue.current("old")["summary"] == {"needs": "x"}
        assert queue.claim("old", "alex")
        assert log.integrity_ok()
        assert log.tagged_traffic() == {}  # version 2 added the traffic tags
    tables_after = dict(raw(path, "SELECT name, sql FROM sqlite_master ORDER BY name"))
    for name, sql in tables_before:  # no table of the earlier code was changed but by migrations
        if name == "conversation_state":
            assert tables_after[name].startswith(sql.rstrip(")"))
        else:
            assert tables_after[name] == sql, name
    adopted = raw(path, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")
    assert adopted == [
        ("turn_log", "create_turns"),
        ("turn_log", "add_traffic"),
        ("support_queue", "create_handoffs"),
    ]


# -- connection settings and the write lock ----------------------------------------------------


def test_connection_pragmas(tmp_path: Path) -> None:
    with TurnLog(tmp_path / "turns.db") as log:
        db = log.database
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def hold_the_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_write_waits_for_another_writers_lock(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    log = TurnLog(path)
    other = hold_the_write_lock(path)
    written = threading.Event()
    writer = threading.Thread(target=lambda: (log.write_turn(turn("c1", "m1")), written.set()))
    writer.start()
    assert not written.wait(1.0), "the write went ahead while another writer held the lock"
    other.execute("COMMIT")
    other.close()
    writer.join(15)
    assert written.is_set() and log.turn("c1", "m1") is not None
    log.close()


def test_opening_and_reading_a_current_database_takes_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    with SupportQueue(path) as setup:
        setup.enqueue("c1", {})
    other = hold_the_write_lock(path)
    started = time.monotonic()
    with SupportQueue(path) as queue:
        assert queue.current("c1")["status"] == "waiting"
    other.execute("ROLLBACK")
    other.close()
    assert time.monotonic() - started < 2.0  # not the 10 s busy timeout


# -- one connection per file per process -------------------------------------------------------


def test_stores_on_one_file_share_one_connection_and_check_each_schema_once(
    tmp_path: Path, connections: list[Path], migration_checks: list[str]
) -> None:
    path = tmp_path / "turns.db"
    with TurnLog(path) as log, SupportQueue(path) as queue, TurnLog(path) as again:
        log.write_turn(turn("c1", "m1"))
        queue.enqueue("c1", {})
        assert again.turn("c1", "m1") is not None
        assert log.database is queue.database is again.database
    assert connections == [path]
    assert migration_checks == ["turn_log", "support_queue"]


def test_the_last_handle_closes_the_connection(tmp_path: Path, connections: list[Path]) -> None:
    path = tmp_path / "turns.db"
    first, second = TurnLog(path), TurnLog(path)
    first.close()
    second.write_turn(turn("c1", "m1"))  # still open for the other handle
    second.close()
    with TurnLog(path) as third:
        assert third.turn("c1", "m1") is not None
    assert connections == [path, path]


def test_a_closed_handle_refuses_to_work(tmp_path: Path) -> None:
    log = TurnLog(tmp_path / "turns.db")
    log.close()
    with pytest.raises(StoreClosed, match="closed"):
        log.write_turn(turn("c1", "m1"))
    with pytest.raises(StoreClosed):
        next(log.iter_turns())


def test_a_deleted_database_is_made_anew_at_the_next_call(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    with TurnLog(path) as log:
        log.write_turn(turn("c1", "before"))
        for name in ("turns.db", "turns.db-wal", "turns.db-shm"):
            (tmp_path / name).unlink(missing_ok=True)
        log.write_turn(turn("c1", "after"))
        assert [t["message_id"] for t in log.conversation("c1")] == ["after"]
    assert raw(path, "SELECT message_id FROM turns") == [("after",)]


def _write_in_a_forked_child(log: TurnLog) -> None:
    log.write_turn(turn("child", "m1"))


def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turn(turn("parent", "m1"))
        child = multiprocessing.get_context("fork").Process(
            target=_write_in_a_forked_child, args=(log,)
        )
        child.start()
        child.join(60)
        assert child.exitcode == 0
        log.write_turn(turn("parent", "m2"))
        assert log.turn("child", "m1") is not None
        assert [t["turn"] for t in log.conversation("parent")] == [1, 2]
