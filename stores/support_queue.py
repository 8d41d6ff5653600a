"""The support queue: conversations handed from the bot to a person, in the turn log's database.

One row per handoff in the table `handoffs`. A handoff is `waiting` until a staff member claims it
(`claimed`), and ends either `returned` (handed back to the bot) or `closed`. A conversation has at
most one open (waiting or claimed) handoff at a time; asking again while one is open refreshes its
summary and keeps its place in the queue.

The table lives in the same SQLite file as the turn log (stores.turnlog.default_path()) with the
same connection settings (WAL, busy timeout); it has its own schema version table
(`support_queue_version`), so the turn log's migrations are untouched. Claiming is one
`UPDATE ... WHERE status = 'waiting'`, so of two staff claiming at once exactly one wins.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stores.turnlog import apply_migrations, connect, default_path, transaction

WAITING, CLAIMED, CLOSED, RETURNED = "waiting", "claimed", "closed", "returned"
STATUSES = (WAITING, CLAIMED, CLOSED, RETURNED)
OPEN = (WAITING, CLAIMED)
TYPICAL_WAIT_SAMPLE = 50  # the latest claims that make up the typical wait
TYPICAL_WAIT_DAYS = 14


def _migrate_to_v1(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE handoffs (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            created_ts      REAL NOT NULL,
            summary         TEXT NOT NULL DEFAULT '{}',
            status          TEXT NOT NULL DEFAULT 'waiting'
                            CHECK (status IN ('waiting', 'claimed', 'closed', 'returned')),
            claimed_by      TEXT,
            claimed_ts      REAL,
            closed_ts       REAL
        )
        """
    )
    # At most one open handoff per conversation.
    db.execute(
        "CREATE UNIQUE INDEX handoffs_open ON handoffs(conversation_id)"
        " WHERE status IN ('waiting', 'claimed')"
    )
    db.execute("CREATE INDEX handoffs_status_created ON handoffs(status, created_ts)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the queue's tables to SCHEMA_VERSION; returns the version found."""
    return apply_migrations(db, "support_queue_version", MIGRATIONS, "support queue")


def _row(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    handoff = {col[0]: value for col, value in zip(cursor.description, row, strict=True)}
    if "summary" in handoff:
        handoff["summary"] = json.loads(handoff["summary"] or "{}")
    return handoff


class SupportQueue:
    """The handoff queue. Safe to share between threads; every change is one transaction."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = connect(self.path)
        try:
            migrate(self._db)
        except BaseException:
            self._db.close()
            raise
        self._db.row_factory = _row

    # -- the bot side --------------------------------------------------------------------------

    def enqueue(
        self, conversation_id: str, summary: dict[str, Any], now: float | None = None
    ) -> dict[str, Any]:
        """Put a conversation in the queue (or refresh the summary of its open handoff)."""
        if not conversation_id:
            raise ValueError("a handoff needs a conversation_id")
        now = time.time() if now is None else now
        encoded = json.dumps(summary, default=str)
        with self._lock, transaction(self._db):
            updated = self._db.execute(
                "UPDATE handoffs SET summary = ? WHERE conversation_id = ?"
                " AND status IN ('waiting', 'claimed')",
                (encoded, conversation_id),
            ).rowcount
            if not updated:
                self._db.execute(
                    "INSERT INTO handoffs (conversation_id, created_ts, summary, status)"
                    " VALUES (?, ?, ?, 'waiting')",
                    (conversation_id, now, encoded),
                )
        handoff = self.current(conversation_id)
        assert handoff is not None
        return handoff

    # -- the staff side ------------------------------------------------------------------------

    def claim(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        """Claim a waiting conversation for `staff`; False if it is not waiting (any more)."""
        now = time.time() if now is None else now
        with self._lock, transaction(self._db):
            changed = self._db.execute(
                "UPDATE handoffs SET status = 'claimed', claimed_by = ?, claimed_ts = ?"
                " WHERE conversation_id = ? AND status = 'waiting'",
                (staff, now, conversation_id),
            ).rowcount
        return changed == 1

    def finish(
        self, conversation_id: str, staff: str, status: str, now: float | None = None
    ) -> bool:
        """End the handoff `staff` has claimed as `returned` or `closed`; False if they do not
        hold it."""
        if status not in (RETURNED, CLOSED):
            raise ValueError(f"a handoff ends as {RETURNED!r} or {CLOSED!r}, not {status!r}")
        now = time.time() if now is None else now
        with self._lock, transaction(self._db):
            changed = self._db.execute(
                "UPDATE handoffs SET status = ?, closed_ts = ?"
                " WHERE conversation_id = ? AND status = 'claimed' AND claimed_by = ?",
                (status, now, conversation_id, staff),
            ).rowcount
        return changed == 1

    def hand_back(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        return self.finish(conversation_id, staff, RETURNED, now)

    def close(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        return self.finish(conversation_id, staff, CLOSED, now)

    # -- reading -------------------------------------------------------------------------------

    def current(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's open handoff, else its latest one, else None."""
        with self._lock:
            return self._db.execute(
                "SELECT * FROM handoffs WHERE conversation_id = ?"
                " ORDER BY status IN ('waiting', 'claimed') DESC, created_ts DESC, id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()

    def open_handoffs(self, now: float | None = None) -> list[dict[str, Any]]:
        """Waiting and claimed handoffs, oldest first, each with `wait_seconds` (time waited
        until claimed, or until now while waiting)."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM handoffs WHERE status IN ('waiting', 'claimed')"
                " ORDER BY created_ts, id"
            ).fetchall()
        for row in rows:
            until = row["claimed_ts"] if row["status"] == CLAIMED else now
            row["wait_seconds"] = max(0.0, (until or now) - row["created_ts"])
        return rows

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest ended handoffs, newest first."""
        with self._lock:
            return self._db.execute(
                "SELECT * FROM handoffs WHERE status IN ('closed', 'returned')"
                " ORDER BY closed_ts DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()

    def position(self, conversation_id: str) -> int | None:
        """1 for the longest-waiting conversation; None if this one is not waiting."""
        with self._lock:
            row = self._db.execute(
                "SELECT created_ts, id FROM handoffs WHERE conversation_id = ? AND status = 'waiting'",
                (conversation_id,),
            ).fetchone()
            if row is None:
                return None
            ahead = self._db.execute(
                "SELECT COUNT(*) AS n FROM handoffs WHERE status = 'waiting'"
                " AND (created_ts < ? OR (created_ts = ? AND id < ?))",
                (row["created_ts"], row["created_ts"], row["id"]),
            ).fetchone()["n"]
        return ahead + 1

    def typical_wait(self, now: float | None = None) -> float | None:
        """The median wait until a person joined, over the latest claims of the last two weeks;
        None when there is no such history."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT claimed_ts - created_ts AS wait FROM handoffs"
                " WHERE claimed_ts IS NOT NULL AND claimed_ts >= ?"
                " ORDER BY claimed_ts DESC LIMIT ?",
                (now - TYPICAL_WAIT_DAYS * 86400, TYPICAL_WAIT_SAMPLE),
            ).fetchall()
        waits = [max(0.0, r["wait"]) for r in rows]
        return statistics.median(waits) if waits else None

    def schema_version(self) -> int:
        with self._lock:
            return self._db.execute("SELECT version FROM support_queue_version").fetchone()[
                "version"
            ]

    def close_db(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SupportQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_db()
