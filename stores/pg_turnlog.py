"""The turn log on PostgreSQL (stores.interface.TurnStore): the tables `turns`,
`conversation_state` and `turn_log_info`, as on SQLite (stores.turnlog), in the location's schema.

Validation, redaction and the JSON encoding are the SQLite log's (stores.rules, stores.turnlog):
JSON columns are text here too, so both backends hold and return the same values; flags are
BOOLEAN. A batch takes an advisory lock on each of its conversations before it reads their last
turn numbers, so concurrent writers on any host number turns without gaps or duplicates.
`iter_turns` streams through a server-side (named) cursor on a connection of its own: one
snapshot, in bounded memory, holding up no writer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg2.extras

from stores import rules
from stores.interface import Turn, TurnStore
from stores.postgres import LOCK_CONVERSATION, PgSchema, PgStore, connect
from stores.turnlog import (
    INFO,
    SAMPLE,
    STATE,
    TURNS,
    _Batch,
    _stored,
    decoded,
    encoded_batch,
    write_in_batches,
)

STREAM_ROWS = 1000  # rows per round trip of iter_turns' server-side cursor
BY_KEY = "conversation_id = %s AND message_id = %s"


def create_turns(cur: Any) -> None:
    """Schema version 1: the turns and the paused flag per conversation."""
    json_columns = ", ".join(
        f"{column} TEXT NOT NULL DEFAULT '{'[]' if isinstance(empty, list) else '{}'}'"
        for column, empty in rules.JSON_COLUMNS.items()
    )
    flags = ", ".join(f"{column} BOOLEAN NOT NULL DEFAULT FALSE" for column in rules.FLAG_COLUMNS)
    cur.execute(
        f"""CREATE TABLE {TURNS} (
            id BIGSERIAL PRIMARY KEY,
            conversation_id TEXT NOT NULL, message_id TEXT NOT NULL, turn INTEGER NOT NULL,
            role TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL,
            updated_ts DOUBLE PRECISION NOT NULL, channel TEXT, text TEXT NOT NULL,
            intent TEXT, confidence DOUBLE PRECISION, {json_columns}, nothing_fits TEXT, {flags})"""
    )
    cur.execute(
        f"CREATE UNIQUE INDEX turns_conversation_message ON {TURNS} (conversation_id, message_id)"
    )
    cur.execute(f"CREATE INDEX turns_conversation_turn ON {TURNS} (conversation_id, turn)")
    cur.execute(f"CREATE INDEX turns_ts ON {TURNS} (ts)")
    cur.execute(f"CREATE INDEX turns_intent ON {TURNS} (intent)")
    cur.execute(
        f"CREATE TABLE {STATE} (conversation_id TEXT PRIMARY KEY,"
        " paused BOOLEAN NOT NULL DEFAULT FALSE, updated_ts DOUBLE PRECISION NOT NULL)"
    )


def add_traffic(cur: Any) -> None:
    """Schema version 2: the traffic tag per conversation, facts about the log itself."""
    cur.execute(f"ALTER TABLE {STATE} ADD COLUMN traffic TEXT")
    cur.execute(f"CREATE TABLE {INFO} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


SCHEMA = PgSchema("turn_log", "turn log", [create_turns, add_traffic])


def stored(column: str, value: Any) -> Any:
    value = _stored(column, value)
    return bool(value) if column in rules.FLAG_COLUMNS else value


def stored_all(values: dict[str, Any]) -> dict[str, Any]:
    return {column: stored(column, value) for column, value in values.items()}


class _Table:
    """The two table operations stores.turnlog._Batch uses, on a psycopg2 cursor, so that both
    backends number and merge a batch by the same code."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def update(self, row_id: int, values: dict[str, Any]) -> None:
        if values:
            assignments = ", ".join(f"{column} = %s" for column in values)
            self.cur.execute(
                f"UPDATE {TURNS} SET {assignments} WHERE id = %s", [*values.values(), row_id]
            )

    def insert_all(self, rows: Iterable[dict[str, Any]], alter: bool = False) -> None:
        rows = list(rows)
        columns = sorted({column for row in rows for column in row} - {"id"})
        psycopg2.extras.execute_values(
            self.cur,
            f"INSERT INTO {TURNS} ({', '.join(columns)}) VALUES %s",
            [tuple(row.get(column) for column in columns) for row in rows],
            page_size=500,
        )


