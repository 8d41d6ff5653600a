"""`advisor bench-concept`: how fast a concept test replays a large turn log, in how much memory.

A simulated log of `--turns` turns (1,000,000 by default, with the planted segments) is made in a
child process (so its memory is not counted), or reused with `--db`. Then, in this process and
beside a baseline measured in the same run (a plain streaming read of the same rows through
TurnStore.iter_turns, the iterator the replay reads), it times:

- the replay's pass over the log (analysis.concept_replay.read_shoppers: every conversation's
  last stated needs, deduplicated into distinct profiles), through the SQLite log's
  iter_stated_needs and, for comparison, through iter_turns (the path a store without it takes);
- the concept test of one concept with its sensitivity table (each variant a replay of the
  distinct profiles);
- the need clusters with their smallest changes.

Peak RSS is read from the kernel (ru_maxrss). The target: the concept test end to end (the pass
and the test with its sensitivity table) under TARGET_SECONDS, peak RSS under TARGET_MB.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import click

from ops.bench_logs import generate_in_child, postgres_copy

TARGET_SECONDS = 30
TARGET_MB = 1024
CONCEPT = {"from_product": "ford-maverick-2025", "set": {"towing_lb": 6500}}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(path: str, turns: int, seed: int) -> None:
    from knowledge.loader import get_catalog
    from ops.scenario import VEHICLE_SEGMENTS
    from ops.simulate import simulate
    from stores.turnlog import TurnLog

    with TurnLog(path) as log:
        simulate(log, get_catalog(), None, turns, seed=seed, planted_segments=VEHICLE_SEGMENTS)


class _IterTurnsOnly:
    """The log as a store without iter_stated_needs: the replay reads it through iter_turns."""

    def __init__(self, log) -> None:
        self.log = log

    def tagged_traffic(self) -> dict[str, str]:
        return self.log.tagged_traffic()

    def iter_turns(self, **window):
        return self.log.iter_turns(**window)


def bench_concept(turns: int = 1_000_000, db: Path | None = None, seed: int = 7) -> dict:
    from analysis.clusters import cluster_unmet
    from analysis.concept import make_concept
    from analysis.concept_replay import Replay, read_shoppers
    from analysis.concept_view import concept_test
    from knowledge.loader import get_catalog
    from stores.turnlog import TurnLog

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "bench-concept.db"
        generate_in_child(path, turns, seed, _generate)
        catalog = get_catalog()
        concept = make_concept(catalog, CONCEPT)
        with TurnLog(path) as log:
            started = time.perf_counter()
            rows = sum(1 for _ in log.iter_turns())
            baseline = time.perf_counter() - started
            before = _peak_mb()
            started = time.perf_counter()
            shoppers = read_shoppers(log)
            read = time.perf_counter() - started
            started = time.perf_counter()
            general = read_shoppers(_IterTurnsOnly(log))
            through_iter_turns = time.perf_counter() - started
            assert general.shoppers == shoppers.shoppers
            del general
            started = time.perf_counter()
            replay = Replay(catalog, shoppers)
            report = concept_test(log, catalog, [concept], replay=replay)
            tested = time.perf_counter() - started
            started = time.perf_counter()
            clusters = cluster_unmet(catalog, shoppers, replay.check, min_shoppers=10)
            clustered = time.perf_counter() - started
        peak = _peak_mb()
    total = read + tested
    result = report.results[0]
    figures = {
        "turns": rows,
        "shoppers": shoppers.shoppers,
        "distinct_profiles": len(shoppers.profiles),
        "baseline_seconds": round(baseline, 2),
        "replay_read_seconds": round(read, 2),
        "replay_read_through_iter_turns_seconds": round(through_iter_turns, 2),
        "concept_test_seconds": round(tested, 2),
        "sensitivity_variants": len(result.sensitivity),
        "concept_end_to_end_seconds": round(total, 2),
        "clusters_seconds": round(clustered, 2),
        "clusters": len(clusters),
        "peak_rss_mb": round(peak),
        "rss_before_replay_mb": round(before),
        "pass": total < TARGET_SECONDS and peak < TARGET_MB,
    }
    click.echo(
        f"turns: {rows:,} ({shoppers.shoppers:,} shoppers who stated needs, "
        f"{len(shoppers.profiles):,} distinct need profiles)\n"
        f"baseline, plain streaming read: {baseline:.1f} s\n"
        f"replay pass (last stated needs, deduplicated): {read:.1f} s "
        f"({read / baseline:.1f}x the plain read); through iter_turns, as a store without "
        f"the fast path is read: {through_iter_turns:.1f} s\n"
        f"concept test ({concept.name}) with {len(result.sensitivity)} sensitivity variants: "
        f"{tested:.1f} s; wins {result.figures['wins']:,}\n"
        f"need clusters (at least 10 shoppers) with their smallest changes: {clustered:.1f} s, "
        f"{len(clusters)} clusters\n"
        f"peak RSS: {peak:.0f} MB (before the replay: {before:.0f} MB)\n"
        f"target: concept test end to end ({total:.1f} s) < {TARGET_SECONDS} s and peak RSS < "
        f"{TARGET_MB} MB: " + ("PASS" if figures["pass"] else "FAIL")
    )
    return figures


def bench_concept_postgres(path: Path, database: str) -> dict:
    """The same log copied into a fresh PostgreSQL schema (dropped afterwards): the replay's pass
    (a server-side cursor through the PostgreSQL log's iter_stated_needs) and the concept test
    with its sensitivity table, beside a plain streaming read of the same rows there."""
    from analysis.concept import make_concept
    from analysis.concept_replay import Replay, read_shoppers
    from analysis.concept_view import concept_test
    from knowledge.loader import get_catalog
    from stores.shared import open_turn_store

    catalog = get_catalog()
    concept = make_concept(catalog, CONCEPT)
    with postgres_copy(path, database, "bench_concept") as target, open_turn_store(target) as log:
        started = time.perf_counter()
        rows = sum(1 for _ in log.iter_turns())
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        shoppers = read_shoppers(log)
        read = time.perf_counter() - started
        started = time.perf_counter()
        report = concept_test(log, catalog, [concept], replay=Replay(catalog, shoppers))
        tested = time.perf_counter() - started
    peak, total = _peak_mb(), read + tested
    figures = {
        "turns": rows,
        "shoppers": shoppers.shoppers,
        "baseline_seconds": round(baseline, 2),
        "replay_read_seconds": round(read, 2),
        "concept_test_seconds": round(tested, 2),
        "concept_end_to_end_seconds": round(total, 2),
        "wins": report.results[0].figures["wins"],
        "peak_rss_mb": round(peak),
        "pass": total < TARGET_SECONDS and peak < TARGET_MB,
    }
    click.echo(
        f"[PostgreSQL] turns: {rows:,}; plain streaming read: {baseline:.1f} s; replay pass: "
        f"{read:.1f} s ({read / max(baseline, 1e-9):.1f}x the plain read); concept test: "
        f"{tested:.1f} s; wins {figures['wins']:,}\n"
        f"[PostgreSQL] target: concept test end to end ({total:.1f} s) < {TARGET_SECONDS} s and "
        f"peak RSS ({peak:.0f} MB) < {TARGET_MB} MB: " + ("PASS" if figures["pass"] else "FAIL")
    )
    return figures


@click.command("bench-concept")
@click.option("--turns", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reuse this log if it exists (else generate into it); default: a temporary file.",
)
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--database",
    help="Also replay the same turns copied into a fresh schema of this PostgreSQL database "
    "(postgresql://...; the schema is dropped afterwards).",
)
def bench_concept_cmd(turns: int, db: Path | None, seed: int, database: str | None) -> None:
    """Benchmark the concept test's replay on a simulated log (not a test): its pass over the
    log, the test with its sensitivity table and the need clusters, against a plain read; with
    --database, on PostgreSQL too.

    Example: advisor bench-concept --turns 1000000 --database postgresql://postgres@127.0.0.1/test
    """
    if not database:
        bench_concept(turns, db, seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "bench-concept.db"
        bench_concept(turns, path, seed)
        bench_concept_postgres(path, database)
