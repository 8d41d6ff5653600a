"""The support desk's case records on SQLite: the audit trail (stores.interface.AuditStore),
internal notes (NoteStore), shoppers' ratings (RatingStore) and typing signals (TypingStore), in
the tables `audit`, `notes`, `ratings` and `typing` of the turn log's database file.

One migration set and version table (`support_desk_version`) holds the four tables; each store is
its own class over the file's one connection (stores.sqlite). Notes and comments are redacted as
turns are (stores.redact) before they are written. A handoff has at most one rating (a unique
index), so of two submissions the first stays.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from stores import desk_rules
from stores.interface import AuditStore, Entry, NoteStore, RatingStore, TypingStore
from stores.sqlite import Schema, SQLiteStore
from stores.turnlog import default_path

AUDIT, NOTES, RATINGS, TYPING = "audit", "notes", "ratings", "typing"


def create_desk(db: Database) -> None:
    """Schema version 1: audit trail, notes, ratings, typing signals."""
    db[AUDIT].create(
        {
            "id": int,
            "ts": float,
            "actor": str,
            "via": str,
            "action": str,
            "conversation_id": str,
            "detail": str,
        },
        pk="id",
        not_null={"ts", "actor", "via", "action", "detail"},
        defaults={"detail": "{}"},
    )
    db[AUDIT].create_index(["conversation_id", "ts"], "audit_conversation")
    db[AUDIT].create_index(["ts"], "audit_ts")
    db[NOTES].create(
        {"id": int, "conversation_id": str, "author": str, "text": str, "ts": float},
        pk="id",
        not_null={"conversation_id", "author", "text", "ts"},
    )
    db[NOTES].create_index(["conversation_id", "ts"], "notes_conversation")
    db[RATINGS].create(
        {
            "id": int,
            "handoff_id": int,
            "conversation_id": str,
            "score": int,
            "comment": str,
            "staff": str,
            "ts": float,
        },
        pk="id",
        not_null={"handoff_id", "conversation_id", "score", "comment", "ts"},
        defaults={"comment": ""},
    )
    db[RATINGS].create_index(["handoff_id"], "ratings_handoff", unique=True)
    db[RATINGS].create_index(["ts"], "ratings_ts")
    db[TYPING].create(
        {"conversation_id": str, "role": str, "name": str, "until_ts": float, "since_ts": float},
        pk=("conversation_id", "role"),
        not_null={"until_ts", "since_ts"},
    )


SCHEMA = Schema("support_desk", "support desk", "support_desk_version", [create_desk])
SCHEMA_VERSION = SCHEMA.version


def _window(since: float | None, until: float | None) -> tuple[str | None, list[Any]]:
    conditions = {"ts >= ?": since, "ts < ?": until}
    given = {sql: value for sql, value in conditions.items() if value is not None}
    return (" AND ".join(given) or None), list(given.values())


class _DeskStore(SQLiteStore):
    schema = SCHEMA

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path if path is not None else default_path())


class AuditTrail(_DeskStore, AuditStore):
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
        with self._write() as db:
            entry_id = db[AUDIT].insert(row, alter=False).last_pk
        return {**row, "id": entry_id, "detail": detail or {}}

    def _entries(self, where: str | None, args: list[Any], **query: Any) -> list[Entry]:
        with self._read() as db:
            rows = list(db[AUDIT].rows_where(where, args, **query))
        return [{**row, "detail": json.loads(row["detail"] or "{}")} for row in rows]

    def for_conversation(self, conversation_id: str) -> list[Entry]:
        return self._entries("conversation_id = ?", [conversation_id], order_by="ts, id")

    def entries(
        self, since: float | None = None, until: float | None = None, limit: int | None = None
    ) -> list[Entry]:
        where, args = _window(since, until)
        return self._entries(where, args, order_by="ts DESC, id DESC", limit=limit)


class Notes(_DeskStore, NoteStore):
    def add_note(
        self, conversation_id: str, author: str, text: str, now: float | None = None
    ) -> Entry:
        row = desk_rules.note_row(conversation_id, author, text, now)
        with self._write() as db:
            note_id = db[NOTES].insert(row, alter=False).last_pk
        return {**row, "id": note_id}

    def notes(self, conversation_id: str) -> list[Entry]:
        with self._read() as db:
            return list(
                db[NOTES].rows_where("conversation_id = ?", [conversation_id], order_by="ts, id")
            )


class Ratings(_DeskStore, RatingStore):
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
            with self._write() as db:
                db[RATINGS].insert(row, alter=False)
        except sqlite3.IntegrityError:
            return False  # rated already: the unique index on handoff_id
        return True

    def rating(self, handoff_id: int) -> Entry | None:
        with self._read() as db:
            return next(db[RATINGS].rows_where("handoff_id = ?", [handoff_id], limit=1), None)

    def ratings(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> list[Entry]:
        where, args = _window(since, until)
        if conversation_id is not None:
            where = " AND ".join(filter(None, [where, "conversation_id = ?"]))
            args.append(conversation_id)
        with self._read() as db:
            return list(db[RATINGS].rows_where(where, args, order_by="ts, id"))


class TypingSignals(_DeskStore, TypingStore):
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
        key = {"conversation_id": conversation_id, "role": role}
        with self._write() as db:
            if not typing:
                db[TYPING].delete_where("conversation_id = ? AND role = ?", [conversation_id, role])
                return
            before = next(
                db[TYPING].rows_where(
                    "conversation_id = ? AND role = ? AND until_ts > ?",
                    [conversation_id, role, now],
                    limit=1,
                ),
                None,
            )
            since = before["since_ts"] if before else now
            db[TYPING].upsert(
                {
                    **key,
                    "name": name,
                    "until_ts": now + desk_rules.TYPING_SECONDS,
                    "since_ts": since,
                },
                pk=("conversation_id", "role"),
                alter=False,
            )

    def typing(self, conversation_id: str, now: float | None = None) -> list[Entry]:
        now = time.time() if now is None else now
        with self._read() as db:
            rows = db[TYPING].rows_where(
                "conversation_id = ? AND until_ts > ?", [conversation_id, now], order_by="role"
            )
            return [{"role": r["role"], "name": r["name"], "since": r["since_ts"]} for r in rows]

    def purge(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._write() as db:
            count = db[TYPING].count_where("until_ts <= ?", [now])
            db[TYPING].delete_where("until_ts <= ?", [now])
        return count
