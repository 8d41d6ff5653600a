"""The store tests run once per backend. `backend` names fresh store locations and opens stores
on them through stores.shared, so a new backend (PostgreSQL) is one more implementation in
stores.shared.BACKENDS plus one more entry in STORE_BACKENDS here; the tests do not change.
Tests of what only SQLite has (PRAGMAs, file locks, the version tables) are in test_sqlite.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import stores.sqlite
from stores.interface import HandoffStore, TurnStore
from stores.shared import open_handoff_store, open_store, open_turn_store


def turn(conversation: str, message: str, **fields) -> dict:
    """A turn to write: its keys, its message id as text, and `fields`."""
    return {"conversation_id": conversation, "message_id": message, "text": message, **fields}


@dataclass
class StoreBackend:
    """One backend under test, with a place of its own for this test's databases."""

    name: str
    folder: Path

    def location(self, name: str = "turns") -> str:
        """The location of this test's database `name` (empty until a store opens it)."""
        if self.name == "sqlite":
            return str(self.folder / f"{name}.db")
        raise NotImplementedError(self.name)

    def turn_log(self, location: str | None = None) -> TurnStore:
        return open_turn_store(location or self.location())

    def support_queue(self, location: str | None = None) -> HandoffStore:
        return open_handoff_store(location or self.location())

    def open(self, kind: str, location: str | None = None):
        """A handle on the store `kind` (stores.shared.KINDS), to close when done."""
        return open_store(kind, location or self.location())

    def raw(self, sql: str, location: str | None = None) -> list[tuple]:
        """Rows of `sql` read past the store, as stored."""
        if self.name == "sqlite":
            connection = sqlite3.connect(location or self.location())
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        raise NotImplementedError(self.name)


STORE_BACKENDS = ["sqlite"]


@pytest.fixture(params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreBackend:
    return StoreBackend(request.param, tmp_path)


@pytest.fixture
def log(backend: StoreBackend) -> Iterator[TurnStore]:
    with backend.turn_log() as opened:
        yield opened


@pytest.fixture
def queue(backend: StoreBackend) -> Iterator[HandoffStore]:
    with backend.support_queue() as opened:
        yield opened


def _desk_fixture(kind: str):
    @pytest.fixture
    def opened(backend: StoreBackend) -> Iterator:
        with backend.open(kind) as store:
            yield store

    return opened


staff = _desk_fixture("staff_store")
audit = _desk_fixture("audit_store")
notes = _desk_fixture("note_store")
ratings = _desk_fixture("rating_store")
typing_signals = _desk_fixture("typing_store")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The SQLite files connected to (stores.sqlite.connect) during the test, once a connection."""
    opened: list[Path] = []
    real = stores.sqlite.connect

    def counting(path):
        opened.append(Path(path))
        return real(path)

    monkeypatch.setattr(stores.sqlite, "connect", counting)
    return opened


@pytest.fixture
def migration_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The schemas checked (stores.sqlite.migrate) during the test, one name per check."""
    checked: list[str] = []
    real = stores.sqlite.migrate

    def counting(db, schema):
        checked.append(schema.name)
        return real(db, schema)

    monkeypatch.setattr(stores.sqlite, "migrate", counting)
    return checked
