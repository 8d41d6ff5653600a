"""`advisor bench-needs`: how long `advisor needs` takes on a small log, as a product manager runs it.

Each run is a fresh process (`python -m advisor.cli needs --db LOG`), timed from start to exit, on
a simulated log of `--turns` turns (1,000 by default) made once in a temporary folder. Printed
beside baselines measured in the same run, on the same machine, so a slow machine shows as slow
baselines rather than a slow command:

- the interpreter alone (`python -c pass`);
- the command's start-up alone (`advisor needs --help`: the same imports, no work);
- the same mining inside one process (analysis.opportunities.mine, catalog already loaded);
- `advisor needs` with feature requests compared by character n-grams only
  (ADVISOR_FEATURE_MEANING=ngrams), to show what the sentence model costs.

The first `needs` run validates the catalog and writes its cache (knowledge.catalog_cache); the
runs after it read the cache, as every later run on the machine does. The target is the median of
those later runs: under TARGET_SECONDS. The CPU time of each run and the machine's load average
are printed too: on a machine other work keeps busy, wall time grows with the load while CPU time
does not.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

TARGET_SECONDS = 1.0
RUNS = 5


CPU: list[float] = []  # CPU seconds (user + system) of each timed child, in order


def _timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run of `command`; its CPU seconds go to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def bench_needs(turns: int = 1000, runs: int = RUNS, seed: int = 7) -> dict:
    from advisor.settings import code_dir
    from analysis.feature_meaning import describe, uses_sentences
    from analysis.opportunities import mine
    from knowledge.loader import get_catalog
    from ops.simulate import simulate
    from stores.support_queue import SupportQueue
    from stores.turnlog import TurnLog

    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "bench-needs.db"
        catalog = get_catalog()
        with TurnLog(log_path) as log, SupportQueue(log_path) as queue:
            truth = simulate(log, catalog, conversations=None, turns=turns, seed=seed, queue=queue)
        env = dict(os.environ, ADVISOR_DATA_DIR=str(Path(tmp) / "data"))
        # An ordinary shell keeps Python's compiled modules; a session that sets
        # PYTHONDONTWRITEBYTECODE makes every run compile the project from source again.
        no_bytecode = env.pop("PYTHONDONTWRITEBYTECODE", None) is not None
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_dir()), env.get("PYTHONPATH")]))
        python = [sys.executable]
        interpreter = statistics.median(_timed([*python, "-c", "pass"], env) for _ in range(runs))
        cli = statistics.median(
            _timed([*python, "-m", "advisor.cli", "needs", "--help"], env) for _ in range(runs)
        )
        needs = [*python, "-m", "advisor.cli", "needs", "--db", str(log_path)]
        load = os.getloadavg()[0]
        cold = _timed(needs, env)
        CPU.clear()
        warm = [_timed(needs, env) for _ in range(runs)]
        cpu = statistics.median(CPU)
        ngrams_env = dict(env, ADVISOR_FEATURE_MEANING="ngrams")
        ngrams = statistics.median(_timed(needs, ngrams_env) for _ in range(runs))
        with TurnLog(log_path) as log, SupportQueue(log_path) as queue:
            started = time.perf_counter()
            result = mine(log, catalog, handoffs=queue)
            in_process = time.perf_counter() - started
    median = statistics.median(warm)
    meaning = describe(glossary=len(catalog.category.feature_glossary))
    grouping = bench_grouping(catalog) if uses_sentences() else None
    figures = {
        "turns": truth.turns,
        "conversations": truth.conversations,
        "interpreter_seconds": round(interpreter, 3),
        "cli_start_seconds": round(cli, 3),
        "mining_in_process_seconds": round(in_process, 3),
        "needs_first_run_seconds": round(cold, 3),
        "needs_seconds_median": round(median, 3),
        "needs_seconds_max": round(max(warm), 3),
        "needs_cpu_seconds_median": round(cpu, 3),
        "feature_meaning": meaning,
        "grouping": grouping,
        "needs_ngrams_only_seconds_median": round(ngrams, 3),
        "load_average": round(load, 2),
        "cores": os.cpu_count(),
        "opportunities": len(result.opportunities),
        "target_seconds": TARGET_SECONDS,
        "pass": median < TARGET_SECONDS,
        "removed_PYTHONDONTWRITEBYTECODE": no_bytecode,
    }
    if no_bytecode:
        click.echo("(PYTHONDONTWRITEBYTECODE was set: the runs leave it out, as an ordinary shell)")
    click.echo(
        f"log: {truth.turns:,} simulated turns, {truth.conversations:,} conversations\n"
        f"baseline, python -c pass: {interpreter:.2f} s\n"
        f"baseline, advisor needs --help (start-up, its imports): {cli:.2f} s\n"
        f"baseline, the same mining in one process: {in_process:.2f} s "
        f"({len(result.opportunities)} opportunities)\n"
        f"advisor needs, first run (validates the catalog, writes its cache): {cold:.2f} s\n"
        f"advisor needs, next {runs} runs: median {median:.2f} s, max {max(warm):.2f} s "
        f"({median - cli:.2f} s beyond start-up); CPU {cpu:.2f} s a run\n"
        f"  feature requests compared by: {meaning}\n"
        f"advisor needs with ADVISOR_FEATURE_MEANING=ngrams: median {ngrams:.2f} s "
        f"(the runs above take x{median / ngrams:.2f} its time)\n"
        + (
            f"grouping {grouping['phrases']:,} distinct feature phrases: "
            f"{grouping['first_seconds']:.2f} s the first time (encoding them), "
            f"{grouping['again_seconds']:.2f} s in a new process (vectors read from the cache), "
            f"{grouping['ngrams_seconds']:.2f} s with the n-grams only\n"
            if grouping
            else ""
        )
        + f"machine: {os.cpu_count()} cores, load average {load:.1f} when the runs began\n"
        f"target: median under {TARGET_SECONDS:.0f} s: " + ("PASS" if figures["pass"] else "FAIL")
    )
    return figures


GROUPED = 2000  # distinct phrases the grouping benchmark groups


def bench_grouping(catalog) -> dict:
    """Grouping GROUPED distinct phrases ('a ' before each of the glossary's wordings, or the
    vocabulary's): the first time, with every vector encoded; as a new process would, with the
    vectors read back from the cache file; and with the character n-grams only. The cache is a
    temporary folder's, so the figures do not depend on earlier runs."""
    from analysis import sentence_vectors
    from analysis.feature_meaning import FeatureMeaning

    category = catalog.category
    words = [w for says in category.feature_glossary.values() for w in says]
    words = words or [w for says in category.feature_words.values() for w in says]
    phrases = [f"a {w}" for w in words][:GROUPED]
    real_folder, real_cache = sentence_vectors._cache_folder, sentence_vectors.cache
    with tempfile.TemporaryDirectory() as tmp:
        sentence_vectors._cache_folder = lambda: Path(tmp)
        try:
            times = []
            for _ in range(2):
                sentence_vectors.cache = sentence_vectors._Cache()
                meaning = FeatureMeaning(
                    category.feature_words, sentences=True, glossary=category.feature_glossary
                )
                started = time.perf_counter()
                meaning.group(phrases)
                times.append(time.perf_counter() - started)
        finally:
            sentence_vectors._cache_folder, sentence_vectors.cache = real_folder, real_cache
    started = time.perf_counter()
    FeatureMeaning(category.feature_words, sentences=False).group(phrases)
    ngrams = time.perf_counter() - started
    return {
        "phrases": len(phrases),
        "first_seconds": round(times[0], 3),
        "again_seconds": round(times[1], 3),
        "ngrams_seconds": round(ngrams, 3),
    }


@click.command("bench-needs")
@click.option("--turns", default=1000, show_default=True, type=click.IntRange(1))
@click.option("--runs", default=RUNS, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=7, show_default=True)
def bench_needs_cmd(turns: int, runs: int, seed: int) -> None:
    """Benchmark `advisor needs` end to end on a simulated log (not a test): wall time of fresh
    processes against the interpreter, the command line's start-up and in-process mining.

    Example: advisor bench-needs --turns 1000
    """
    bench_needs(turns, runs, seed)