class PgTurnLog(PgStore, TurnStore):
    """The turn log in a PostgreSQL schema."""

    schema = SCHEMA

    def write_turns(self, turns: Iterable[Turn]) -> int:
        return write_in_batches(turns, self._write_batch)

    def _write_batch(self, turns: list[Turn]) -> int:
        changes, new_row, conversations = encoded_batch(turns, stored_all)
        with self._write() as cur:
            self.lock_conversations(cur, LOCK_CONVERSATION, conversations)
            cur.execute(
                f"SELECT conversation_id, message_id, id, turn FROM {TURNS}"
                " WHERE conversation_id = ANY(%s)",
                [sorted(conversations)],
            )
            existing = cur.fetchall()
            _Batch(_Table(cur), new_row, conversations, existing).write(changes)
        return len(turns)

    def change_turn(
        self,
        conversation_id: str,
        message_id: str,
        fields: dict[str, Any],
        appended: dict[str, list[dict[str, Any]]],
    ) -> None:
        rules.check_fields(fields, appended)
        values = stored_all(fields)
        with self._write() as cur:
            cur.execute(
                f"SELECT id, responses, products FROM {TURNS} WHERE {BY_KEY} FOR UPDATE",
                [conversation_id, message_id],
            )
            row = cur.fetchone()
            if row is None:
                raise KeyError(f"no turn {message_id!r} in conversation {conversation_id!r}")
            for column, items in appended.items():
                if items:
                    values[column] = stored(column, json.loads(row[column]) + list(items))
            values["updated_ts"] = time.time()
            _Table(cur).update(row["id"], values)

    def _set_state(self, conversation_id: str, column: str, value: Any) -> None:
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {STATE} (conversation_id, {column}, updated_ts) VALUES (%s, %s, %s)"
                f" ON CONFLICT (conversation_id) DO UPDATE SET {column} = EXCLUDED.{column},"
                " updated_ts = EXCLUDED.updated_ts",
                [conversation_id, value, time.time()],
            )

    def set_paused(self, conversation_id: str, paused: bool) -> None:
        self._set_state(conversation_id, "paused", bool(paused))

    def tag_traffic(self, conversation_id: str, traffic: str | None) -> None:
        rules.check_conversation_id(conversation_id)
        rules.check_traffic(traffic)
        self._set_state(conversation_id, "traffic", traffic)

    def mark_sample(self) -> None:
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {INFO} (key, value) VALUES (%s, '1') ON CONFLICT (key) DO NOTHING",
                [SAMPLE],
            )

    def tagged_traffic(self) -> dict[str, str]:
        with self._read() as cur:
            cur.execute(f"SELECT conversation_id, traffic FROM {STATE} WHERE traffic IS NOT NULL")
            return {row["conversation_id"]: row["traffic"] for row in cur.fetchall()}

    def is_sample(self) -> bool:
        with self._read() as cur:
            cur.execute(f"SELECT 1 FROM {INFO} WHERE key = %s", [SAMPLE])
            return cur.fetchone() is not None

    def is_paused(self, conversation_id: str) -> bool:
        with self._read() as cur:
            cur.execute(f"SELECT paused FROM {STATE} WHERE conversation_id = %s", [conversation_id])
            row = cur.fetchone()
        return bool(row and row["paused"])

    def _rows(self, where: str | None, args: list[Any], order: str, limit: int | None = None):
        sql = f"SELECT * FROM {TURNS}" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {order}" + (" LIMIT %s" if limit is not None else "")
        with self._read() as cur:
            cur.execute(sql, [*args, limit] if limit is not None else args)
            rows = [dict(row) for row in cur.fetchall()]
        return [decoded(row) for row in rows]

    def turn(self, conversation_id: str, message_id: str) -> Turn | None:
        rows = self._rows(BY_KEY, [conversation_id, message_id], "id", 1)
        return rows[0] if rows else None

    def last_turn(self, conversation_id: str, role: str | None = None) -> Turn | None:
        where, args = "conversation_id = %s", [conversation_id]
        if role is not None:
            where, args = where + " AND role = %s", [*args, role]
        rows = self._rows(where, args, "turn DESC, id DESC", 1)
        return rows[0] if rows else None

    def iter_turns(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[Turn]:
        """A named (server-side) cursor on a connection of its own, STREAM_ROWS at a time."""
        conditions = {"ts >= %s": since, "ts < %s": until, "conversation_id = %s": conversation_id}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        where = (" WHERE " + " AND ".join(given)) if given else ""
        self._check_open()
        reader = connect(self.location)
        try:
            reader.set_session(readonly=True)
            with reader.cursor(
                name="advisor_iter_turns", cursor_factory=psycopg2.extras.RealDictCursor
            ) as cur:
                cur.itersize = STREAM_ROWS
                cur.execute(f"SELECT * FROM {TURNS}{where} ORDER BY ts, id", list(given.values()))
                for row in cur:
                    yield decoded(dict(row))
            reader.commit()
        finally:
            reader.close()

    def iter_stated_needs(
        self, since: float | None = None, until: float | None = None
    ) -> Iterator[tuple[str, str, float, str, str]]:
        """(conversation_id, role, ts, text, needs as its stored JSON text) in iter_turns' order,
        on a named cursor: the five columns a concept test replays (analysis.concept_replay)."""
        conditions = {"ts >= %s": since, "ts < %s": until}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        where = (" WHERE " + " AND ".join(given)) if given else ""
        self._check_open()
        reader = connect(self.location)
        try:
            reader.set_session(readonly=True)
            with reader.cursor(name="advisor_iter_stated_needs") as cur:
                cur.itersize = STREAM_ROWS
                cur.execute(
                    f"SELECT conversation_id, role, ts, text, needs FROM {TURNS}{where} "  # noqa: S608
                    "ORDER BY ts, id",
                    list(given.values()),
                )
                yield from cur
            reader.commit()
        finally:
            reader.close()

    def conversation(self, conversation_id: str) -> list[Turn]:
        return self._rows("conversation_id = %s", [conversation_id], "turn, id")

    def recent(self, limit: int = 20) -> list[Turn]:
        return self._rows(None, [], "ts DESC, id DESC", limit)[::-1]
