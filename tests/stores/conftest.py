"""The store tests run once per backend: SQLite, and PostgreSQL (tests.services.require_postgres:
skipped with a one-line reason where it is missing, a failure in CI). `backend` names fresh store
locations and opens stores on them through stores.shared; on PostgreSQL each test's databases are
schemas of their own in the test database, dropped at the end. A further backend is one more
implementation in stores.shared.BACKENDS plus one more entry in STORE_BACKENDS here.
Tests of what only SQLite has (PRAGMAs, file locks, the version tables) are in test_sqlite.py."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import stores.postgres
import stores.sqlite
from stores.interface import HandoffStore, TurnStore
from stores.shared import close_all, open_handoff_store, open_store, open_turn_store
from tests.services import require_postgres


def turn(conversation: str, message: str, **fields) -> dict:
    """A turn to write: its keys, its message id as text, and `fields`."""
    return {"conversation_id": conversation, "message_id": message, "text": message, **fields}


@dataclass
class StoreBackend:
    """One backend under test, with a place of its own for this test's databases."""

    name: str
    folder: Path
    server: str = ""  # PostgreSQL: the database URL; each test's databases are schemas in it
    prefix: str = ""  # PostgreSQL: this test's schemas are named prefix + name

    def location(self, name: str = "turns") -> str:
        """The location of this test's database `name` (empty until a store opens it)."""
        if self.name == "sqlite":
            return str(self.folder / f"{name}.db")
        return f"{self.server}?schema={self.prefix}{name.replace('-', '_')}"

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
        connection = stores.postgres.connect(location or self.location())
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            connection.close()

    def drop(self) -> None:
        """Drop this test's PostgreSQL schemas (every store closed first)."""
        close_all()
        connection = stores.postgres.connect(self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [self.prefix]
                )
                for (schema,) in cursor.fetchall():
                    cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            connection.close()


STORE_BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreBackend]:
    if request.param == "sqlite":
        yield StoreBackend("sqlite", tmp_path)
        return
    opened = StoreBackend("postgresql", tmp_path, require_postgres(), f"t_{uuid.uuid4().hex[:12]}_")
    try:
        yield opened
    finally:
        opened.drop()


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
    for module in (stores.sqlite, stores.postgres):
        real = module.migrate

        def counting(db, schema, real=real):
            checked.append(schema.name)
            return real(db, schema)

        monkeypatch.setattr(module, "migrate", counting)
    return checked
