"""The process-wide stores, and which backend a store location names.

`turn_store()` and `handoff_store()` return one store per location for the whole process. The
Rasa event broker, the action server (at every action call) and the web app ask here instead of
building stores, so that a process opens each database once and checks its schema once: an action
that built its own SupportQueue ran the migration check, in a write transaction, at every call,
so every session start took the write lock. A store that cannot be opened (its folder missing, the
file unreadable) is not remembered: the next call tries again, and the caller decides what the
failure means (the broker logs it, the actions answer honestly).

The process-wide stores are thread-safe and belong to the process: their close() leaves them
open, since other parts of the process hold them too; close_all() closes them (at exit, and
between tests). `open_turn_store()` and `open_handoff_store()` give a handle of one's own, for a
CLI command or a test, to close when done (on SQLite it shares the file's connection all the same).

The support desk's stores (staff accounts and sessions, the audit trail, notes, ratings and
typing signals) work the same way: `staff_store()`, `audit_store()`, `note_store()`,
`rating_store()`, `typing_store()` and their `open_...` twins, on the same location as the turn
log by default.

A location is a path, `sqlite:///relative/path` or `sqlite:////absolute/path`, or a URL whose
scheme names another backend in BACKENDS: `postgresql://user@host:port/database[?schema=NAME]`
opens the PostgreSQL stores (stores.postgres; psycopg2 is imported only then).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stores.casework import AuditTrail, Notes, Ratings, TypingSignals
from stores.interface import (
    AuditStore,
    HandoffStore,
    NoteStore,
    RatingStore,
    Releasable,
    StaffStore,
    TurnStore,
    TypingStore,
)
from stores.staff import StaffAccounts
from stores.support_queue import SupportQueue
from stores.turnlog import TurnLog, default_path

Location = str | os.PathLike[str]


@dataclass(frozen=True)
class Backend:
    """How one kind of database is opened: each of its stores, and what makes two locations the
    same database (so that they share one process-wide store)."""

    turn_store: Callable[[str], TurnStore]
    handoff_store: Callable[[str], HandoffStore]
    same_database: Callable[[str], str]
    staff_store: Callable[[str], StaffStore]
    audit_store: Callable[[str], AuditStore]
    note_store: Callable[[str], NoteStore]
    rating_store: Callable[[str], RatingStore]
    typing_store: Callable[[str], TypingStore]


BACKENDS: dict[str, Backend] = {
    "sqlite": Backend(
        TurnLog,
        SupportQueue,
        same_database=os.path.realpath,
        staff_store=StaffAccounts,
        audit_store=AuditTrail,
        note_store=Notes,
        rating_store=Ratings,
        typing_store=TypingSignals,
    ),
}


def _postgres(module: str, name: str) -> Callable[[str], Any]:
    """A PostgreSQL store class, imported when first opened."""

    def opened(location: str) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(location)

    return opened


def _postgres_database(location: str) -> str:
    from stores.postgres import same_database

    return same_database(location)


BACKENDS["postgresql"] = Backend(
    _postgres("stores.pg_turnlog", "PgTurnLog"),
    _postgres("stores.pg_support_queue", "PgSupportQueue"),
    same_database=_postgres_database,
    staff_store=_postgres("stores.pg_desk", "PgStaffAccounts"),
    audit_store=_postgres("stores.pg_desk", "PgAuditTrail"),
    note_store=_postgres("stores.pg_desk", "PgNotes"),
    rating_store=_postgres("stores.pg_desk", "PgRatings"),
    typing_store=_postgres("stores.pg_desk", "PgTypingSignals"),
)
KINDS = (
    "turn_store", "handoff_store", "staff_store", "audit_store", "note_store", "rating_store",
    "typing_store",
)  # fmt: skip


def backend_of(location: Location | None) -> tuple[str, str]:
    """(backend name, what that backend opens) for a location; None is the configured turn log
    (advisor.settings). Raises ValueError for a location no backend opens."""
    text = os.fspath(location if location is not None else default_location())
    if not text:
        raise ValueError("a store location is a path or a URL, not an empty string")
    scheme, separator, rest = text.partition("://")
    if not separator:
        return "sqlite", text
    if scheme == "sqlite":
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError(f"a SQLite store URL is sqlite:///path, not {text!r}")
        return "sqlite", rest[1:]
    if scheme == "postgres":  # libpq's other spelling
        return "postgresql", text
    if scheme not in BACKENDS:
        raise ValueError(f"no store backend for {scheme!r} URLs (known: {sorted(BACKENDS)})")
    return scheme, text


def default_location() -> str:
    """$ADVISOR_DATABASE (a path or a URL), else the configured turn log's file."""
    return os.environ.get("ADVISOR_DATABASE") or os.fspath(default_path())


def open_store(kind: str, location: Location | None = None) -> Any:
    """A handle of one's own on the store `kind` (one of KINDS), to close when done."""
    name, target = backend_of(location)
    return getattr(BACKENDS[name], kind)(target)


def process_store(kind: str, location: Location | None = None) -> Any:
    """The process's store `kind` (one of KINDS) for `location` (default: the configured turn
    log's database)."""
    name, target = backend_of(location)
    backend = BACKENDS[name]
    key = (kind, name, backend.same_database(target))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = getattr(backend, kind)(target)
            store.process_wide = True
            _stores[key] = store
        return store


_stores: dict[tuple[str, str, str], Releasable] = {}
_stores_lock = threading.Lock()


def open_turn_store(location: Location | None = None) -> TurnStore:
    """A turn store handle of one's own, to close when done."""
    return open_store("turn_store", location)


def open_handoff_store(location: Location | None = None) -> HandoffStore:
    """A handoff store handle of one's own, to close when done."""
    return open_store("handoff_store", location)


def open_staff_store(location: Location | None = None) -> StaffStore:
    return open_store("staff_store", location)


def open_audit_store(location: Location | None = None) -> AuditStore:
    return open_store("audit_store", location)


def open_note_store(location: Location | None = None) -> NoteStore:
    return open_store("note_store", location)


def open_rating_store(location: Location | None = None) -> RatingStore:
    return open_store("rating_store", location)


def open_typing_store(location: Location | None = None) -> TypingStore:
    return open_store("typing_store", location)


def turn_store(location: Location | None = None) -> TurnStore:
    """The process's turn store for `location` (default: the configured turn log)."""
    return process_store("turn_store", location)


def handoff_store(location: Location | None = None) -> HandoffStore:
    """The process's handoff store for `location` (default: the configured turn log's file)."""
    return process_store("handoff_store", location)


def staff_store(location: Location | None = None) -> StaffStore:
    """The process's staff accounts and sessions."""
    return process_store("staff_store", location)


def audit_store(location: Location | None = None) -> AuditStore:
    """The process's audit trail."""
    return process_store("audit_store", location)


def note_store(location: Location | None = None) -> NoteStore:
    """The process's internal notes."""
    return process_store("note_store", location)


def rating_store(location: Location | None = None) -> RatingStore:
    """The process's shoppers' ratings (the insights page reads `summary(since, until)`)."""
    return process_store("rating_store", location)


def typing_store(location: Location | None = None) -> TypingStore:
    """The process's typing signals."""
    return process_store("typing_store", location)


def close_all() -> None:
    """Close every process-wide store; the next turn_store(), handoff_store() etc. opens anew."""
    with _stores_lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        store.release()


atexit.register(close_all)
