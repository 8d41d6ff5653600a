"""`advisor needs`, `simulate` and `bench-mining` on real SQLite files, through click."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from advisor.mining_commands import (
    bench_mining,
    bench_mining_cmd,
    needs_cmd,
    report_cmd,
    simulate_cmd,
)
from analysis.opportunities import SCORE_FORMULA
from stores.turnlog import TurnLog


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "turns.db"
    result = CliRunner().invoke(simulate_cmd, ["--db", str(path), "--conversations", "600"])
    assert result.exit_code == 0, result.output
    assert "planted unmet need: pickup + electric + under $45k" in result.output
    return path


def run(command, *args: str) -> click.testing.Result:
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, (result.output, result.stderr)
    return result


def test_needs_prints_a_ranked_table_with_the_formula(db: Path) -> None:
    out = run(needs_cmd, "--db", str(db), "--top", "3").stdout
    assert SCORE_FORMULA in out
    assert "600 shoppers" in out
    assert len(re.findall(r"\d+ shoppers? x gap", out)) == 3
    assert "... and" in out and "Brand exposure (tolerance 10%)" in out


def test_needs_json_is_complete_and_ordered_by_score(db: Path) -> None:
    data = json.loads(run(needs_cmd, "--db", str(db), "--json").stdout)
    assert data["score_formula"] == SCORE_FORMULA
    ranked = data["opportunities"]
    assert [o["rank"] for o in ranked] == list(range(1, len(ranked) + 1))
    assert [o["score"] for o in ranked] == sorted((o["score"] for o in ranked), reverse=True)
    first = ranked[0]
    assert first["score_explained"].endswith(f"= {first['score']:.2f}")
    assert {"opportunity", "shoppers", "share", "gap", "weekly", "quotes", "nearest"} <= set(first)
    assert all(o["shoppers"] >= data["min_shoppers"] for o in ranked)
    assert {row["flag"] for row in data["exposure"]["brands"]} <= {
        "fair",
        "over-exposed",
        "under-exposed",
    }


def test_needs_csv_has_one_row_per_opportunity(db: Path) -> None:
    result = run(needs_cmd, "--db", str(db), "--csv", "--min-shoppers", "2")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    data = json.loads(run(needs_cmd, "--db", str(db), "--json", "--min-shoppers", "2").stdout)
    assert [r["opportunity"] for r in rows] == [o["opportunity"] for o in data["opportunities"]]
    assert rows[0]["score_explained"] and rows[0]["weekly"].startswith("2026-W02:")
    assert SCORE_FORMULA in result.stderr


def test_since_and_until_window_the_turns_by_utc_day(db: Path) -> None:
    args = ["--db", str(db), "--json", "--since", "2026-01-05", "--until", "2026-01-11"]
    data = json.loads(run(needs_cmd, *args).stdout)
    since = datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp()
    until = datetime(2026, 1, 12, tzinfo=timezone.utc).timestamp()
    with TurnLog(db) as log:
        expected = sum(1 for _ in log.iter_turns(since, until))
        total = sum(1 for _ in log.iter_turns())
    assert 0 < data["turns"] == expected < total
    assert data["weeks"] == ["2026-W02"]
    empty = json.loads(run(needs_cmd, "--db", str(db), "--json", "--since", "2030-01-01").stdout)
    assert empty["turns"] == 0 and empty["opportunities"] == [] and empty["window"] == "no turns"


def test_out_writes_a_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "needs.csv"
    result = run(needs_cmd, "--db", str(db), "--csv", "--out", str(out))
    assert out.read_text().startswith("rank,kind,opportunity,score,")
    assert f"Wrote {out}" in result.stderr


def test_mistakes_are_explained(tmp_path: Path, db: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(needs_cmd, ["--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "No turn log at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    backwards = runner.invoke(
        needs_cmd, ["--db", str(db), "--since", "2026-02-01", "--until", "2026-01-01"]
    )
    assert backwards.exit_code == 2 and "--until is before --since" in backwards.stderr
    both = runner.invoke(needs_cmd, ["--db", str(db), "--json", "--csv"])
    assert both.exit_code == 2


def test_the_benchmark_reports_speed_and_memory_against_a_plain_read(tmp_path: Path) -> None:
    figures = bench_mining(turns=1500, db=tmp_path / "bench.db")
    assert figures["turns"] == 1500
    assert figures["baseline_turns_per_second"] > 0 and figures["mining_turns_per_second"] > 0
    assert figures["peak_rss_mb"] >= figures["rss_before_mining_mb"] > 0
    out = run(bench_mining_cmd, "--turns", "1500", "--db", str(tmp_path / "bench.db")).stdout
    assert "plain streaming read" in out and "turns/s" in out and "peak RSS" in out


def test_the_mining_commands_are_attached_to_the_advisor_cli() -> None:
    from advisor.cli import cli

    assert {"needs", "report", "simulate", "bench-mining"} <= set(cli.all_commands())
    assert cli.all_commands()["report"] is report_cmd


def test_advisor_needs_imports_neither_spacy_nor_tensorflow(db: Path) -> None:
    """`import spacy` imports thinc, which imports TensorFlow: seconds, and CUDA warnings."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from advisor.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['needs', '--db', {str(db)!r}, '--min-shoppers', '1'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'feature' in result.output\n"
        "print(sorted(m for m in ('tensorflow', 'spacy', 'thinc', 'rasa') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert "tensorflow" not in done.stderr.lower()
