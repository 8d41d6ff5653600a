"""The turn log on SQLite (stores.interface.TurnStore): one row per shopper or staff message in
the table `turns`, with what the advisor did about it, and the paused flag per conversation in
`conversation_state`.

The schema and API are the shared contract for the logger and the miners (see the module's
callers). Tables, inserts, updates and queries go through sqlite-utils; connections, transactions
and migrations through stores.sqlite (WAL, busy timeout, one transaction per write, one connection
and one migration check per process). Validation and redaction are stores.rules, shared by every
backend; what is SQLite's own is the storage form: JSON columns as text, flags as 0/1.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from stores import rules
from stores.interface import Turn, TurnStore
from stores.sqlite import Schema, SQLiteStore, connect

PATH_ENV = "ADVISOR_TURN_LOG"
BATCH_SIZE = 5000
LOOKUP_CHUNK = 500  # conversation ids per query (SQLite allows 999 parameters)
TURNS, STATE, INFO = "turns", "conversation_state", "turn_log_info"
SAMPLE = "sample"
BY_KEY = "conversation_id = ? AND message_id = ?"


def create_turns(db: Database) -> None:
    """Schema version 1: the turns and the paused flag per conversation."""
    db[TURNS].create(
        {
            "id": int,
            "conversation_id": str,
            "message_id": str,
            "turn": int,
            "role": str,
            "ts": float,
            "updated_ts": float,
            "channel": str,
            "text": str,
            "intent": str,
            "confidence": float,
            **{column: str for column in rules.JSON_COLUMNS},
            "nothing_fits": str,
            **{column: int for column in rules.FLAG_COLUMNS},
        },
        pk="id",
        not_null={"conversation_id", "message_id", "turn", "role", "ts", "updated_ts", "text"}
        | rules.JSON_COLUMNS.keys()
        | set(rules.FLAG_COLUMNS),
        defaults={
            **{column: json.dumps(empty) for column, empty in rules.JSON_COLUMNS.items()},
            **{column: 0 for column in rules.FLAG_COLUMNS},
        },
    )
    # The upsert key; databases made by the earlier code have it as a UNIQUE table constraint.
    db[TURNS].create_index(rules.KEY, "turns_conversation_message", unique=True)
    db[TURNS].create_index(["conversation_id", "turn"], "turns_conversation_turn")
    db[TURNS].create_index(["ts"], "turns_ts")
    db[TURNS].create_index(["intent"], "turns_intent")
    # Whether a person has taken over a conversation (Rasa pause/resume), for the event broker.
    db[STATE].create(
        {"conversation_id": str, "paused": int, "updated_ts": float},
        pk="conversation_id",
        not_null={"paused", "updated_ts"},
        defaults={"paused": 0},
    )


def add_traffic(db: Database) -> None:
    """Schema version 2: the traffic tag per conversation (stores.interface.TRAFFIC), and facts
    about the log itself (whether it holds simulated conversations)."""
    db[STATE].add_column("traffic", str)
    db[INFO].create({"key": str, "value": str}, pk="key", not_null={"value"})


SCHEMA = Schema("turn_log", "turn log", "schema_version", [create_turns, add_traffic])
SCHEMA_VERSION = SCHEMA.version


def default_path() -> Path:
    """$ADVISOR_TURN_LOG, else turns.db in the data folder (advisor.settings)."""
    from advisor.settings import current

    return current().turn_log


def _stored(column: str, value: Any) -> Any:
    """A turn value as its column holds it: redacted, JSON as text, flags as 0/1."""
    value = rules.redacted(column, value)
    if column in rules.FLAG_COLUMNS:
        return 1 if value else 0
    if column in rules.JSON_COLUMNS:
        return _json(column, rules.JSON_COLUMNS[column] if value is None else value)
    if column in rules.NULLABLE_JSON_COLUMNS:
        return None if value is None else _json(column, value)
    return value


def _json(column: str, value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"turn log column {column!r} must hold JSON: {error}") from error


def write_in_batches(turns: Iterable[Turn], write_batch: Callable[[list[Turn]], int]) -> int:
    """`write_batch` over `turns` in batches of up to BATCH_SIZE (each backend's write_turns)."""
    count = 0
    batch: list[Turn] = []
    for turn in turns:
        batch.append(turn)
        if len(batch) >= BATCH_SIZE:
            count += write_batch(batch)
            batch = []
    if batch:
        count += write_batch(batch)
    return count


def encoded_batch(
    turns: list[Turn], encode: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any], set[str]]:
    """(each turn checked and encoded, a new row's defaults encoded, the conversations touched):
    every turn is checked before any is written, so a bad one writes nothing of its batch."""
    now = time.time()
    for position, turn in enumerate(turns):
        rules.check_turn(turn, position if len(turns) > 1 else None)
    changes = [encode({**turn, "updated_ts": turn.get("updated_ts") or now}) for turn in turns]
    return changes, encode(rules.new_turn(now)), {change["conversation_id"] for change in changes}


