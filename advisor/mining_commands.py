"""`advisor needs`, `advisor report`, `advisor simulate` and `advisor bench-mining`: what shoppers
asked for and could not get, for product managers, and the proof that the mining is right and fast.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from advisor.options import CATALOG_OPTION
from analysis.exposure import DEFAULT_TOLERANCE
from analysis.opportunities import MiningResult, mine
from analysis.ratings import StoreRatings
from analysis.report_text import SAMPLE_NOTE, render_csv, render_table
from knowledge.catalog import Catalog
from knowledge.errors import CatalogError
from knowledge.loader import get_catalog
from stores.interface import TRAFFIC, TurnStore
from stores.shared import open_handoff_store, open_rating_store, open_turn_store
from stores.turnlog import PATH_ENV, TurnLog, default_path

BENCH_TARGET_SECONDS = 60
BENCH_TARGET_MB = 1024


def location(_ctx: object, _param: object, value: str | None) -> Path | str | None:
    """A store location as given: a postgresql:// URL stays text, anything else is a path."""
    if value is None:
        return None
    return (
        value
        if "://" in value and not value.startswith("sqlite:")
        else Path(value.removeprefix("sqlite:///"))
    )


def default_log() -> Path | str:
    """The log mined when --db is not given: $ADVISOR_DATABASE (a path or a postgresql:// URL,
    where a scaled run keeps every store), else the configured turn log."""
    import os

    configured = os.environ.get("ADVISOR_DATABASE")
    return location(None, None, configured) if configured else default_path()


DB_OPTION = click.option(
    "--db",
    "--database",
    "db",
    default=None,
    callback=location,
    help=f"Turn log: a SQLite file or postgresql://host/db[?schema=NAME] (default: data/turns.db,"
    f" or ${PATH_ENV}).",
)
DATE = click.DateTime(formats=["%Y-%m-%d"])


def window_options(command):
    command = click.option("--until", type=DATE, help="Last day included (UTC), YYYY-MM-DD.")(
        command
    )
    return click.option("--since", type=DATE, help="First day included (UTC), YYYY-MM-DD.")(command)


def mining_options(command):
    command = click.option(
        "--include-traffic",
        multiple=True,
        type=click.Choice(TRAFFIC),
        help="Also count conversations tagged as this kind of traffic (left out by default).",
    )(command)
    command = click.option(
        "--tolerance",
        default=DEFAULT_TOLERANCE,
        show_default=True,
        type=click.FloatRange(0, 1),
        help="Brand exposure: flag a brand whose shares differ by more than this.",
    )(command)
    command = click.option(
        "--min-shoppers",
        default=None,
        type=click.IntRange(1),
        help="Report only opportunities with at least this many distinct shoppers "
        "(default: chosen for the window's size, and said).",
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


def open_log(db: Path | str | None) -> TurnStore:
    path = db or default_log()
    if isinstance(path, Path) and not path.exists():
        raise click.ClickException(
            f"No turn log at {path}. Pass --db, set {PATH_ENV}, or make sample data in a log of "
            "its own with `advisor simulate`."
        )
    return open_turn_store(path)


def run_mining(db, since, until, catalog_path, min_shoppers, tolerance, include_traffic=()):
    if since and until and until < since:
        raise click.UsageError("--until is before --since")
    catalog = open_catalog(catalog_path)
    path = db or default_log()
    log = open_log(db)
    queue, rated = open_handoff_store(path), open_rating_store(path)
    try:
        return mine(
            log,
            catalog,
            epoch(since),
            epoch(until, 1),
            min_shoppers,
            tolerance,
            include_traffic=frozenset(include_traffic),
            handoffs=queue,
            ratings=StoreRatings(rated),
        )
    finally:
        rated.close()
        queue.close_db()
        log.close()


def empty_note(result: MiningResult, db: Path | None) -> str:
    """What to do when the window holds no turns at all."""
    path = db or default_log()
    with open_log(db) as log:
        latest = log.recent(1)
        first = next(iter(log.iter_turns()), None)
    if latest and first:
        return (
            f"No turns in this window; the log at {path} holds turns from "
            f"{epoch_day(first['ts'])} to {epoch_day(latest[-1]['ts'])}."
        )
    from advisor.settings import current

    return (
        f"The turn log at {path} holds no conversations yet: they appear as shoppers chat "
        "(advisor run, then the chat at /). To see what these commands show, make sample data "
        f"in a log of its own: `advisor simulate` (writes {current().sample_log}), then "
        f"`advisor needs --db {current().sample_log}`."
    )


def epoch_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


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
def needs_cmd(
    db, since, until, catalog_path, min_shoppers, tolerance, include_traffic, top, as_json,
    as_csv, out,
):  # fmt: skip
    """Headline figures beside the previous window, then what shoppers asked for and could not
    get: need combinations no product meets and features the catalog has no attribute for, with
    the brand exposure audit and its flags explained.

    Example: advisor needs --since 2026-01-01 --until 2026-01-31 --csv --out needs.csv
    """
    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    result = run_mining(db, since, until, catalog_path, min_shoppers, tolerance, include_traffic)
    note = empty_note(result, db) if not result.turns else ""
    if as_json:
        data = result.to_dict()
        if note:
            data["note"] = note
        emit(json.dumps(data, indent=2), out)
    elif as_csv:
        click.echo(result.formula, err=True)
        if note:
            click.echo(note, err=True)
        emit(render_csv(result), out)
    else:
        emit(render_table(result, top) + (f"\n\n{note}" if note else ""), out)


@click.command("report")
@mining_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (default: report.html next to the turn log).",
)
@click.option(
    "--concept",
    "concept_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Also test this CONCEPT.yml (default: the top need cluster's smallest change).",
)
def report_cmd(
    db, since, until, catalog_path, min_shoppers, tolerance, include_traffic, out, concept_files
):  # fmt: skip
    """Write a self-contained HTML report: the headline figures beside the previous window,
    ranked opportunities with quotes and nearest products, a bar chart, a weekly trend chart,
    the need clusters with their smallest changes, a concept test (of the given concepts, else of
    the top cluster's smallest change) and the brand exposure audit with its flags explained.

    Example: advisor report --since 2026-01-01 --out data/report.html
    """
    from analysis.concept_view import clusters_and_concepts
    from analysis.report import render_report

    result = run_mining(db, since, until, catalog_path, min_shoppers, tolerance, include_traffic)
    where = db or default_log()
    out = out or (where.parent if isinstance(where, Path) else current_data_dir()) / "report.html"
    clusters = concepts = None
    if result.turns:
        from advisor.concept_commands import build_concepts

        catalog = open_catalog(catalog_path)
        given = build_concepts(catalog, concept_files, None, (), None) if concept_files else []
        with open_log(db) as log:
            clusters, concepts = clusters_and_concepts(
                log, catalog, epoch(since), epoch(until, 1), given, result.min_shoppers
            )
    note = empty_note(result, db) if not result.turns else ""
    emit(render_report(result, note=note, clusters=clusters, concepts=concepts), out)


