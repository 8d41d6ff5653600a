"""`advisor needs`, `advisor report`, `advisor simulate` and `advisor bench-mining`: what shoppers
asked for and could not get, for product managers, and the proof that the mining is right and fast.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from advisor.catalog_commands import CATALOG_OPTION
from analysis.exposure import DEFAULT_TOLERANCE
from analysis.opportunities import DEFAULT_MIN_SHOPPERS, MiningResult, mine
from knowledge.catalog import Catalog
from knowledge.errors import CatalogError
from knowledge.loader import get_catalog
from stores.turnlog import PATH_ENV, TurnLog, default_path

BENCH_TARGET_SECONDS = 60
BENCH_TARGET_MB = 1024
CSV_COLUMNS = (
    "rank kind opportunity score score_explained shoppers share gap first_seen last_seen "
    "nearest quotes weekly"
).split()

DB_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Turn log database (default: data/turns.db, or ${PATH_ENV}).",
)
DATE = click.DateTime(formats=["%Y-%m-%d"])


def window_options(command):
    command = click.option("--until", type=DATE, help="Last day included (UTC), YYYY-MM-DD.")(
        command
    )
    return click.option("--since", type=DATE, help="First day included (UTC), YYYY-MM-DD.")(command)


def mining_options(command):
    command = click.option(
        "--tolerance",
        default=DEFAULT_TOLERANCE,
        show_default=True,
        type=click.FloatRange(0, 1),
        help="Brand exposure: flag a brand whose shares differ by more than this.",
    )(command)
    command = click.option(
        "--min-shoppers",
        default=DEFAULT_MIN_SHOPPERS,
        show_default=True,
        type=click.IntRange(1),
        help="Report only opportunities with at least this many distinct shoppers.",
    )(command)
    return CATALOG_OPTION(window_options(DB_OPTION(command)))


def epoch(day: datetime | None, days_after: int = 0) -> float | None:
    """A date given on the command line (UTC midnight), plus `days_after` days, as unix time."""
    if day is None:
        return None
    return (day.replace(tzinfo=timezone.utc) + timedelta(days=days_after)).timestamp()


def open_catalog(path: str | None) -> Catalog:
    """The catalog, validated once and then read from the data folder's cache
    (knowledge.catalog_cache), so a short command does not spend most of its time on it."""
    from knowledge.catalog_cache import cached_catalog

    try:
        return cached_catalog(path)
    except CatalogError as error:
        raise click.ClickException(str(error)) from error


def open_log(db: Path | None) -> TurnLog:
    path = db or default_path()
    if not path.exists():
        raise click.ClickException(
            f"No turn log at {path}. Pass --db, set {PATH_ENV}, or make a synthetic one with "
            "`advisor simulate --db PATH`."
        )
    return TurnLog(path)


def run_mining(db, since, until, catalog_path, min_shoppers, tolerance) -> MiningResult:
    if since and until and until < since:
        raise click.UsageError("--until is before --since")
    catalog = open_catalog(catalog_path)
    log = open_log(db)
    try:
        return mine(log, catalog, epoch(since), epoch(until, 1), min_shoppers, tolerance)
    finally:
        log.close()


def render_table(result: MiningResult, top: int) -> str:
    """The ranked opportunities as a text table, with the formula and the exposure flags."""
    lines = [
        f"Unmet needs and feature requests, {result.window}: {result.shoppers:,} shoppers, "
        f"{result.turns:,} turns, {result.unmet_shoppers:,} with needs no product meets.",
        result.formula,
        "",
    ]
    if not result.opportunities:
        lines.append(f"No opportunity had {result.min_shoppers} or more shoppers.")
    else:
        lines.append(f"{'#':>3} {'score':>8} {'shoppers':>8} {'share':>6}  {'kind':<7} opportunity")
    for o in result.opportunities[:top]:
        lines.append(
            f"{o.rank:>3} {o.score:>8.2f} {o.shoppers:>8} {o.share:>6.1%}  {o.kind:<7} {o.label}"
        )
        lines.append(
            f"{'':>14}{o.explanation}; seen {o.to_dict()['first_seen']} to "
            f"{o.to_dict()['last_seen']}"
        )
        for near in o.nearest[:2]:
            lines.append(f"{'':>14}nearest: {near['name']} ({'; '.join(near['misses'])})")
        if o.quotes:
            lines.append(f'{"":>14}"{o.quotes[0]}"')
    hidden = len(result.opportunities) - top
    if hidden > 0:
        lines.append(f"... and {hidden} more (--top, --json or --csv for all)")
    flagged = [r for r in result.exposure if r.flag(result.tolerance) != "fair"]
    lines.append("")
    lines.append(
        f"Brand exposure (tolerance {result.tolerance:.0%}): "
        + (
            ", ".join(
                f"{r.brand} {r.flag(result.tolerance)} ({r.shown_share:.0%} shown vs "
                f"{r.eligible_share:.0%} of merit)"
                for r in flagged
            )
            or "no brand flagged"
        )
    )
    return "\n".join(lines)


def render_csv(result: MiningResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for o in result.opportunities:
        row = o.to_dict()
        writer.writerow(
            {
                **{k: row[k] for k in CSV_COLUMNS if k in row},
                "nearest": " | ".join(f"{n['name']}: {'; '.join(n['misses'])}" for n in o.nearest),
                "quotes": " | ".join(o.quotes),
                "weekly": " ".join(f"{w}:{n}" for w, n in o.weekly),
            }
        )
    return out.getvalue()


def emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}", err=True)


@click.command("needs")
@mining_options
@click.option("--top", default=20, show_default=True, type=click.IntRange(1), help="Table rows.")
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the opportunities as CSV.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def needs_cmd(db, since, until, catalog_path, min_shoppers, tolerance, top, as_json, as_csv, out):
    """Rank what shoppers asked for and could not get: need combinations no product meets and
    features the catalog has no attribute for, with the brand exposure audit.

    Example: advisor needs --since 2026-01-01 --until 2026-01-31 --csv --out needs.csv
    """
    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    result = run_mining(db, since, until, catalog_path, min_shoppers, tolerance)
    if as_json:
        emit(json.dumps(result.to_dict(), indent=2), out)
    elif as_csv:
        click.echo(result.formula, err=True)
        emit(render_csv(result), out)
    else:
        emit(render_table(result, top), out)


@click.command("report")
@mining_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (default: report.html next to the turn log).",
)
def report_cmd(db, since, until, catalog_path, min_shoppers, tolerance, out):
    """Write a self-contained HTML report: ranked opportunities with quotes and nearest products,
    a bar chart, a weekly trend chart and the brand exposure audit.

    Example: advisor report --since 2026-01-01 --out data/report.html
    """
    from analysis.report import render_report

    result = run_mining(db, since, until, catalog_path, min_shoppers, tolerance)
    out = out or (db or default_path()).parent / "report.html"
    emit(render_report(result), out)


@click.command("simulate")
@click.option(
    "--db",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Turn log database to fill (never the default one by accident).",
)
@CATALOG_OPTION
@click.option("--conversations", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--turns", type=click.IntRange(1), help="Stop after this many turns instead.")
@click.option("--seed", default=7, show_default=True)
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(1))
def simulate_cmd(db, catalog_path, conversations, turns, seed, weeks):
    """Fill a turn log with synthetic conversations: planted unmet needs and feature requests
    among satisfied shoppers and noise (for trying `advisor needs` and `advisor report`).

    Example: advisor simulate --db /tmp/sim.db --conversations 5000
    """
    from ops.simulate import simulate

    catalog = open_catalog(catalog_path)
    with TurnLog(db) as log:
        truth = simulate(
            log, catalog, None if turns else conversations, turns, seed=seed, weeks=weeks
        )
        path = log.path
    click.echo(f"Wrote {truth.turns:,} turns of {truth.conversations:,} conversations to {path}")
    for label, n in sorted(truth.planted_needs.items()):
        click.echo(f"  planted unmet need: {label} ({n} shoppers)")
    for phrase, n in sorted(truth.planted_features.items()):
        click.echo(f"  planted feature: {phrase} ({n} shoppers)")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _generate(path: str, turns: int, seed: int) -> None:
    from ops.simulate import simulate

    with TurnLog(path) as log:
        simulate(log, get_catalog(), conversations=None, turns=turns, seed=seed)


def bench_mining(turns: int = 1_000_000, db: Path | None = None, seed: int = 7) -> dict:
    """Mine `turns` simulated turns and print turns/s, wall time and peak RSS, against a baseline
    measured in the same run: a plain streaming read of the same rows (TurnLog.iter_turns).

    The log is generated in a child process (so its memory is not counted) unless `db` exists.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "bench.db"
        if not path.exists():
            click.echo(f"Generating {turns:,} turns in {path} ...")
            started = time.perf_counter()
            child = multiprocessing.get_context("fork").Process(
                target=_generate, args=(str(path), turns, seed)
            )
            child.start()
            child.join()
            if child.exitcode:
                raise click.ClickException(f"generating the log failed ({child.exitcode})")
            click.echo(f"  generated in {time.perf_counter() - started:.1f} s")
        catalog = get_catalog()
        with TurnLog(path) as log:
            started = time.perf_counter()
            rows = sum(1 for _ in log.iter_turns())
            baseline = time.perf_counter() - started
            before = _peak_rss_mb()
            started, cpu_started = time.perf_counter(), time.process_time()
            result = mine(log, catalog)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = _peak_rss_mb()
    figures = {
        "turns": rows,
        "baseline_seconds": round(baseline, 2),
        "baseline_turns_per_second": round(rows / baseline) if baseline else 0,
        "mining_seconds": round(wall, 2),
        "mining_cpu_seconds": round(cpu, 2),
        "mining_turns_per_second": round(rows / wall) if wall else 0,
        "peak_rss_mb": round(peak),
        "rss_before_mining_mb": round(before),
        "opportunities": len(result.opportunities),
        "profiles_checked": result.profiles_checked,
    }
    ok = wall < BENCH_TARGET_SECONDS and peak < BENCH_TARGET_MB
    click.echo(
        f"turns: {rows:,} ({result.shoppers:,} conversations)\n"
        f"baseline, plain streaming read: {baseline:.1f} s, {figures['baseline_turns_per_second']:,} turns/s\n"
        f"mining (unmet needs + features + exposure): {wall:.1f} s, "
        f"{figures['mining_turns_per_second']:,} turns/s ({wall / baseline:.1f}x the plain read; "
        f"CPU {cpu:.1f} s)\n"
        f"distinct need profiles checked: {result.profiles_checked:,}; "
        f"opportunities: {len(result.opportunities)}\n"
        f"peak RSS: {peak:.0f} MB (before mining: {before:.0f} MB)\n"
        f"target: mining < {BENCH_TARGET_SECONDS} s and peak RSS < {BENCH_TARGET_MB} MB: "
        + ("PASS" if ok else "FAIL")
    )
    return figures


