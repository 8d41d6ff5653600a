"""The support queue on PostgreSQL (stores.interface.HandoffStore): the table `handoffs`, as on
SQLite (stores.support_queue), in the location's schema.

A conversation has at most one open handoff (a partial unique index, as on SQLite); enqueueing
takes an advisory lock on the conversation, so two servers asking at once make one handoff. A
claim is one UPDATE of a row still `waiting`: of two staff claiming at once exactly one wins.
"""

from __future__ import annotations

import json
import time
from typing import Any

from stores import rules
from stores.interface import ABANDONED, CLAIMED, WAITING, Handoff, HandoffStore
from stores.postgres import LOCK_HANDOFF, PgSchema, PgStore
from stores.support_queue import HANDOFFS, IS_ENDED, IS_OPEN

COLUMNS = "id, conversation_id, created_ts, summary, status, claimed_by, claimed_ts, closed_ts"


def create_handoffs(cur: Any) -> None:
    """Schema version 1: the handoffs."""
    cur.execute(
        f"""CREATE TABLE {HANDOFFS} (
            id BIGSERIAL PRIMARY KEY, conversation_id TEXT NOT NULL,
            created_ts DOUBLE PRECISION NOT NULL, summary TEXT NOT NULL DEFAULT '{{}}',
            status TEXT NOT NULL DEFAULT '{WAITING}', claimed_by TEXT,
            claimed_ts DOUBLE PRECISION, closed_ts DOUBLE PRECISION)"""
    )
    cur.execute(
        f"CREATE UNIQUE INDEX handoffs_open ON {HANDOFFS} (conversation_id) WHERE {IS_OPEN}"
    )
    cur.execute(f"CREATE INDEX handoffs_status_created ON {HANDOFFS} (status, created_ts)")


SCHEMA = PgSchema("support_queue", "support queue", [create_handoffs])


def decoded(row: dict[str, Any]) -> Handoff:
    row = dict(row)
    row["summary"] = json.loads(row["summary"] or "{}")
    return row


class PgSupportQueue(PgStore, HandoffStore):
    """The handoff queue in a PostgreSQL schema."""

    schema = SCHEMA

    def _first(self, cur: Any, where: str, args: list[Any], order: str = "id") -> Handoff | None:
        cur.execute(
            f"SELECT {COLUMNS} FROM {HANDOFFS} WHERE {where} ORDER BY {order} LIMIT 1", args
        )
        row = cur.fetchone()
        return decoded(row) if row is not None else None

    def enqueue(
        self, conversation_id: str, summary: dict[str, Any], now: float | None = None
    ) -> Handoff:
        rules.check_conversation_id(conversation_id)
        rules.check_summary(summary)
        now = time.time() if now is None else now
        encoded = json.dumps(summary, default=str)
        with self._write() as cur:
            self.lock_conversations(cur, LOCK_HANDOFF, [conversation_id])
            handoff = self._first(cur, f"conversation_id = %s AND {IS_OPEN}", [conversation_id])
            if handoff is not None:
                cur.execute(
                    f"UPDATE {HANDOFFS} SET summary = %s WHERE id = %s", [encoded, handoff["id"]]
                )
            else:
                cur.execute(
                    f"INSERT INTO {HANDOFFS} (conversation_id, created_ts, summary, status)"
                    " VALUES (%s, %s, %s, %s)",
                    [conversation_id, now, encoded, WAITING],
                )
        current = self.current(conversation_id)
        assert current is not None, "an enqueued handoff is open"
        return current

    def _change(self, where: str, args: list[Any], values: dict[str, Any]) -> bool:
        """One UPDATE of the conversation's handoff matching `where`; whether there was one."""
        assignments = ", ".join(f"{column} = %s" for column in values)
        with self._write() as cur:
            cur.execute(
                f"UPDATE {HANDOFFS} SET {assignments} WHERE id = (SELECT id FROM {HANDOFFS}"
                f" WHERE {where} ORDER BY id LIMIT 1 FOR UPDATE) AND {where}",
                [*values.values(), *args, *args],
            )
            return cur.rowcount == 1

    def claim(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        rules.check_staff(staff)
        now = time.time() if now is None else now
        return self._change(
            "conversation_id = %s AND status = %s",
            [conversation_id, WAITING],
            {"status": CLAIMED, "claimed_by": staff, "claimed_ts": now},
        )

    def finish(
        self, conversation_id: str, staff: str, status: str, now: float | None = None
    ) -> bool:
        rules.check_end(status)
        now = time.time() if now is None else now
        return self._change(
            "conversation_id = %s AND status = %s AND claimed_by = %s",
            [conversation_id, CLAIMED, staff],
            {"status": status, "closed_ts": now},
        )

    def abandon(self, conversation_id: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self._change(
            "conversation_id = %s AND status = %s",
            [conversation_id, WAITING],
            {"status": ABANDONED, "closed_ts": now},
        )

    def current(self, conversation_id: str) -> Handoff | None:
        with self._read() as cur:
            return self._first(
                cur,
                "conversation_id = %s",
                [conversation_id],
                order=f"({IS_OPEN}) DESC, created_ts DESC, id DESC",
            )

    def _all(self, where: str | None, args: list[Any], order: str, limit: int | None = None):
        sql = f"SELECT {COLUMNS} FROM {HANDOFFS}" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {order}" + (" LIMIT %s" if limit is not None else "")
        with self._read() as cur:
            cur.execute(sql, [*args, limit] if limit is not None else args)
            return [decoded(row) for row in cur.fetchall()]

    def open_handoffs(self, now: float | None = None) -> list[Handoff]:
        now = time.time() if now is None else now
        return rules.with_waits(self._all(IS_OPEN, [], "created_ts, id"), now)

    def recent(self, limit: int = 20) -> list[Handoff]:
        return self._all(IS_ENDED, [], "closed_ts DESC, id DESC", limit)

    def handoffs_between(self, since: float | None, until: float | None) -> list[Handoff]:
        conditions = {"created_ts >= %s": since, "created_ts < %s": until}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        return self._all(" AND ".join(given) or None, list(given.values()), "created_ts, id")

    def position(self, conversation_id: str) -> int | None:
        with self._read() as cur:
            mine = self._first(
                cur, "conversation_id = %s AND status = %s", [conversation_id, WAITING]
            )
            if mine is None:
                return None
            cur.execute(
                f"SELECT count(*) AS n FROM {HANDOFFS} WHERE status = %s"
                " AND (created_ts < %s OR (created_ts = %s AND id < %s))",
                [WAITING, mine["created_ts"], mine["created_ts"], mine["id"]],
            )
            return cur.fetchone()["n"] + 1

    def typical_wait(self, now: float | None = None) -> float | None:
        now = time.time() if now is None else now
        with self._read() as cur:
            cur.execute(
                f"SELECT claimed_ts - created_ts AS wait FROM {HANDOFFS}"
                " WHERE claimed_ts IS NOT NULL AND claimed_ts >= %s"
                " ORDER BY claimed_ts DESC LIMIT %s",
                [now - rules.TYPICAL_WAIT_DAYS * 86400, rules.TYPICAL_WAIT_SAMPLE],
            )
            rows = cur.fetchall()
        return rules.median_wait(row["wait"] for row in rows)