def current_data_dir() -> Path:
    from advisor.settings import current

    return current().data_dir


def sample_target(db: Path | None) -> Path:
    """Where `advisor simulate` may write: never the real turn log, nor any log of real turns."""
    from advisor.settings import current

    path = Path(db) if db else current().sample_log
    real = default_path()
    if path.resolve() == real.resolve():
        raise click.ClickException(
            f"{path} is the real turn log ({PATH_ENV} or data/turns.db): sample data goes to a "
            f"log of its own (default {current().sample_log}), never mixed with shoppers'."
        )
    if path.exists():
        with open_turn_store(path) as log:
            real_turns = next(iter(log.recent(1)), None) is not None and not log.is_sample()
        if real_turns:
            raise click.ClickException(
                f"{path} holds conversations that are not sample data; choose another --db."
            )
    return path


@click.command("simulate")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Log to fill with sample data (default: sample-turns.db in the data folder; never the "
    "real turn log).",
)
@CATALOG_OPTION
@click.option("--conversations", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--turns", type=click.IntRange(1), help="Stop after this many turns instead.")
@click.option("--seed", default=7, show_default=True)
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(1))
@click.option(
    "--segments",
    is_flag=True,
    help="Also plant segments: similar unmet needs one change to one product would serve "
    "(for trying `advisor clusters` and `advisor concept`).",
)
def simulate_cmd(db, catalog_path, conversations, turns, seed, weeks, segments):
    """Fill a log of its own with sample data: planted unmet needs and feature requests among
    satisfied shoppers and noise, handoffs and ratings (for trying `advisor needs`, `advisor
    report` and /insights?data=sample). The log is marked as sample data.

    Example: advisor simulate --conversations 5000 --segments
    """
    from ops.scenario import VEHICLE_SEGMENTS
    from ops.simulate import simulate

    path = sample_target(db)
    catalog = open_catalog(catalog_path)
    with (
        open_turn_store(path) as log,
        open_handoff_store(path) as queue,
        open_rating_store(path) as ratings,
    ):
        log.mark_sample()
        truth = simulate(
            log, catalog, None if turns else conversations, turns, seed=seed, weeks=weeks,
            queue=queue, ratings=ratings, planted_segments=VEHICLE_SEGMENTS if segments else (),
        )  # fmt: skip
    click.echo(f"Wrote {truth.turns:,} turns of {truth.conversations:,} conversations to {path}")
    for label, n in sorted(truth.planted_needs.items()):
        click.echo(f"  planted unmet need: {label} ({n} shoppers)")
    for phrase, n in sorted(truth.planted_features.items()):
        click.echo(f"  planted feature: {phrase} ({n} shoppers)")
    for label, n in sorted(truth.planted_segments.items()):
        click.echo(f"  planted segment: {label} ({n} shoppers)")
    click.echo(f"{SAMPLE_NOTE}\nTry: advisor needs --db {path}   (or /insights?data=sample)")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _generate(path: str, turns: int, seed: int) -> None:
    from ops.simulate import simulate

    with TurnLog(path) as log:
        simulate(log, get_catalog(), conversations=None, turns=turns, seed=seed)


