"""The turn log: one SQLite row per shopper or staff message, with what the advisor did about it.

The schema and API are the shared contract for the logger and the miners (see the module's
callers). Every connection runs in WAL mode with a busy timeout, every write is one transaction, and
writing the same (conversation_id, message_id) again updates the row instead of adding one. Text and
entity values are redacted before they are written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stores.redact import redact, redact_value

PATH_ENV = "ADVISOR_TURN_LOG"
BUSY_TIMEOUT_MS = 10000
BATCH_SIZE = 5000
STREAM_CHUNK = 1000

JSON_COLUMNS = {"entities": "[]", "needs": "{}", "responses": "[]", "products": "[]"}
NULLABLE_JSON_COLUMNS = {"nothing_fits"}
FLAG_COLUMNS = ("fallback", "handoff", "paused")
COLUMNS = (
    "id conversation_id message_id turn role ts updated_ts channel text intent confidence"
    " entities needs responses products nothing_fits fallback handoff paused"
).split()
WRITABLE = frozenset(COLUMNS) - {"id"}
ROLES = ("shopper", "staff")


def _migrate_to_v1(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE turns (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            message_id      TEXT NOT NULL,
            turn            INTEGER NOT NULL,
            role            TEXT NOT NULL,
            ts              REAL NOT NULL,
            updated_ts      REAL NOT NULL,
            channel         TEXT,
            text            TEXT NOT NULL,
            intent          TEXT,
            confidence      REAL,
            entities        TEXT NOT NULL DEFAULT '[]',
            needs           TEXT NOT NULL DEFAULT '{}',
            responses       TEXT NOT NULL DEFAULT '[]',
            products        TEXT NOT NULL DEFAULT '[]',
            nothing_fits    TEXT,
            fallback        INTEGER NOT NULL DEFAULT 0,
            handoff         INTEGER NOT NULL DEFAULT 0,
            paused          INTEGER NOT NULL DEFAULT 0,
            UNIQUE(conversation_id, message_id)
        )
        """
    )
    db.execute("CREATE INDEX turns_conversation_turn ON turns(conversation_id, turn)")
    db.execute("CREATE INDEX turns_ts ON turns(ts)")
    db.execute("CREATE INDEX turns_intent ON turns(intent)")
    # Whether a human has taken over a conversation (Rasa pause/resume), for the event logger.
    db.execute(
        """
        CREATE TABLE conversation_state (
            conversation_id TEXT PRIMARY KEY,
            paused          INTEGER NOT NULL DEFAULT 0,
            updated_ts      REAL NOT NULL
        )
        """
    )


# MIGRATIONS[v] takes a database at schema version v to version v + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """$ADVISOR_TURN_LOG, else turns.db in the data folder (advisor.settings)."""
    from advisor.settings import current

    return current().turn_log


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with the log's PRAGMAs, in autocommit mode (transactions are explicit)."""
    db = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def apply_migrations(
    db: sqlite3.Connection,
    version_table: str,
    migrations: list[Callable[[sqlite3.Connection], None]],
    what: str,
) -> int:
    """Bring a store's tables to len(migrations) in one transaction; returns the version found.
    `version_table` holds one row with the version; a newer database than the code is refused."""
    target = len(migrations)
    with transaction(db):
        db.execute(f"CREATE TABLE IF NOT EXISTS {version_table} (version INTEGER NOT NULL)")
        row = db.execute(f"SELECT version FROM {version_table}").fetchone()
        found = row[0] if row else 0
        if found > target:
            raise RuntimeError(f"{what} schema version {found} is newer than this code ({target})")
        for version in range(found, target):
            migrations[version](db)
        if found != target or row is None:
            db.execute(f"DELETE FROM {version_table}")
            db.execute(f"INSERT INTO {version_table} (version) VALUES (?)", (target,))
    return found


def migrate(db: sqlite3.Connection) -> int:
    """Bring the turn log to SCHEMA_VERSION; returns the version found."""
    return apply_migrations(db, "schema_version", MIGRATIONS, "turn log")


def _encode(column: str, value: Any) -> Any:
    """A turn-dict value as stored in its column (redacted, JSON-encoded, flags as 0/1)."""
    if column == "text":
        return redact(value or "")
    if column == "entities":
        return json.dumps([_redacted_entity(e) for e in value or []])
    if column == "responses":
        value = [{**r, "text": redact(r.get("text") or "")} for r in value or []]
        return json.dumps(value)
    if column in JSON_COLUMNS:
        return json.dumps(value if value is not None else json.loads(JSON_COLUMNS[column]))
    if column in NULLABLE_JSON_COLUMNS:
        return None if value is None else json.dumps(value)
    if column in FLAG_COLUMNS:
        return 1 if value else 0
    return value


