"""Staff accounts and log-in sessions on SQLite (stores.interface.StaffStore): the tables
`staff_accounts` and `staff_sessions`, in the turn log's database file.

Like the support queue, the tables share the file's one connection in a process (stores.sqlite)
and have their own migration set and version table (`staff_version`). Secrets and session tokens
are stored as hashes only (stores.desk_rules); the name key (its case-folded form) is unique, so
'Alex' and 'alex' cannot both be accounts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from stores import desk_rules
from stores.interface import Account, Session, StaffStore
from stores.sqlite import Schema, SQLiteStore
from stores.turnlog import default_path

ACCOUNTS, SESSIONS = "staff_accounts", "staff_sessions"


def create_staff(db: Database) -> None:
    """Schema version 1: accounts and sessions."""
    db[ACCOUNTS].create(
        {
            "name_key": str,
            "name": str,
            "secret_hash": str,
            "created_ts": float,
            "secret_ts": float,
            "last_login_ts": float,
        },
        pk="name_key",
        not_null={"name", "secret_hash", "created_ts", "secret_ts"},
    )
    db[SESSIONS].create(
        {
            "key": str,
            "name": str,
            "account_key": str,
            "created_ts": float,
            "expires_ts": float,
            "last_seen_ts": float,
        },
        pk="key",
        not_null={"name", "created_ts", "expires_ts", "last_seen_ts"},
    )
    db[SESSIONS].create_index(["account_key"], "staff_sessions_account")
    db[SESSIONS].create_index(["expires_ts"], "staff_sessions_expires")


SCHEMA = Schema("staff", "staff accounts", "staff_version", [create_staff])
SCHEMA_VERSION = SCHEMA.version


def _account(row: dict[str, Any]) -> Account:
    return {k: v for k, v in row.items() if k not in ("name_key", "secret_hash")}


class StaffAccounts(SQLiteStore, StaffStore):
    """Staff accounts and sessions in a SQLite file (stores.shared.staff_store gives the
    process-wide one)."""

    schema = SCHEMA

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path if path is not None else default_path())

    def create_account(self, name: str, secret_hash: str, now: float) -> None:
        key = desk_rules.name_key(name)
        with self._write() as db:
            if db[ACCOUNTS].count_where("name_key = ?", [key]):
                raise ValueError(f"there is already a staff account named {name!r}")
            db[ACCOUNTS].insert(
                {
                    "name_key": key,
                    "name": desk_rules.clean_name(name),
                    "secret_hash": secret_hash,
                    "created_ts": now,
                    "secret_ts": now,
                    "last_login_ts": None,
                },
                alter=False,
            )

    def set_secret_hash(self, name: str, secret_hash: str, now: float) -> bool:
        key = desk_rules.name_key(name)
        with self._write() as db:
            if not db[ACCOUNTS].count_where("name_key = ?", [key]):
                return False
            db[ACCOUNTS].update(key, {"secret_hash": secret_hash, "secret_ts": now})
            db[SESSIONS].delete_where("account_key = ?", [key])
        return True

    def remove_account(self, name: str) -> bool:
        key = desk_rules.name_key(name)
        with self._write() as db:
            if not db[ACCOUNTS].count_where("name_key = ?", [key]):
                return False
            db[SESSIONS].delete_where("account_key = ?", [key])
            db[ACCOUNTS].delete(key)
        return True

    def account_with_hash(self, key: str) -> Account | None:
        with self._read() as db:
            row = next(db[ACCOUNTS].rows_where("name_key = ?", [key], limit=1), None)
        if row is None:
            return None
        return {k: v for k, v in row.items() if k != "name_key"}

    def accounts(self, now: float | None = None) -> list[Account]:
        now = time.time() if now is None else now
        with self._read() as db:
            rows = list(db[ACCOUNTS].rows_where(order_by="name_key"))
            sessions = list(db[SESSIONS].rows_where("account_key IS NOT NULL"))
        live: dict[str, int] = {}
        for session in sessions:
            if not desk_rules.session_expired(session, now):
                live[session["account_key"]] = live.get(session["account_key"], 0) + 1
        return [{**_account(row), "sessions": live.get(row["name_key"], 0)} for row in rows]

    def has_accounts(self) -> bool:
        with self._read() as db:
            return bool(db[ACCOUNTS].count_where())

    def record_login(self, name: str, now: float) -> None:
        with self._write() as db:
            db.execute(
                f"UPDATE {ACCOUNTS} SET last_login_ts = ? WHERE name_key = ?",
                [now, desk_rules.name_key(name)],
            )

    def create_session(
        self, key: str, name: str, account: str | None, now: float, expires: float
    ) -> None:
        row = {
            "key": key,
            "name": desk_rules.clean_name(name),
            "account_key": desk_rules.name_key(account) if account else None,
            "created_ts": now,
            "expires_ts": expires,
            "last_seen_ts": now,
        }
        with self._write() as db:
            db[SESSIONS].insert(row, alter=False)

    def session_row(self, key: str) -> Session | None:
        with self._read() as db:
            row = next(db[SESSIONS].rows_where("key = ?", [key], limit=1), None)
            if row is None:
                return None
            account = None
            if row["account_key"] is not None:
                found = next(
                    db[ACCOUNTS].rows_where(
                        "name_key = ?", [row["account_key"]], select="name", limit=1
                    ),
                    None,
                )
                if found is None:  # removed meanwhile
                    return None
                account = found["name"]
        return {
            "name": row["name"],
            "account": account,
            "created_ts": row["created_ts"],
            "expires_ts": row["expires_ts"],
            "last_seen_ts": row["last_seen_ts"],
        }

    def touch_session(self, key: str, now: float) -> None:
        with self._write() as db:
            db.execute(f"UPDATE {SESSIONS} SET last_seen_ts = ? WHERE key = ?", [now, key])

    def delete_session(self, key: str) -> None:
        with self._write() as db:
            db[SESSIONS].delete_where("key = ?", [key])

    def purge_sessions(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        idle_since = now - desk_rules.IDLE_SECONDS
        where = "expires_ts <= ? OR last_seen_ts <= ?"
        with self._write() as db:
            count = db[SESSIONS].count_where(where, [now, idle_since])
            db[SESSIONS].delete_where(where, [now, idle_since])
        return count
