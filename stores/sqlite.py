"""SQLite under the stores, on sqlite-utils: one connection per database file per process.

Every store on a file (the turn log and the support queue share data/turns.db) uses that file's
one `SQLiteFile`: one connection, one lock, and one migration check per store schema, made when
the connection opens rather than at every call. Opening a file whose schema is current only
reads, so a process that starts (or an action that runs) never waits for, or holds up, a writer.

The connection runs in WAL mode with a 10 s busy timeout, synchronous NORMAL and foreign keys on,
in autocommit mode so that transactions are explicit: every write is one BEGIN IMMEDIATE ...
COMMIT. IMMEDIATE takes the write lock up front, so a writer that meets another one waits for it
(the busy timeout) instead of failing when a read transaction would have to become a write one.
sqlite-utils' own nested transactions (`db.atomic()`) become savepoints inside it.

A long-lived connection must follow its file: when the file at the path was deleted or replaced
since the connection opened, or the process forked, the next call opens the file anew (and checks
its schema again) instead of writing into a file nobody will read.

Schemas are sqlite-utils migration sets (`sqlite_utils.Migrations`, recorded in
`_sqlite_migrations`). Each store also keeps the one-row version table its earlier code used
(`schema_version`, `support_queue_version`): databases made before the migration sets existed are
adopted from it, and code of either kind refuses a database newer than itself.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import ClassVar

from sqlite_utils import Database, Migrations

from stores.interface import StoreClosed

BUSY_TIMEOUT_MS = 10_000
Migration = Callable[[Database], None]


class Schema:
    """A store's tables: a named sqlite-utils migration set plus the version table older code
    reads. `steps[v]` takes the tables from version v to v + 1; never change a released step."""

    def __init__(self, name: str, what: str, version_table: str, steps: Sequence[Migration]):
        self.name, self.what, self.version_table = name, what, version_table
        self.names = tuple(step.__name__ for step in steps)
        self.migrations = Migrations(name)
        for step in steps:
            self.migrations()(step)

    @property
    def version(self) -> int:
        return len(self.names)


def connect(path: str | Path) -> Database:
    """A connection with the stores' PRAGMAs, in autocommit mode (transactions are explicit).

    sqlite-utils plugins are not loaded: nothing outside this module changes the connection."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        db = Database(conn, recursive_triggers=False, execute_plugins=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return db


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (a failed COMMIT included)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def version_of(db: Database, schema: Schema) -> int:
    """The version in the schema's version table; 0 for a database without one."""
    row = next(db[schema.version_table].rows_where(select="version", limit=1), None)
    return row["version"] if row else 0


def migrate(db: Database, schema: Schema) -> int:
    """Bring `schema`'s tables to schema.version; returns the version found.

    Reads first and takes the write lock only when there is something to do; then reads again
    under the lock, since another process may have migrated meanwhile."""
    found = version_of(db, schema)
    if _is_current(db, schema, found):
        return found
    with transaction(db):
        found = version_of(db, schema)
        if _is_current(db, schema, found):
            return found
        schema.migrations.ensure_migrations_table(db)
        _adopt(db, schema, found)
        schema.migrations.apply(db)
        versions = db[schema.version_table]
        versions.create({"version": int}, not_null={"version"}, if_not_exists=True)
        versions.delete_where()
        versions.insert({"version": schema.version})
    return found


def _is_current(db: Database, schema: Schema, found: int) -> bool:
    """Whether nothing is to be done; raises RuntimeError for a database newer than this code."""
    applied = {m.name for m in schema.migrations.applied(db)}
    unknown = applied - set(schema.names)
    if found > schema.version or unknown:
        newer = f"{found}" if found > schema.version else f"with migrations {sorted(unknown)}"
        raise RuntimeError(
            f"{schema.what} schema version {newer} is newer than this code ({schema.version})"
        )
    return found == schema.version and applied == set(schema.names)


