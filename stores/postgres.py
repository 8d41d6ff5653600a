"""PostgreSQL under the stores, on psycopg2: one connection per store handle, migrations per store.

A location is a libpq URL, `postgresql://user@host:port/database`, optionally with `?schema=NAME`
(the PostgreSQL schema the store's tables live in; default `public`). The schema is made when it
is missing, and every connection of the store sets its search_path to it, so two deployments (or
two tests) can share one database without seeing each other's tables.

Each store handle holds one connection and one lock: reads and writes run one at a time per
handle, each in a transaction of its own (a read transaction ends at once, so an idle handle holds
no lock and no snapshot). Rows that several writers contend for are serialised in the database,
not in the process: a claim updates only a row still `waiting`; turn numbering and the one open
handoff per conversation take a transaction-scoped advisory lock on the conversation, so writers
in several processes (or on several hosts) number turns without gaps or duplicates.

Schemas are migration sets as on SQLite (stores.sqlite): a store's `PgSchema` lists its steps,
each a function of a cursor; the steps applied are recorded in `_pg_migrations` (migration_set,
name, applied_at). Migrating takes an advisory lock on the set, reads again under it and applies
what is missing in one transaction; code refuses a database with migrations it does not know
(made by newer code). A current database is only read when a store opens.

A connection must not cross a fork: a handle used in a child process opens its own.
"""

from __future__ import annotations

import datetime
import os
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg2
import psycopg2.extras

from stores.interface import StoreClosed

MIGRATIONS = "_pg_migrations"
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMES = ("postgresql", "postgres")
# Advisory lock key spaces (the first of the two int4 keys): migrations, turn numbering, handoffs.
LOCK_MIGRATION, LOCK_CONVERSATION, LOCK_HANDOFF = 7301, 7302, 7303
Step = Callable[[Any], None]


class PgSchema:
    """A store's tables on PostgreSQL: a named migration set. `steps[v]` takes the tables from
    version v to v + 1; never change a released step."""

    def __init__(self, name: str, what: str, steps: Sequence[Step]):
        self.name, self.what = name, what
        self.steps = tuple(steps)
        self.names = tuple(step.__name__ for step in steps)

    @property
    def version(self) -> int:
        return len(self.names)


def parse_location(location: str) -> tuple[str, str]:
    """(libpq URL without the `schema` parameter, schema name) of a PostgreSQL store location.
    ValueError for a URL of another kind or a schema name that is not a plain identifier."""
    parts = urllib.parse.urlsplit(location)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"a PostgreSQL store location is postgresql://..., not {location!r}")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schema = "public"
    kept = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    if not IDENTIFIER.match(schema):
        raise ValueError(
            f"a PostgreSQL schema name is lower-case letters, digits and _: {schema!r}"
        )
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))
    return url, schema


def same_database(location: str) -> str:
    """What makes two locations one database: the URL without its password and the schema."""
    url, schema = parse_location(location)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    user = parts.username or ""
    port = parts.port or 5432
    return f"postgresql://{user}@{host}:{port}{parts.path}?schema={schema}"


def connect(location: str) -> Any:
    """A connection to the location's database with search_path set to its schema (made when
    missing), not in autocommit mode: every use is an explicit transaction."""
    url, schema = parse_location(location)
    conn = psycopg2.connect(url, application_name="fair-advisor")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
            if cur.fetchone() is None:
                # Two processes may make it at once: the advisory lock lets one do it.
                cur.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [LOCK_MIGRATION, schema])
                try:
                    cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                finally:
                    cur.execute(
                        "SELECT pg_advisory_unlock(%s, hashtext(%s))", [LOCK_MIGRATION, schema]
                    )
            cur.execute(f'SET search_path TO "{schema}"')
        conn.autocommit = False
    except BaseException:
        conn.close()
        raise
    return conn


def applied(cur: Any, schema: PgSchema) -> list[str]:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL AS found", [MIGRATIONS])
    if not cur.fetchone()["found"]:
        return []
    cur.execute(
        f"SELECT name FROM {MIGRATIONS} WHERE migration_set = %s ORDER BY id", [schema.name]
    )
    return [row["name"] for row in cur.fetchall()]


def _is_current(schema: PgSchema, done: list[str]) -> bool:
    unknown = set(done) - set(schema.names)
    if unknown:
        raise RuntimeError(
            f"{schema.what} schema with migrations {sorted(unknown)} is newer than this code "
            f"({schema.version})"
        )
    return set(done) == set(schema.names)


def migrate(conn: Any, schema: PgSchema) -> int:
    """Bring `schema`'s tables to schema.version; returns the version found. Reads first, and
    locks (an advisory lock on the set) only when there is something to do."""
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        try:
            done = applied(cur, schema)
            if _is_current(schema, done):
                conn.commit()
                return len(done)
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_MIGRATION, "m"])
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS} (id BIGSERIAL PRIMARY KEY,"
                " migration_set TEXT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,"
                " UNIQUE (migration_set, name))"
            )
            done = applied(cur, schema)
            if not _is_current(schema, done):
                now = str(datetime.datetime.now(datetime.timezone.utc))
                for step in schema.steps:
                    if step.__name__ in done:
                        continue
                    step(cur)
                    cur.execute(
                        f"INSERT INTO {MIGRATIONS} (migration_set, name, applied_at)"
                        " VALUES (%s, %s, %s)",
                        [schema.name, step.__name__, now],
                    )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return len(done)


class PgStore:
    """What the PostgreSQL stores share: a connection of the handle's own, opened (and the
    schema checked) when the handle is made, and again in a forked child."""

    schema: ClassVar[PgSchema]

    def __init__(self, location: str) -> None:
        self.location = location
        parse_location(location)
        self._lock = threading.RLock()
        self._conn: Any = None
        self._pid = 0
        self._released = False
        with self._lock:
            self._connection()

    def _connection(self) -> Any:
        if self._conn is not None and self._pid == os.getpid() and not self._conn.closed:
            return self._conn
        conn = connect(self.location)
        try:
            migrate(conn, self.schema)
        except BaseException:
            conn.close()
            raise
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _check_open(self) -> None:
        if self._released:
            raise StoreClosed(f"the {self.schema.what} handle on {self.location} was closed")

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """`with self._read() as cur:` one read transaction (a RealDictCursor)."""
        with self._write() as cur:
            yield cur

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """`with self._write() as cur:` one transaction, committed at the end, rolled back on any
        error (a lost connection included: the next call connects anew)."""
        self._check_open()
        with self._lock:
            conn = self._connection()
            try:
                with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                    yield cur
                conn.commit()
            except BaseException as error:
                if not conn.closed:
                    conn.rollback()
                if isinstance(error, psycopg2.OperationalError | psycopg2.InterfaceError):
                    self._drop()
                raise

    def _drop(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def lock_conversations(self, cur: Any, space: int, conversations: Sequence[str]) -> None:
        """Transaction-scoped advisory locks on conversations, in one order (no deadlock)."""
        for conversation_id in sorted(set(conversations)):
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [space, conversation_id])

    def schema_version(self) -> int:
        with self._read() as cur:
            return len(applied(cur, self.schema))

    def integrity_ok(self) -> bool:
        """PostgreSQL keeps its own consistency (WAL, crash recovery); this checks that the
        store's tables answer."""
        try:
            with self._read() as cur:
                cur.execute(f"SELECT count(*) AS n FROM {MIGRATIONS}")
                return cur.fetchone()["n"] >= 0
        except psycopg2.Error:
            return False

    def release(self) -> None:
        if not self._released:
            self._released = True
            with self._lock:
                self._drop()