def _redacted_entity(entity: dict[str, Any]) -> dict[str, Any]:
    return {**entity, "value": redact_value(entity.get("value"))}


def decode_row(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    """sqlite3 row factory: a turn dict with JSON columns decoded and flags as bool."""
    turn = {col[0]: value for col, value in zip(cursor.description, row, strict=True)}
    for column in JSON_COLUMNS.keys() | NULLABLE_JSON_COLUMNS:
        if turn.get(column) is not None:
            turn[column] = json.loads(turn[column])
    for column in FLAG_COLUMNS:
        if column in turn:
            turn[column] = bool(turn[column])
    return turn


class TurnLog:
    """The turn log database. Safe to share between threads; open one per process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = connect(self.path)
        self._upserts: dict[tuple[str, ...], str] = {}
        try:
            migrate(self._db)
        except BaseException:
            self._db.close()
            raise
        self._db.row_factory = decode_row

    # -- writing -------------------------------------------------------------------------------

    def write_turn(self, turn: dict[str, Any]) -> None:
        """Insert or update one turn (keyed by conversation_id + message_id) in one transaction.

        On update only the keys present in `turn` change. On insert, a missing `turn` number is the
        conversation's next one, a missing `ts` is now and `role` defaults to 'shopper'.
        """
        self.write_turns([turn])

    def write_turns(self, turns: Iterable[dict[str, Any]]) -> int:
        """Upsert many turns, one transaction per batch of up to BATCH_SIZE; returns the count."""
        count = 0
        batch: list[dict[str, Any]] = []
        for turn in turns:
            batch.append(turn)
            if len(batch) >= BATCH_SIZE:
                count += self._write_batch(batch)
                batch = []
        if batch:
            count += self._write_batch(batch)
        return count

    def _write_batch(self, turns: list[dict[str, Any]]) -> int:
        now = time.time()
        statements = [self._upsert_statement(turn, now) for turn in turns]
        with self._lock, transaction(self._db):
            for sql, params in statements:
                self._db.execute(sql, params)
        return len(turns)

    def _upsert_statement(self, turn: dict[str, Any], now: float) -> tuple[str, dict[str, Any]]:
        unknown = set(turn) - WRITABLE
        if unknown:
            raise ValueError(f"unknown turn log columns: {sorted(unknown)}")
        for key in ("conversation_id", "message_id"):
            if not turn.get(key):
                raise ValueError(f"a turn needs a {key}")
        if turn.get("role", "shopper") not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {turn['role']!r}")
        keys = tuple(sorted(k for k in turn if k != "updated_ts"))
        params = {k: _encode(k, turn[k]) for k in keys}
        params["updated_ts"] = turn.get("updated_ts") or now
        params.setdefault("ts", now)
        params.setdefault("role", "shopper")
        params.setdefault("text", "")
        sql = self._upserts.get(keys)
        if sql is None:
            sql = self._upserts[keys] = self._upsert_sql(keys)
        return sql, params

    @staticmethod
    def _upsert_sql(keys: tuple[str, ...]) -> str:
        inserted = sorted(set(keys) | {"updated_ts", "ts", "role", "text"})
        values = [f":{k}" for k in inserted]
        if "turn" not in keys:
            inserted.append("turn")
            values.append(
                "(SELECT COALESCE(MAX(turn), 0) + 1 FROM turns"
                " WHERE conversation_id = :conversation_id)"
            )
        updated = [k for k in keys if k not in ("conversation_id", "message_id")]
        updates = ", ".join(f"{k} = excluded.{k}" for k in [*updated, "updated_ts"])
        return (
            f"INSERT INTO turns ({', '.join(inserted)}) VALUES ({', '.join(values)})"
            f" ON CONFLICT(conversation_id, message_id) DO UPDATE SET {updates}"
        )

    def update_turn(self, conversation_id: str, message_id: str, **fields: Any) -> None:
        """Set `fields` on an existing turn in one transaction (lists are replaced, not appended;
        see extend_turn). Raises KeyError if there is no such turn."""
        self._change(conversation_id, message_id, {}, fields)

    def extend_turn(
        self,
        conversation_id: str,
        message_id: str,
        responses: Iterable[dict[str, Any]] = (),
        products: Iterable[dict[str, Any]] = (),
        **fields: Any,
    ) -> None:
        """In one transaction: append to a turn's responses and products and set other `fields`.

        Raises KeyError if there is no such turn.
        """
        appended = {"responses": list(responses), "products": list(products)}
        self._change(conversation_id, message_id, appended, fields)

    def _change(
        self,
        conversation_id: str,
        message_id: str,
        appended: dict[str, list[dict[str, Any]]],
        fields: dict[str, Any],
    ) -> None:
        unknown = set(fields) - (WRITABLE - {"conversation_id", "message_id"})
        if unknown:
            raise ValueError(f"unknown turn log columns: {sorted(unknown)}")
        with self._lock, transaction(self._db):
            row = self._db.execute(
                "SELECT responses, products FROM turns WHERE conversation_id = ? AND message_id = ?",
                (conversation_id, message_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no turn {message_id!r} in conversation {conversation_id!r}")
            values = {k: _encode(k, v) for k, v in fields.items()}
            for column, items in appended.items():
                if items:
                    values[column] = _encode(column, row[column] + items)
            values["updated_ts"] = time.time()
            assignments = ", ".join(f"{k} = :{k}" for k in values)
            self._db.execute(
                f"UPDATE turns SET {assignments}"
                " WHERE conversation_id = :_conversation_id AND message_id = :_message_id",
                {**values, "_conversation_id": conversation_id, "_message_id": message_id},
            )

    def set_paused(self, conversation_id: str, paused: bool) -> None:
        """Remember whether a human has taken over the conversation (Rasa pause/resume)."""
        with self._lock, transaction(self._db):
            self._db.execute(
                "INSERT INTO conversation_state (conversation_id, paused, updated_ts)"
                " VALUES (?, ?, ?) ON CONFLICT(conversation_id)"
                " DO UPDATE SET paused = excluded.paused, updated_ts = excluded.updated_ts",
                (conversation_id, int(paused), time.time()),
            )

    # -- reading -------------------------------------------------------------------------------

    def is_paused(self, conversation_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT paused FROM conversation_state WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
        return bool(row and row["paused"])

    def turn(self, conversation_id: str, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? AND message_id = ?",
                (conversation_id, message_id),
            ).fetchone()

    def last_turn(self, conversation_id: str, role: str | None = None) -> dict[str, Any] | None:
        """The conversation's latest turn (highest turn number), of `role` if given, or None."""
        sql = "SELECT * FROM turns WHERE conversation_id = ?"
        params: list[Any] = [conversation_id]
        if role is not None:
            sql += " AND role = ?"
            params.append(role)
        with self._lock:
            return self._db.execute(sql + " ORDER BY turn DESC, id DESC LIMIT 1", params).fetchone()

    def iter_turns(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream turns with since <= ts < until, ordered by (ts, id), without loading them all.

        Uses its own read connection, so it sees one consistent snapshot and never blocks writers.
        """
        where, params = [], []
        if since is not None:
            where.append("ts >= ?")
            params.append(since)
        if until is not None:
            where.append("ts < ?")
            params.append(until)
        if conversation_id is not None:
            where.append("conversation_id = ?")
            params.append(conversation_id)
        sql = "SELECT * FROM turns"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY ts, id"
        reader = connect(self.path)
        reader.row_factory = decode_row
        try:
            cursor = reader.execute(sql, params)
            while chunk := cursor.fetchmany(STREAM_CHUNK):
                yield from chunk
        finally:
            reader.close()

    def conversation(self, conversation_id: str) -> list[dict[str, Any]]:
        """All turns of one conversation, in turn order."""
        with self._lock:
            return self._db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY turn, id",
                (conversation_id,),
            ).fetchall()

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest `limit` turns across conversations, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM turns ORDER BY ts DESC, id DESC LIMIT ?", (limit,)
            ).fetchall()
        return rows[::-1]

    def schema_version(self) -> int:
        with self._lock:
            return self._db.execute("SELECT version FROM schema_version").fetchone()["version"]

    def integrity_ok(self) -> bool:
        with self._lock:
            row = self._db.execute("PRAGMA integrity_check").fetchone()
        return row is not None and next(iter(row.values())) == "ok"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> TurnLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