def _measure(log: TurnStore, catalog: Catalog) -> dict:
    """A plain streaming read of every turn, then the miners over the same turns."""
    started = time.perf_counter()
    rows = sum(1 for _ in log.iter_turns())
    baseline = time.perf_counter() - started
    before = _peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = mine(log, catalog)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "turns": rows,
        "baseline_seconds": round(baseline, 2),
        "baseline_turns_per_second": round(rows / baseline) if baseline else 0,
        "mining_seconds": round(wall, 2),
        "mining_cpu_seconds": round(cpu, 2),
        "mining_turns_per_second": round(rows / wall) if wall else 0,
        "peak_rss_mb": round(_peak_rss_mb()),
        "rss_before_mining_mb": round(before),
        "opportunities": len(result.opportunities),
        "profiles_checked": result.profiles_checked,
        "shoppers": result.shoppers,
    }


def bench_mining(
    turns: int = 1_000_000, db: Path | None = None, seed: int = 7, database: str | None = None
) -> dict:
    """Mine `turns` simulated turns and print turns/s, wall time and peak RSS, against a baseline
    measured in the same run: a plain streaming read of the same rows (TurnLog.iter_turns).

    The log is generated in a child process (so its memory is not counted) unless `db` exists.
    With `database` (postgresql://...) the same turns are also copied into a fresh schema there
    (stores.copy), mined from PostgreSQL beside the SQLite figure, and the schema dropped.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "bench.db"
        from ops.bench_logs import generate_in_child

        generate_in_child(path, turns, seed, _generate)
        catalog = get_catalog()
        with TurnLog(path) as log:
            figures = _measure(log, catalog)
        _print_bench("SQLite", figures)
        if database:
            figures = {"sqlite": figures, "postgresql": _bench_postgres(path, database, catalog)}
    return figures


def _bench_postgres(path: Path, database: str, catalog: Catalog) -> dict:
    from ops.bench_logs import postgres_copy

    with postgres_copy(path, database, "bench_mining") as target, open_turn_store(target) as log:
        figures = _measure(log, catalog)
    _print_bench("PostgreSQL (server-side cursor)", figures)
    return figures


def _print_bench(where: str, figures: dict) -> None:
    rows, baseline, wall = figures["turns"], figures["baseline_seconds"], figures["mining_seconds"]
    peak = figures["peak_rss_mb"]
    ok = wall < BENCH_TARGET_SECONDS and peak < BENCH_TARGET_MB
    click.echo(
        f"[{where}] turns: {rows:,} ({figures['shoppers']:,} conversations)\n"
        f"baseline, plain streaming read: {baseline:.1f} s, {figures['baseline_turns_per_second']:,} turns/s\n"
        f"mining (unmet needs + features + exposure): {wall:.1f} s, "
        f"{figures['mining_turns_per_second']:,} turns/s ({wall / max(baseline, 1e-9):.1f}x the plain read; "
        f"CPU {figures['mining_cpu_seconds']:.1f} s)\n"
        f"distinct need profiles checked: {figures['profiles_checked']:,}; "
        f"opportunities: {figures['opportunities']}\n"
        f"peak RSS: {peak:.0f} MB (before mining: {figures['rss_before_mining_mb']:.0f} MB)\n"
        f"target: mining < {BENCH_TARGET_SECONDS} s and peak RSS < {BENCH_TARGET_MB} MB: "
        + ("PASS" if ok else "FAIL")
    )


@click.command("bench-mining")
@click.option("--turns", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reuse this log if it exists (else generate into it); default: a temporary file.",
)
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--database",
    default=None,
    help="Also mine the same turns from PostgreSQL (postgresql://host/db; a fresh schema there, "
    "dropped afterwards), beside the SQLite figure.",
)
def bench_mining_cmd(turns, db, seed, database):
    """Benchmark the miners on a simulated log (not a test): turns/s, wall time, peak RSS.

    Example: advisor bench-mining --turns 1000000 --database postgresql://postgres@127.0.0.1/test
    """
    bench_mining(turns, db, seed, database)


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