def _stored_all(values: dict[str, Any]) -> dict[str, Any]:
    return {column: _stored(column, value) for column, value in values.items()}


def decoded(row: dict[str, Any]) -> Turn:
    """A row as read: JSON columns decoded and flags as bool."""
    for column in rules.JSON_COLUMNS.keys() | rules.NULLABLE_JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    for column in rules.FLAG_COLUMNS:
        if column in row:
            row[column] = bool(row[column])
    return row


class TurnLog(SQLiteStore, TurnStore):
    """The turn log in a SQLite file. Safe to share between threads; handles on the same file in
    one process share its connection (stores.shared.turn_store gives the process-wide one)."""

    schema = SCHEMA

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path if path is not None else default_path())

    # -- writing -------------------------------------------------------------------------------

    def write_turns(self, turns: Iterable[Turn]) -> int:
        """Upsert many turns, one transaction per batch of up to BATCH_SIZE; returns the count."""
        return write_in_batches(turns, self._write_batch)

    def _write_batch(self, turns: list[Turn]) -> int:
        """Validate and encode the whole batch first, so that a bad turn writes nothing of it."""
        changes, new_row, conversations = encoded_batch(turns, _stored_all)
        with self._write() as db:
            _Batch(db[TURNS], new_row, conversations, _existing(db, conversations)).write(changes)
        return len(turns)

    def change_turn(
        self,
        conversation_id: str,
        message_id: str,
        fields: dict[str, Any],
        appended: dict[str, list[dict[str, Any]]],
    ) -> None:
        rules.check_fields(fields, appended)
        values = _stored_all(fields)
        with self._write() as db:
            row = next(
                db[TURNS].rows_where(
                    BY_KEY, [conversation_id, message_id], select="id, responses, products"
                ),
                None,
            )
            if row is None:
                raise KeyError(f"no turn {message_id!r} in conversation {conversation_id!r}")
            for column, items in appended.items():
                if items:
                    values[column] = _stored(column, json.loads(row[column]) + list(items))
            values["updated_ts"] = time.time()
            db[TURNS].update(row["id"], values)

    def set_paused(self, conversation_id: str, paused: bool) -> None:
        row = {"conversation_id": conversation_id, "paused": int(paused), "updated_ts": time.time()}
        with self._write() as db:
            db[STATE].upsert(row, pk="conversation_id", alter=False)

    def tag_traffic(self, conversation_id: str, traffic: str | None) -> None:
        rules.check_conversation_id(conversation_id)
        rules.check_traffic(traffic)
        row = {"conversation_id": conversation_id, "traffic": traffic, "updated_ts": time.time()}
        with self._write() as db:
            db[STATE].upsert(row, pk="conversation_id", alter=False)

    def mark_sample(self) -> None:
        with self._write() as db:
            db[INFO].upsert({"key": SAMPLE, "value": "1"}, pk="key", alter=False)

    # -- reading -------------------------------------------------------------------------------

    def tagged_traffic(self) -> dict[str, str]:
        with self._read() as db:
            rows = db[STATE].rows_where("traffic IS NOT NULL", select="conversation_id, traffic")
            return {row["conversation_id"]: row["traffic"] for row in rows}

    def is_sample(self) -> bool:
        with self._read() as db:
            return bool(db[INFO].count_where("key = ?", [SAMPLE]))

    def _rows(
        self, where: str | None = None, args: list[Any] | None = None, **query: Any
    ) -> list[Turn]:
        with self._read() as db:
            rows = list(db[TURNS].rows_where(where, args, **query))
        return [decoded(row) for row in rows]

    def is_paused(self, conversation_id: str) -> bool:
        with self._read() as db:
            rows = list(db[STATE].rows_where("conversation_id = ?", [conversation_id], limit=1))
        return bool(rows and rows[0]["paused"])

    def turn(self, conversation_id: str, message_id: str) -> Turn | None:
        rows = self._rows(BY_KEY, [conversation_id, message_id], limit=1)
        return rows[0] if rows else None

    def last_turn(self, conversation_id: str, role: str | None = None) -> Turn | None:
        where, args = "conversation_id = ?", [conversation_id]
        if role is not None:
            where, args = where + " AND role = ?", [*args, role]
        rows = self._rows(where, args, order_by="turn DESC, id DESC", limit=1)
        return rows[0] if rows else None

    def iter_turns(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[Turn]:
        """Uses a read connection of its own: one SELECT on it is one consistent snapshot, and
        it needs neither the shared connection's lock nor the write lock while it is read."""
        conditions = {"ts >= ?": since, "ts < ?": until, "conversation_id = ?": conversation_id}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        self._check_open()
        reader = connect(self.path)
        try:
            rows = reader[TURNS].rows_where(
                " AND ".join(given) or None, list(given.values()), order_by="ts, id"
            )
            for row in rows:
                yield decoded(row)
        finally:
            reader.close()

    def iter_stated_needs(
        self, since: float | None = None, until: float | None = None
    ) -> Iterator[tuple[str, str, float, str, str]]:
        """(conversation_id, role, ts, text, needs as its stored JSON text) of the turns with
        since <= ts < until, ordered as iter_turns orders them: the five columns a concept test
        replays (analysis.concept_replay), without decoding the others. An optional fast path
        beside iter_turns; a store without it is replayed through iter_turns."""
        conditions = {"ts >= ?": since, "ts < ?": until}
        given = {sql: value for sql, value in conditions.items() if value is not None}
        where = f" WHERE {' AND '.join(given)}" if given else ""
        self._check_open()
        reader = connect(self.path)
        try:
            yield from reader.execute(
                f"SELECT conversation_id, role, ts, text, needs FROM {TURNS}{where} "  # noqa: S608
                "ORDER BY ts, id",
                list(given.values()),
            )
        finally:
            reader.close()

    def conversation(self, conversation_id: str) -> list[Turn]:
        return self._rows("conversation_id = ?", [conversation_id], order_by="turn, id")

    def recent(self, limit: int = 20) -> list[Turn]:
        return self._rows(order_by="ts DESC, id DESC", limit=limit)[::-1]


class _Batch:
    """One batch of encoded turns written in one transaction: rows that exist are updated (only
    the columns given), new ones are inserted together, numbered after the conversation's last
    turn unless they say their number. What exists (`existing`: conversation_id, message_id, id
    and turn of the batch's conversations' rows) is read once for the batch, not once per turn.
    `table` is a sqlite-utils Table, or anything with its update and insert_all (PostgreSQL's)."""

    def __init__(
        self,
        table: Any,
        new_row: dict[str, Any],
        conversations: set[str],
        existing: Iterable[dict[str, Any]],
    ) -> None:
        self.table = table
        self.new_row = new_row
        self.known: dict[tuple[str, str], int] = {}  # (conversation_id, message_id) -> id
        self.last_turn: dict[str, int] = dict.fromkeys(conversations, 0)
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}  # new rows, in arrival order
        for row in existing:
            self.known[row["conversation_id"], row["message_id"]] = row["id"]
            self._count(row)

    def write(self, changes: list[dict[str, Any]]) -> None:
        for change in changes:
            key = (change["conversation_id"], change["message_id"])
            if key in self.pending:
                self.pending[key].update(change)
            elif key in self.known:
                self.table.update(self.known[key], change)
            else:
                change = {**self.new_row, **change}
                if change["turn"] is None:
                    change["turn"] = self.last_turn[key[0]] + 1
                self.pending[key] = change
            self._count(change)
        if self.pending:
            self.table.insert_all(self.pending.values(), alter=False)

    def _count(self, row: dict[str, Any]) -> None:
        if row.get("turn") is not None:
            conversation_id = row["conversation_id"]
            self.last_turn[conversation_id] = max(row["turn"], self.last_turn[conversation_id])


def _existing(db: Database, conversations: set[str]) -> Iterator[dict[str, Any]]:
    """The keys, ids and turn numbers of the rows of `conversations`, LOOKUP_CHUNK at a time."""
    ordered = sorted(conversations)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        yield from db[TURNS].rows_where(
            f"conversation_id IN ({', '.join('?' * len(chunk))})",
            chunk,
            select="conversation_id, message_id, id, turn",
        )
