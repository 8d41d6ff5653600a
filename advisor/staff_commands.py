"""`advisor staff`: the named staff accounts of the support console (add, list, remove, reset).

Accounts live in the stores' database (the turn log's, $ADVISOR_TURN_LOG); each change is recorded
in the audit trail. A secret is printed once, when it is made; only its hash is kept, so a lost
secret is replaced with `reset`, never shown again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from stores import desk_rules
from stores.shared import open_audit_store, open_staff_store
from stores.turnlog import PATH_ENV

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The stores' database (default ${PATH_ENV} or data/turns.db).",
)


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "never"


def _stored_name(accounts, name: str) -> str:
    """The account's name as it was created ('alex' finds 'Alex'), else `name`."""
    try:
        found = accounts.account_with_hash(desk_rules.name_key(name))
    except ValueError:
        return name
    return found["name"] if found else name


def _record(db: Path | None, change: str, name: str) -> None:
    with open_audit_store(db) as audit:
        audit.record("account", "system", "command line", detail={"change": change, "name": name})


def _show_secret(name: str, secret: str, what: str) -> None:
    click.echo(f"{what} The secret, shown this once (only a hash is kept):\n")
    click.echo(f"    {secret}\n")
    click.echo(f"{name} logs in at /login with the name {name!r} and this secret.")


@click.group("staff")
def staff() -> None:
    """Named staff accounts for the support console."""


@staff.command("add")
@click.argument("name")
@db_option
def add(name: str, db: Path | None) -> None:
    """Create a staff account and print its one-time secret.

    The name is what shoppers see ("Alex from the support team has joined the chat").

    Example: advisor staff add "Alex Kim"
    """
    with open_staff_store(db) as accounts:
        try:
            secret = accounts.add_account(name)
        except ValueError as error:
            raise click.ClickException(f"Cannot add {name!r}: {error}.") from error
        created = desk_rules.clean_name(name)
    _record(db, "add", created)
    _show_secret(created, secret, f"Staff account {created!r} created.")


@staff.command("list")
@db_option
def list_accounts(db: Path | None) -> None:
    """List the staff accounts: created, last log-in, live sessions.

    Example: advisor staff list
    """
    with open_staff_store(db) as accounts:
        rows = accounts.accounts()
    if not rows:
        click.echo("No staff accounts yet. Create one with: advisor staff add NAME")
        return
    width = max(len("name"), *(len(r["name"]) for r in rows))
    click.echo(f"{'name':<{width}}  created           last log-in       sessions")
    for row in rows:
        click.echo(
            f"{row['name']:<{width}}  {_when(row['created_ts']):<16}  "
            f"{_when(row['last_login_ts']):<16}  {row['sessions']}"
        )


@staff.command("remove")
@click.argument("name")
@db_option
def remove(name: str, db: Path | None) -> None:
    """Delete a staff account and end its sessions at once.

    What the account did stays in the audit trail and the transcripts, under its name.

    Example: advisor staff remove "Alex Kim"
    """
    with open_staff_store(db) as accounts:
        live = {a["name"].casefold(): a["sessions"] for a in accounts.accounts()}
        stored = _stored_name(accounts, name)
        try:
            removed = accounts.remove_account(name)
        except ValueError as error:
            raise click.ClickException(f"Cannot remove {name!r}: {error}.") from error
    if not removed:
        raise click.ClickException(f"No staff account {name!r} (see: advisor staff list).")
    _record(db, "remove", stored)
    sessions = live.get(stored.casefold(), 0)
    click.echo(f"Removed {stored!r}; {sessions} live session(s) ended.")


@staff.command("reset")
@click.argument("name")
@db_option
def reset(name: str, db: Path | None) -> None:
    """Give a staff account a new one-time secret; the old one and its sessions stop working.

    Example: advisor staff reset "Alex Kim"
    """
    with open_staff_store(db) as accounts:
        stored = _stored_name(accounts, name)
        try:
            secret = accounts.reset_secret(name)
        except (KeyError, ValueError) as error:
            raise click.ClickException(
                f"No staff account {name!r} (see: advisor staff list)."
            ) from error
    _record(db, "reset", stored)
    _show_secret(stored, secret, f"New secret for {stored!r}; its sessions were ended.")
