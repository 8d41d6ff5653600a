"""`advisor loadtest`: many simulated shoppers at once against the real servers, then proof that
nothing was lost or doubled.

The shoppers are ops/simulated_shoppers.py's. Afterwards the run checks (ops/log_checks.py): no
failed request, no message left unanswered (except while handed off) and no "cannot look that up"
reply, every shopper message in the turn log exactly once, and each conversation's log matching its
tracker from Rasa's HTTP API. It prints throughput and p50/p95/p99 turn latency.

Loopback only: it starts its own stack with a fresh turn log, or drives a running one given with
--url (127.0.0.1, localhost or ::1) and --db. With --rasa-servers N it starts the scaled stack
(ops/scaled.py: N Rasa servers behind HAProxy) on a fresh schema of --database (PostgreSQL),
dropped after the checks.
"""

from __future__ import annotations

import asyncio
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import click

from ops.log_checks import check, fetch_trackers
from ops.simulated_shoppers import LoadResult, drive, is_handoff

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_loopback(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise click.BadParameter(
            f"only loopback addresses are allowed, not {host!r}", param_hint="--url"
        )
    return url.rstrip("/")


def report(result: LoadResult) -> list[str]:
    turns = result.turns
    handed_off = sum(1 for h in result.conversations.values() if any(map(is_handoff, h)))
    quiet = sum(1 for t in turns if t.handed_off and not t.replies)
    ms = {q: result.percentile(q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)}
    return [
        f"shoppers: {len(result.conversations)}  messages: {len(turns)} of {result.planned_turns}"
        f"  failed: {sum(t.failed for t in turns)}  seconds: {result.seconds:.1f}",
        f"throughput: {result.throughput:.1f} turns/s",
        f"turn latency ms: p50 {ms[0.5]:.0f}  p95 {ms[0.95]:.0f}  p99 {ms[0.99]:.0f}"
        f"  max {ms[1.0]:.0f}",
        f"handed off: {handed_off} conversations ({quiet} messages after a handoff, unanswered"
        " as expected)",
    ]


def run_load(
    rasa_url: str,
    token: str,
    db: Path | str,
    shoppers: int,
    turns: int,
    max_seconds: float,
    seed: int = 7,
    echo=click.echo,
) -> tuple[LoadResult, list[str]]:
    """Drive the shoppers against a running Rasa server, then check the log; (result, problems)."""
    asyncio.run(drive(rasa_url, 1, 2, 60, seed=seed, prefix="warmup"))
    echo(f"Driving {shoppers} shoppers x {turns} messages against {rasa_url} ...")
    result = asyncio.run(drive(rasa_url, shoppers, turns, max_seconds, seed=seed))
    for line in report(result):
        echo(line)
    echo("Checking the turn log against every tracker ...")
    trackers = asyncio.run(fetch_trackers(rasa_url, token, result.conversations))
    return result, check(result, db, trackers)


@click.command("loadtest")
@click.option(
    "--shoppers",
    type=click.IntRange(1, 1000),
    default=200,
    show_default=True,
    help="Concurrent simulated shoppers.",
)
@click.option(
    "--turns-per-shopper",
    "turns",
    type=click.IntRange(1, 30),
    default=6,
    show_default=True,
    help="Messages each shopper sends.",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(1, 3600),
    default=900,
    show_default=True,
    help="Bound on the driving phase; messages not sent by then count as a failure.",
)
@click.option("--seed", default=7, show_default=True, help="Makes the conversations repeatable.")
@click.option(
    "--url",
    default=None,
    help="A running advisor's Rasa server (loopback only); default: start a fresh stack.",
)
@click.option(
    "--db",
    default=None,
    help="The turn log of the server given with --url, a path or postgresql://... (default: "
    "$ADVISOR_DATABASE, else $ADVISOR_TURN_LOG, else data/turns.db).",
)
@click.option("--token", default=None, help="Rasa API token for --url (default: as `advisor run`).")
@click.option(
    "--rasa-servers",
    type=click.IntRange(1, 16),
    default=None,
    help="Start N Rasa servers behind HAProxy on PostgreSQL and Redis (ops/scaled.py).",
)
@click.option("--action-servers", type=click.IntRange(1, 16), default=1, show_default=True)
@click.option(
    "--database",
    default=None,
    help="With --rasa-servers: the PostgreSQL database a fresh schema is made in "
    "(default: $ADVISOR_DATABASE, else postgresql://postgres@127.0.0.1:5432/test).",
)
@click.option(
    "--redis",
    default=None,
    help="With --rasa-servers: Redis (default: $ADVISOR_REDIS_URL, else redis://127.0.0.1:6379/0).",
)
def loadtest(
    shoppers: int,
    turns: int,
    max_seconds: float,
    seed: int,
    url: str | None,
    db: str | None,
    token: str | None,
    rasa_servers: int | None,
    action_servers: int,
    database: str | None,
    redis: str | None,
) -> None:
    """Drive many concurrent simulated shoppers through multi-turn conversations over REST, then
    check that nothing failed, was lost or was doubled: every message in the turn log exactly
    once, each conversation's log matching its tracker. Prints throughput and p50/p95/p99 turn
    latency; exits non-zero on any problem.

    Without --url it starts its own action and Rasa servers on free loopback ports with a fresh
    turn log (kept, with the server logs, in a temporary folder it prints).

    Example: advisor loadtest --shoppers 200 --turns-per-shopper 6 --rasa-servers 2
    """
    from advisor.settings import api_token
    from ops.stack import Stack, ensure_model, free_port

    stack = None
    schema_url = None
    if url:
        rasa_url = check_loopback(url)
        if db is None:
            from stores.shared import default_location

            db = default_location()
        token = token or api_token()
    elif rasa_servers:
        import os

        from ops.scaled import ScaledStack

        folder = Path(tempfile.mkdtemp(prefix="advisor-loadtest-"))
        base = (
            database
            or os.environ.get("ADVISOR_DATABASE")
            or "postgresql://postgres@127.0.0.1:5432/test"
        )
        schema_url = f"{base.split('?')[0]}?schema=loadtest_{uuid.uuid4().hex[:10]}"
        db = schema_url
        token = uuid.uuid4().hex
        stack = ScaledStack(
            rasa_port=free_port(),
            action_port=free_port(),
            web=False,
            rasa_servers=rasa_servers,
            action_servers=action_servers,
            database=schema_url,
            redis=redis or os.environ.get("ADVISOR_REDIS_URL") or "redis://127.0.0.1:6379/0",
            run_dir=folder / "run",
        )
        click.echo(
            f"Starting {rasa_servers} Rasa server(s) behind HAProxy; schema {schema_url}, "
            f"server logs in {folder}"
        )
        stack.start(ensure_model(echo=click.echo), token, log_dir=folder / "logs")
        rasa_url = stack.rasa_url
    else:
        folder = Path(tempfile.mkdtemp(prefix="advisor-loadtest-"))
        db = Path(db) if db else folder / "turns.db"
        if db.exists():
            raise click.BadParameter(
                f"{db} exists: the load test needs a fresh log", param_hint="--db"
            )
        token = uuid.uuid4().hex
        stack = Stack(rasa_port=free_port(), action_port=free_port(), turn_log=db, web=False)
        click.echo(f"Starting the servers; turn log and server logs in {folder}")
        stack.start(ensure_model(echo=click.echo), token, log_dir=folder / "logs")
        rasa_url = stack.rasa_url
    try:
        if stack is not None:
            stack.wait_healthy()
        result, problems = run_load(rasa_url, token, db, shoppers, turns, max_seconds, seed)
    finally:
        if stack is not None:
            stack.stop()
        if schema_url is not None:
            from ops.scaled import drop_schema
            from stores.shared import close_all

            close_all()
            drop_schema(schema_url)
    if problems:
        for problem in problems[:50]:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in the load test")
    click.echo(
        f"OK: {len(result.turns)} messages from {shoppers} shoppers, each logged exactly once and"
        " matching its tracker."
    )
