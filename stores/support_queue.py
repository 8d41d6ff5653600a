"""The support queue on SQLite (stores.interface.HandoffStore): one row per handoff in the table
`handoffs`, in the turn log's database file.

The table lives in the same SQLite file as the turn log (stores.turnlog.default_path()) and shares
its connection within a process (stores.sqlite); it has its own migration set and version table
(`support_queue_version`), so the turn log's migrations are untouched. Every change is one
BEGIN IMMEDIATE transaction, which holds the write lock from its first read: a claim reads the
waiting handoff and marks it claimed before any other writer can look, so of two staff claiming at
once exactly one wins.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from stores import rules
from stores.interface import ABANDONED, CLAIMED, ENDED, OPEN, WAITING, Handoff, HandoffStore
from stores.sqlite import Schema, SQLiteStore
from stores.turnlog import default_path

HANDOFFS = "handoffs"
IS_OPEN = "status IN ({})".format(", ".join(f"'{status}'" for status in OPEN))
IS_ENDED = "status IN ({})".format(", ".join(f"'{status}'" for status in ENDED))


def create_handoffs(db: Database) -> None:
    """Schema version 1: the handoffs."""
    db[HANDOFFS].create(
        {
            "id": int,
            "conversation_id": str,
            "created_ts": float,
            "summary": str,
            "status": str,
            "claimed_by": str,
            "claimed_ts": float,
            "closed_ts": float,
        },
        pk="id",
        not_null={"conversation_id", "created_ts", "summary", "status"},
        defaults={"summary": "{}", "status": WAITING},
    )
    # At most one open handoff per conversation: a partial index, which sqlite-utils cannot
    # express (the statuses themselves are checked by stores.rules before any write).
    db.execute(f"CREATE UNIQUE INDEX handoffs_open ON {HANDOFFS}(conversation_id) WHERE {IS_OPEN}")
    db[HANDOFFS].create_index(["status", "created_ts"], "handoffs_status_created")


SCHEMA = Schema("support_queue", "support queue", "support_queue_version", [create_handoffs])
SCHEMA_VERSION = SCHEMA.version


def decoded(row: dict[str, Any]) -> Handoff:
    if "summary" in row:
        row["summary"] = json.loads(row["summary"] or "{}")
    return row


class SupportQueue(SQLiteStore, HandoffStore):
    """The handoff queue in a SQLite file. Safe to share between threads; handles on the same file
    in one process share its connection (stores.shared.handoff_store gives the process-wide one).
    """

    schema = SCHEMA

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path if path is not None else default_path())

    def _first(self, db: Database, where: str, args: list[Any], **query: Any) -> Handoff | None:
        row = next(db[HANDOFFS].rows_where(where, args, limit=1, **query), None)
        return decoded(row) if row is not None else None

    # -- the bot side --------------------------------------------------------------------------

    def enqueue(
        self, conversation_id: str, summary: dict[str, Any], now: float | None = None
    ) -> Handoff:
        rules.check_conversation_id(conversation_id)
        rules.check_summary(summary)
        now = time.time() if now is None else now
        encoded = json.dumps(summary, default=str)
        with self._write() as db:
            handoff = self._first(db, f"conversation_id = ? AND {IS_OPEN}", [conversation_id])
            if handoff is not None:
                db[HANDOFFS].update(handoff["id"], {"summary": encoded})
            else:
                row = {"conversation_id": conversation_id, "created_ts": now, "summary": encoded}
                db[HANDOFFS].insert({**row, "status": WAITING}, alter=False)
        current = self.current(conversation_id)
        assert current is not None, "an enqueued handoff is open"
        return current

    # -- the staff side ------------------------------------------------------------------------

    def claim(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        rules.check_staff(staff)
        now = time.time() if now is None else now
        with self._write() as db:
            handoff = self._first(
                db, "conversation_id = ? AND status = ?", [conversation_id, WAITING]
            )
            if handoff is None:
                return False
            db[HANDOFFS].update(
                handoff["id"], {"status": CLAIMED, "claimed_by": staff, "claimed_ts": now}
            )
        return True

    def finish(
        self, conversation_id: str, staff: str, status: str, now: float | None = None
    ) -> bool:
        rules.check_end(status)
        now = time.time() if now is None else now
        with self._write() as db:
            handoff = self._first(
                db,
                "conversation_id = ? AND status = ? AND claimed_by = ?",
                [conversation_id, CLAIMED, staff],
            )
            if handoff is None:
                return False
            db[HANDOFFS].update(handoff["id"], {"status": status, "closed_ts": now})
        return True

    def abandon(self, conversation_id: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._write() as db:
            handoff = self._first(
                db, "conversation_id = ? AND status = ?", [conversation_id, WAITING]
            )
            if handoff is None:
                return False
            db[HANDOFFS].update(handoff["id"], {"status": ABANDONED, "closed_ts": now})
        return True

    # -- reading -------------------------------------------------------------------------------

    def current(self, conversation_id: str) -> Handoff | None:
        with self._read() as db:
            return self._first(
                db,
                "conversation_id = ?",
                [conversation_id],
                order_by=f"{IS_OPEN} DESC, created_ts DESC, id DESC",
            )

    def open_handoffs(self, now: float | None = None) -> list[Handoff]:
        now = time.time() if now is None else now
        with self._read() as db:
            rows = list(db[HANDOFFS].rows_where(IS_OPEN, order_by="created_ts, id"))
        return rules.with_waits([decoded(row) for row in rows], now)

    def recent(self, limit: int = 20) -> list[Handoff]:
        with self._read() as db:
            rows = list(
                db[HANDOFFS].rows_where(IS_ENDED, order_by="closed_ts DESC, id DESC", limit=limit)
            )
        return [decoded(row) for row in rows]

    def handoffs_between(self, since: float | None, until: float | None) -> list[Handoff]:
        conditions = {"created_ts >= ?": since, "created_ts < ?": until}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        with self._read() as db:
            rows = list(
                db[HANDOFFS].rows_where(
                    " AND ".join(given) or None, list(given.values()), order_by="created_ts, id"
                )
            )
        return [decoded(row) for row in rows]

    def position(self, conversation_id: str) -> int | None:
        with self._read() as db:
            mine = self._first(db, "conversation_id = ? AND status = ?", [conversation_id, WAITING])
            if mine is None:
                return None
            ahead = db[HANDOFFS].count_where(
                "status = ? AND (created_ts < ? OR (created_ts = ? AND id < ?))",
                [WAITING, mine["created_ts"], mine["created_ts"], mine["id"]],
            )
        return ahead + 1

    def typical_wait(self, now: float | None = None) -> float | None:
        now = time.time() if now is None else now
        with self._read() as db:
            rows = list(
                db[HANDOFFS].rows_where(
                    "claimed_ts IS NOT NULL AND claimed_ts >= ?",
                    [now - rules.TYPICAL_WAIT_DAYS * 86400],
                    select="claimed_ts - created_ts AS wait",
                    order_by="claimed_ts DESC",
                    limit=rules.TYPICAL_WAIT_SAMPLE,
                )
            )
        return rules.median_wait(row["wait"] for row in rows)
