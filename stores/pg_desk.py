"""The support desk's stores on PostgreSQL: staff accounts and sessions (stores.interface.
StaffStore), the audit trail, notes, ratings and typing signals, with the tables and migration
sets of their SQLite twins (stores.staff, stores.casework) in the location's schema.

The rules (names, hashing, lifetimes, redaction, the one rating per handoff) are the shared ones
(stores.desk_rules, stores.redact); only the storage is PostgreSQL's.
"""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg2.errors

from stores import desk_rules
from stores.casework import AUDIT, NOTES, RATINGS, TYPING
from stores.interface import (
    Account,
    AuditStore,
    Entry,
    NoteStore,
    RatingStore,
    Session,
    StaffStore,
    TypingStore,
)
from stores.postgres import PgSchema, PgStore
from stores.staff import ACCOUNTS, SESSIONS

TS = "DOUBLE PRECISION"


def create_staff(cur: Any) -> None:
    """Schema version 1: accounts and sessions."""
    cur.execute(
        f"CREATE TABLE {ACCOUNTS} (name_key TEXT PRIMARY KEY, name TEXT NOT NULL,"
        f" secret_hash TEXT NOT NULL, created_ts {TS} NOT NULL, secret_ts {TS} NOT NULL,"
        f" last_login_ts {TS})"
    )
    cur.execute(
        f"CREATE TABLE {SESSIONS} (key TEXT PRIMARY KEY, name TEXT NOT NULL, account_key TEXT,"
        f" created_ts {TS} NOT NULL, expires_ts {TS} NOT NULL, last_seen_ts {TS} NOT NULL)"
    )
    cur.execute(f"CREATE INDEX staff_sessions_account ON {SESSIONS} (account_key)")
    cur.execute(f"CREATE INDEX staff_sessions_expires ON {SESSIONS} (expires_ts)")


def create_desk(cur: Any) -> None:
    """Schema version 1: audit trail, notes, ratings, typing signals."""
    cur.execute(
        f"CREATE TABLE {AUDIT} (id BIGSERIAL PRIMARY KEY, ts {TS} NOT NULL, actor TEXT NOT NULL,"
        " via TEXT NOT NULL, action TEXT NOT NULL, conversation_id TEXT,"
        " detail TEXT NOT NULL DEFAULT '{}')"
    )
    cur.execute(f"CREATE INDEX audit_conversation ON {AUDIT} (conversation_id, ts)")
    cur.execute(f"CREATE INDEX audit_ts ON {AUDIT} (ts)")
    cur.execute(
        f"CREATE TABLE {NOTES} (id BIGSERIAL PRIMARY KEY, conversation_id TEXT NOT NULL,"
        f" author TEXT NOT NULL, text TEXT NOT NULL, ts {TS} NOT NULL)"
    )
    cur.execute(f"CREATE INDEX notes_conversation ON {NOTES} (conversation_id, ts)")
    cur.execute(
        f"CREATE TABLE {RATINGS} (id BIGSERIAL PRIMARY KEY, handoff_id BIGINT NOT NULL,"
        " conversation_id TEXT NOT NULL, score INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',"
        f" staff TEXT, ts {TS} NOT NULL)"
    )
    cur.execute(f"CREATE UNIQUE INDEX ratings_handoff ON {RATINGS} (handoff_id)")
    cur.execute(f"CREATE INDEX ratings_ts ON {RATINGS} (ts)")
    cur.execute(
        f"CREATE TABLE {TYPING} (conversation_id TEXT NOT NULL, role TEXT NOT NULL, name TEXT,"
        f" until_ts {TS} NOT NULL, since_ts {TS} NOT NULL, PRIMARY KEY (conversation_id, role))"
    )


STAFF_SCHEMA = PgSchema("staff", "staff accounts", [create_staff])
DESK_SCHEMA = PgSchema("support_desk", "support desk", [create_desk])


def _window(since: float | None, until: float | None) -> tuple[list[str], list[Any]]:
    conditions = {"ts >= %s": since, "ts < %s": until}
    given = {sql: value for sql, value in conditions.items() if value is not None}
    return list(given), list(given.values())


def _where(conditions: list[str]) -> str:
    return (" WHERE " + " AND ".join(conditions)) if conditions else ""