@click.command("bench-mining")
@click.option("--turns", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reuse this log if it exists (else generate into it); default: a temporary file.",
)
@click.option("--seed", default=7, show_default=True)
def bench_mining_cmd(turns, db, seed):
    """Benchmark the miners on a simulated log (not a test): turns/s, wall time, peak RSS.

    Example: advisor bench-mining --turns 1000000
    """
    bench_mining(turns, db, seed)


MINING_SET = Path("tests/analysis/data/mining_set.yml")


@click.command("mining-eval")
@click.option(
    "--set",
    "set_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=f"The labelled messages (default: {MINING_SET} in the project).",
)
@CATALOG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def mining_eval_cmd(set_path, catalog_path, as_json):
    """Measure the miners on labelled shopper messages: feature precision and recall, and whether
    replies to the bot's questions, button payloads and quick replies are kept out.

    Example: advisor mining-eval --set tests/analysis/data/mining_set.yml
    """
    from advisor.settings import code_dir, current
    from analysis.mining_eval import evaluate, render

    path = set_path or code_dir() / MINING_SET
    catalog = open_catalog(catalog_path)
    try:
        result = evaluate(path, catalog, current().project_dir / "bot" / "domain")
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render(result, path))


COMMANDS = (needs_cmd, report_cmd, simulate_cmd, bench_mining_cmd, mining_eval_cmd)
