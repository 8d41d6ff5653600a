"""`advisor db copy`: move a SQLite deployment's stores to PostgreSQL for a scaled run."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("db")
def db() -> None:
    """The stores' database: copy a SQLite deployment to PostgreSQL.

    Example: advisor db copy --to postgresql://postgres@127.0.0.1/advisor
    """


@db.command("copy")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The SQLite database (default: the configured turn log, data/turns.db or $ADVISOR_TURN_LOG).",
)
@click.option(
    "--to",
    "target",
    required=True,
    help="The PostgreSQL location: postgresql://user@host:port/db[?schema=NAME].",
)
def copy_cmd(source: Path | None, target: str) -> None:
    """Copy the turn log, the support queue, the staff accounts and sessions, the audit trail,
    notes and ratings from SQLite to PostgreSQL, in one transaction; a target that already holds
    rows is refused. Then run with `--database` set to the same URL.

    Example: advisor db copy --to "postgresql://postgres@127.0.0.1/advisor?schema=shop"
    """
    from stores.copy import copy_stores
    from stores.turnlog import default_path

    if not target.startswith(("postgresql://", "postgres://")):
        raise click.BadParameter("a postgresql:// URL", param_hint="--to")
    source = source or default_path()
    click.echo(f"Copying {source} to {target.split('@')[-1]} ...")
    try:
        counts = copy_stores(source, target, echo=click.echo)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Done: {sum(counts.values()):,} rows.")