class PgStaffAccounts(PgStore, StaffStore):
    schema = STAFF_SCHEMA

    def create_account(self, name: str, secret_hash: str, now: float) -> None:
        key = desk_rules.name_key(name)
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {ACCOUNTS} (name_key, name, secret_hash, created_ts, secret_ts)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name_key) DO NOTHING",
                [key, desk_rules.clean_name(name), secret_hash, now, now],
            )
            if cur.rowcount != 1:
                raise ValueError(f"there is already a staff account named {name!r}")

    def set_secret_hash(self, name: str, secret_hash: str, now: float) -> bool:
        key = desk_rules.name_key(name)
        with self._write() as cur:
            cur.execute(
                f"UPDATE {ACCOUNTS} SET secret_hash = %s, secret_ts = %s WHERE name_key = %s",
                [secret_hash, now, key],
            )
            if cur.rowcount != 1:
                return False
            cur.execute(f"DELETE FROM {SESSIONS} WHERE account_key = %s", [key])
        return True

    def remove_account(self, name: str) -> bool:
        key = desk_rules.name_key(name)
        with self._write() as cur:
            cur.execute(f"DELETE FROM {SESSIONS} WHERE account_key = %s", [key])
            cur.execute(f"DELETE FROM {ACCOUNTS} WHERE name_key = %s", [key])
            return cur.rowcount == 1

    def account_with_hash(self, key: str) -> Account | None:
        with self._read() as cur:
            cur.execute(
                f"SELECT name, secret_hash, created_ts, secret_ts, last_login_ts FROM {ACCOUNTS}"
                " WHERE name_key = %s",
                [key],
            )
            row = cur.fetchone()
        return dict(row) if row else None

    def accounts(self, now: float | None = None) -> list[Account]:
        now = time.time() if now is None else now
        with self._read() as cur:
            cur.execute(f"SELECT * FROM {ACCOUNTS} ORDER BY name_key")
            rows = [dict(row) for row in cur.fetchall()]
            cur.execute(f"SELECT * FROM {SESSIONS} WHERE account_key IS NOT NULL")
            sessions = [dict(row) for row in cur.fetchall()]
        live: dict[str, int] = {}
        for session in sessions:
            if not desk_rules.session_expired(session, now):
                live[session["account_key"]] = live.get(session["account_key"], 0) + 1
        hidden = ("name_key", "secret_hash")
        return [
            {
                **{k: v for k, v in row.items() if k not in hidden},
                "sessions": live.get(row["name_key"], 0),
            }
            for row in rows
        ]

    def has_accounts(self) -> bool:
        with self._read() as cur:
            cur.execute(f"SELECT 1 FROM {ACCOUNTS} LIMIT 1")
            return cur.fetchone() is not None

    def record_login(self, name: str, now: float) -> None:
        with self._write() as cur:
            cur.execute(
                f"UPDATE {ACCOUNTS} SET last_login_ts = %s WHERE name_key = %s",
                [now, desk_rules.name_key(name)],
            )

    def create_session(
        self, key: str, name: str, account: str | None, now: float, expires: float
    ) -> None:
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {SESSIONS} (key, name, account_key, created_ts, expires_ts,"
                " last_seen_ts) VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    key,
                    desk_rules.clean_name(name),
                    desk_rules.name_key(account) if account else None,
                    now,
                    expires,
                    now,
                ],
            )

    def session_row(self, key: str) -> Session | None:
        with self._read() as cur:
            cur.execute(
                f"SELECT s.name, s.account_key, a.name AS account, s.created_ts, s.expires_ts,"
                f" s.last_seen_ts FROM {SESSIONS} s LEFT JOIN {ACCOUNTS} a"
                " ON a.name_key = s.account_key WHERE s.key = %s",
                [key],
            )
            row = cur.fetchone()
        if row is None or (row["account_key"] is not None and row["account"] is None):
            return None  # no such session, or its account was removed meanwhile
        return {k: v for k, v in row.items() if k != "account_key"}

    def touch_session(self, key: str, now: float) -> None:
        with self._write() as cur:
            cur.execute(f"UPDATE {SESSIONS} SET last_seen_ts = %s WHERE key = %s", [now, key])

    def delete_session(self, key: str) -> None:
        with self._write() as cur:
            cur.execute(f"DELETE FROM {SESSIONS} WHERE key = %s", [key])

    def purge_sessions(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._write() as cur:
            cur.execute(
                f"DELETE FROM {SESSIONS} WHERE expires_ts <= %s OR last_seen_ts <= %s",
                [now, now - desk_rules.IDLE_SECONDS],
            )
            return cur.rowcount


class _PgDeskStore(PgStore):
    schema = DESK_SCHEMA


class PgAuditTrail(_PgDeskStore, AuditStore):
    def record(
        self,
        action: str,
        actor: str,
        via: str,
        conversation_id: str | None = None,
        detail: dict[str, Any] | None = None,
        now: float | None = None,
    ) -> Entry:
        row = desk_rules.audit_row(action, actor, via, conversation_id, detail, now)
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {AUDIT} ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})"
                " RETURNING id",
                list(row.values()),
            )
            entry_id = cur.fetchone()["id"]
        return {**row, "id": entry_id, "detail": detail or {}}

    def _entries(self, conditions: list[str], args: list[Any], order: str, limit=None):
        sql = f"SELECT * FROM {AUDIT}{_where(conditions)} ORDER BY {order}"
        if limit is not None:
            sql, args = sql + " LIMIT %s", [*args, limit]
        with self._read() as cur:
            cur.execute(sql, args)
            rows = [dict(row) for row in cur.fetchall()]
        return [{**row, "detail": json.loads(row["detail"] or "{}")} for row in rows]

    def for_conversation(self, conversation_id: str) -> list[Entry]:
        return self._entries(["conversation_id = %s"], [conversation_id], "ts, id")

    def entries(
        self, since: float | None = None, until: float | None = None, limit: int | None = None
    ) -> list[Entry]:
        conditions, args = _window(since, until)
        return self._entries(conditions, args, "ts DESC, id DESC", limit)


