"""The simulated logs the mining benchmarks read (`advisor bench-mining`, `advisor bench-concept`):
generated in a child process, so that the benchmark's own peak memory does not count them, and
copied into a fresh PostgreSQL schema for the same figures there (dropped afterwards)."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click


def generate_in_child(path: Path, turns: int, seed: int, generate: Callable) -> None:
    """`generate(str(path), turns, seed)` in a forked child, unless the log already exists."""
    if path.exists():
        return
    click.echo(f"Generating {turns:,} turns in {path} ...")
    started = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=generate, args=(str(path), turns, seed)
    )
    child.start()
    child.join()
    if child.exitcode:
        raise click.ClickException(f"generating the log failed ({child.exitcode})")
    click.echo(f"  generated in {time.perf_counter() - started:.1f} s")


@contextmanager
def postgres_copy(path: Path, database: str, name: str) -> Iterator[str]:
    """The SQLite log at `path` copied into a new schema `name`_<random> of `database`; yields
    its location, and drops the schema when done."""
    from ops.scaled import drop_schema
    from stores.copy import copy_stores
    from stores.shared import close_all

    target = f"{database.split('?')[0]}?schema={name}_{uuid.uuid4().hex[:10]}"
    click.echo(f"Copying the log to PostgreSQL ({target.split('@')[-1]}) ...")
    try:
        copy_stores(path, target, echo=lambda _line: None)
        yield target
    finally:
        close_all()
        drop_schema(target)
