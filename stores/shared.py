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

A location is a path, `sqlite:///relative/path` or `sqlite:////absolute/path`, or a URL whose
scheme names another backend in BACKENDS: a PostgreSQL backend is one more entry there.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from stores.interface import HandoffStore, Releasable, TurnStore
from stores.support_queue import SupportQueue
from stores.turnlog import TurnLog, default_path

Location = str | os.PathLike[str]
Store = TypeVar("Store", TurnStore, HandoffStore)


@dataclass(frozen=True)
class Backend:
    """How one kind of database is opened: its two stores, and what makes two locations the same
    database (so that they share one process-wide store)."""

    turn_store: Callable[[str], TurnStore]
    handoff_store: Callable[[str], HandoffStore]
    same_database: Callable[[str], str]


BACKENDS: dict[str, Backend] = {
    "sqlite": Backend(TurnLog, SupportQueue, same_database=os.path.realpath),
}


def backend_of(location: Location | None) -> tuple[str, str]:
    """(backend name, what that backend opens) for a location; None is the configured turn log
    (advisor.settings). Raises ValueError for a location no backend opens."""
    text = os.fspath(location if location is not None else default_path())
    if not text:
        raise ValueError("a store location is a path or a URL, not an empty string")
    scheme, separator, rest = text.partition("://")
    if not separator:
        return "sqlite", text
    if scheme == "sqlite":
        if not rest.startswith("/") or len(rest) < 2:
            raise ValueError(f"a SQLite store URL is sqlite:///path, not {text!r}")
        return "sqlite", rest[1:]
    if scheme not in BACKENDS:
        raise ValueError(f"no store backend for {scheme!r} URLs (known: {sorted(BACKENDS)})")
    return scheme, text


def open_turn_store(location: Location | None = None) -> TurnStore:
    """A turn store handle of one's own, to close when done."""
    name, target = backend_of(location)
    return BACKENDS[name].turn_store(target)


def open_handoff_store(location: Location | None = None) -> HandoffStore:
    """A handoff store handle of one's own, to close when done."""
    name, target = backend_of(location)
    return BACKENDS[name].handoff_store(target)


_turn_stores: dict[tuple[str, str], TurnStore] = {}
_handoff_stores: dict[tuple[str, str], HandoffStore] = {}
_stores_lock = threading.Lock()


def turn_store(location: Location | None = None) -> TurnStore:
    """The process's turn store for `location` (default: the configured turn log)."""
    name, target = backend_of(location)
    backend = BACKENDS[name]
    return _process_wide(
        _turn_stores, (name, backend.same_database(target)), backend.turn_store, target
    )


def handoff_store(location: Location | None = None) -> HandoffStore:
    """The process's handoff store for `location` (default: the configured turn log's file)."""
    name, target = backend_of(location)
    backend = BACKENDS[name]
    return _process_wide(
        _handoff_stores, (name, backend.same_database(target)), backend.handoff_store, target
    )


def _process_wide(
    stores: dict[tuple[str, str], Store],
    key: tuple[str, str],
    opener: Callable[[str], Store],
    target: str,
) -> Store:
    with _stores_lock:
        store = stores.get(key)
        if store is None:
            store = opener(target)
            store.process_wide = True
            stores[key] = store
        return store


def close_all() -> None:
    """Close every process-wide store; the next turn_store() or handoff_store() opens anew."""
    with _stores_lock:
        stores: list[Releasable] = [*_turn_stores.values(), *_handoff_stores.values()]
        _turn_stores.clear()
        _handoff_stores.clear()
    for store in stores:
        store.release()


atexit.register(close_all)