def _adopt(db: Database, schema: Schema, found: int) -> None:
    """Record the first `found` steps as applied where only the version table says so (a
    database made before the stores used sqlite-utils migration sets)."""
    applied = {m.name for m in schema.migrations.applied(db)}
    now = str(datetime.datetime.now(datetime.timezone.utc))
    db[Migrations.migrations_table].insert_all(
        {"migration_set": schema.name, "name": name, "applied_at": now}
        for name in schema.names[:found]
        if name not in applied
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


class SQLiteFile:
    """One database file's connection in this process, shared by every store handle on it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.users = 0  # open handles (stores.sqlite.acquire / release)
        self._lock = threading.RLock()
        self._db: Database | None = None
        self._opened_as: tuple[int, tuple[int, int] | None] | None = None  # (pid, identity)
        self._checked: set[str] = set()  # schemas migrated on this connection
        self._inherited: list[Database] = []  # a parent process's connections, never touched

    @contextmanager
    def read(self, schema: Schema) -> Iterator[Database]:
        with self._lock:
            yield self._ready(schema)

    @contextmanager
    def write(self, schema: Schema) -> Iterator[Database]:
        """One transaction on the connection, holding the file's lock for its length."""
        with self._lock, transaction(self._ready(schema)) as db:
            yield db

    def _ready(self, schema: Schema) -> Database:
        db = self._connection()
        if schema.name not in self._checked:
            migrate(db, schema)
            self._checked.add(schema.name)
        return db

    def _connection(self) -> Database:
        """The connection; (re)opened when there is none yet, when the file at the path is no
        longer the one it opened, or in a child process (a connection must not cross a fork)."""
        pid = os.getpid()
        if self._db is not None and self._opened_as == (pid, _identity(self.path)):
            return self._db
        self._drop()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = connect(self.path)
        self._db, self._opened_as = db, (pid, _identity(self.path))
        return db

    def _drop(self) -> None:
        if self._db is not None and self._opened_as is not None:
            if self._opened_as[0] == os.getpid():
                self._db.close()
            else:
                self._inherited.append(self._db)  # closing it here could disturb the parent's
        self._db, self._opened_as = None, None
        self._checked.clear()

    def close(self) -> None:
        with self._lock:
            self._drop()


_files: dict[Path, SQLiteFile] = {}
_files_lock = threading.Lock()


def acquire(path: Path, schema: Schema) -> SQLiteFile:
    """The process's SQLiteFile for `path`, counted as one more user, with its connection open
    and `schema` checked. Raises (and counts nothing) if the file cannot be opened or migrated."""
    key = Path(os.path.realpath(path))
    with _files_lock:
        file = _files.setdefault(key, SQLiteFile(key))
        file.users += 1
    try:
        with file.read(schema):
            pass
    except BaseException:
        release(file)
        raise
    return file


def release(file: SQLiteFile) -> None:
    """One user fewer; the last one closes the connection."""
    with _files_lock:
        file.users -= 1
        if file.users > 0:
            return
        if _files.get(file.path) is file:
            del _files[file.path]
    file.close()


class SQLiteStore:
    """What the SQLite stores share: a counted handle on their file's connection."""

    schema: ClassVar[Schema]

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = acquire(self.path, self.schema)
        self._released = False

    def _read(self) -> AbstractContextManager[Database]:
        """`with self._read() as db:` reads under the file's lock."""
        self._check_open()
        return self._file.read(self.schema)

    def _write(self) -> AbstractContextManager[Database]:
        """`with self._write() as db:` is one write transaction."""
        self._check_open()
        return self._file.write(self.schema)

    def _check_open(self) -> None:
        if self._released:
            raise StoreClosed(f"the {self.schema.what} handle on {self.path} was closed")

    @property
    def database(self) -> Database:
        """The sqlite-utils Database (for SQLite-specific tools and tests; hold the store's
        lock by using the store's own methods for anything that writes)."""
        with self._read() as db:
            return db

    def schema_version(self) -> int:
        with self._read() as db:
            return version_of(db, self.schema)

    def integrity_ok(self) -> bool:
        with self._read() as db:
            row = db.execute("PRAGMA integrity_check").fetchone()
        return row is not None and row[0] == "ok"

    def release(self) -> None:
        if not self._released:
            self._released = True
            release(self._file)
