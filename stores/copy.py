"""Moving a SQLite deployment's stores to PostgreSQL (`advisor db copy --to postgresql://...`).

Both backends keep the same tables with the same columns (stores.turnlog and stores.pg_turnlog,
and so on), so the copy is table by table: the PostgreSQL stores are opened first (which makes
the schema and its tables), then every row of each table is read from the SQLite file in
batches and inserted as it is, ids included (a rating names its handoff by id), flags turned
into booleans. The id sequences continue after the highest copied id. Everything is one
transaction on the target: a failed copy leaves it as it was. A target that already holds rows
is refused, so nothing is mixed or doubled; typing signals (seconds long) are not copied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2.extras

from stores.postgres import connect, same_database

# Table -> whether it has a BIGSERIAL id; in an order that keeps references valid.
TABLES: dict[str, bool] = {
    "turns": True,
    "conversation_state": False,
    "turn_log_info": False,
    "handoffs": True,
    "staff_accounts": False,
    "staff_sessions": False,
    "audit": True,
    "notes": True,
    "ratings": True,
}
BATCH = 5000


def _open_targets(target: str) -> None:
    """Make the target's schema and tables (each PostgreSQL store migrates when opened)."""
    from stores.shared import KINDS, open_store

    for kind in KINDS:
        open_store(kind, target).release()


def _sqlite_tables(source: sqlite3.Connection) -> set[str]:
    return {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _target_columns(cur: Any, table: str) -> dict[str, str]:
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s",
        [table],
    )
    return {name: kind for name, kind in cur.fetchall()}


def copy_stores(source: Path, target: str, echo: Callable[[str], None] = print) -> dict[str, int]:
    """Copy every store's rows from the SQLite file `source` to the PostgreSQL location `target`;
    returns rows copied per table. ValueError if the target already holds rows."""
    if not source.exists():
        raise ValueError(f"no SQLite database at {source}")
    _open_targets(target)
    counts: dict[str, int] = {}
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = connect(target)
    try:
        reader.execute("BEGIN")  # one snapshot: every table as of the same moment
        present = _sqlite_tables(reader)
        with writer.cursor() as cur:
            for table in TABLES:
                cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table}) AS found")
                if cur.fetchone()[0]:
                    raise ValueError(
                        f"{same_database(target)}: table {table} already holds rows; copy refused"
                    )
            for table, serial in TABLES.items():
                if table not in present:
                    counts[table] = 0
                    continue
                counts[table] = _copy_table(reader, cur, table)
                if serial and counts[table]:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                echo(f"  {table}: {counts[table]:,} rows")
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.close()
        reader.close()
    return counts


def _copy_table(reader: sqlite3.Connection, cur: Any, table: str) -> int:
    target = _target_columns(cur, table)
    source = [row[1] for row in reader.execute(f"PRAGMA table_info({table})")]
    columns = [c for c in source if c in target]
    flags = {c for c in columns if target[c] == "boolean"}
    rows = reader.execute(f"SELECT {', '.join(columns)} FROM {table}")
    count = 0
    while batch := rows.fetchmany(BATCH):
        values = [
            tuple(
                bool(v) if c in flags and v is not None else v
                for c, v in zip(columns, row, strict=True)
            )
            for row in batch
        ]
        psycopg2.extras.execute_values(
            cur, f"INSERT INTO {table} ({', '.join(columns)}) VALUES %s", values, page_size=1000
        )
        count += len(batch)
    return count