class PgNotes(_PgDeskStore, NoteStore):
    def add_note(
        self, conversation_id: str, author: str, text: str, now: float | None = None
    ) -> Entry:
        row = desk_rules.note_row(conversation_id, author, text, now)
        with self._write() as cur:
            cur.execute(
                f"INSERT INTO {NOTES} (conversation_id, author, text, ts)"
                " VALUES (%s, %s, %s, %s) RETURNING id",
                list(row.values()),
            )
            note_id = cur.fetchone()["id"]
        return {**row, "id": note_id}

    def notes(self, conversation_id: str) -> list[Entry]:
        with self._read() as cur:
            cur.execute(
                f"SELECT * FROM {NOTES} WHERE conversation_id = %s ORDER BY ts, id",
                [conversation_id],
            )
            return [dict(row) for row in cur.fetchall()]


class PgRatings(_PgDeskStore, RatingStore):
    def rate(
        self,
        handoff_id: int,
        conversation_id: str,
        score: int,
        comment: str = "",
        staff: str | None = None,
        now: float | None = None,
    ) -> bool:
        row = desk_rules.rating_row(handoff_id, conversation_id, score, comment, staff, now)
        try:
            with self._write() as cur:
                cur.execute(
                    f"INSERT INTO {RATINGS} ({', '.join(row)})"
                    f" VALUES ({', '.join(['%s'] * len(row))})",
                    list(row.values()),
                )
        except psycopg2.errors.UniqueViolation:
            return False  # rated already: the unique index on handoff_id
        return True

    def rating(self, handoff_id: int) -> Entry | None:
        with self._read() as cur:
            cur.execute(f"SELECT * FROM {RATINGS} WHERE handoff_id = %s", [handoff_id])
            row = cur.fetchone()
        return dict(row) if row else None

    def ratings(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> list[Entry]:
        conditions, args = _window(since, until)
        if conversation_id is not None:
            conditions, args = [*conditions, "conversation_id = %s"], [*args, conversation_id]
        with self._read() as cur:
            cur.execute(f"SELECT * FROM {RATINGS}{_where(conditions)} ORDER BY ts, id", args)
            return [dict(row) for row in cur.fetchall()]


class PgTypingSignals(_PgDeskStore, TypingStore):
    def set_typing(
        self,
        conversation_id: str,
        role: str,
        typing: bool,
        name: str | None = None,
        now: float | None = None,
    ) -> None:
        desk_rules.check_typing_role(role)
        now = time.time() if now is None else now
        with self._write() as cur:
            if not typing:
                cur.execute(
                    f"DELETE FROM {TYPING} WHERE conversation_id = %s AND role = %s",
                    [conversation_id, role],
                )
                return
            # A signal still holding keeps its start; a lapsed one starts again now.
            cur.execute(
                f"INSERT INTO {TYPING} (conversation_id, role, name, until_ts, since_ts)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (conversation_id, role) DO UPDATE SET"
                " name = EXCLUDED.name, until_ts = EXCLUDED.until_ts, since_ts = CASE"
                f" WHEN {TYPING}.until_ts > %s THEN {TYPING}.since_ts ELSE EXCLUDED.since_ts END",
                [conversation_id, role, name, now + desk_rules.TYPING_SECONDS, now, now],
            )

    def typing(self, conversation_id: str, now: float | None = None) -> list[Entry]:
        now = time.time() if now is None else now
        with self._read() as cur:
            cur.execute(
                f"SELECT role, name, since_ts FROM {TYPING}"
                " WHERE conversation_id = %s AND until_ts > %s ORDER BY role",
                [conversation_id, now],
            )
            rows = cur.fetchall()
        return [{"role": r["role"], "name": r["name"], "since": r["since_ts"]} for r in rows]

    def purge(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._write() as cur:
            cur.execute(f"DELETE FROM {TYPING} WHERE until_ts <= %s", [now])
            return cur.rowcount
