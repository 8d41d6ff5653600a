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

from advisor.log_commands import log as log_command
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


def test_needs_gives_headline_figures_beside_the_window_before(db: Path) -> None:
    out = run(needs_cmd, "--db", str(db), "--since", "2026-01-19", "--until", "2026-02-01").stdout
    assert "Headline figures (beside the window before, 2026-01-05 to 2026-01-18):" in out
    lines = {
        line.split("  ")[1].strip(): line for line in out.splitlines() if line.startswith("  ")
    }
    for label in ("Conversations", "Shoppers", "Messages per conversation",
                  "Reached a recommendation", "Compared models", "Heard that nothing fits",
                  "Handed to a person", "Messages not understood", "Median wait for a person",
                  "Median time to resolve a handoff", "Satisfaction (mean rating)"):  # fmt: skip
        assert label in lines, label
        assert "no earlier window" not in lines[label]
    assert re.search(r"Conversations +\d+ +[+-]\d+ \([+-]\d+%\)", out)
    assert re.search(r"Median wait for a person +(\d+ min )?\d+ s +[+-]", out)
    for ranked in ("Most asked-about models", "Most asked-about brands",
                   "Models asked for that the catalog lacks",
                   "Missing catalog figures that blocked the most matches"):  # fmt: skip
        line = next(line for line in out.splitlines() if line.startswith(f"  {ranked}"))
        assert "was" in line, line
    data = json.loads(run(needs_cmd, "--db", str(db), "--since", "2026-01-19", "--json").stdout)
    assert data["headline"]["previous"]["conversations"] > 0
    assert {f["key"] for f in data["headline"]["figures"]} >= {"satisfaction", "handoff_wait"}


def test_without_a_start_there_is_no_earlier_window(db: Path) -> None:
    out = run(needs_cmd, "--db", str(db)).stdout
    assert "no earlier window to compare with (give a start date to compare)" in out
    assert out.startswith("SAMPLE DATA: simulated conversations (advisor simulate)")


def test_the_minimum_shoppers_is_chosen_for_the_window_and_said(db: Path) -> None:
    data = json.loads(run(needs_cmd, "--db", str(db), "--json").stdout)
    assert data["min_shoppers_auto"] and data["min_shoppers"] == 3  # 600 shoppers
    assert "chosen for 600 shoppers" in data["min_shoppers_explained"]
    small = json.loads(
        run(needs_cmd, "--db", str(db), "--json", "--since", "2026-02-28").stdout
    )  # a couple of days: dozens of shoppers, still opportunities
    assert small["shoppers"] < 100 and small["min_shoppers"] < 3 and small["opportunities"]
    given = json.loads(run(needs_cmd, "--db", str(db), "--json", "--min-shoppers", "9").stdout)
    assert not given["min_shoppers_auto"] and given["hidden_opportunities"] > 0
    assert "a lower minimum shows them" in given["min_shoppers_explained"]


def test_an_empty_log_says_how_to_get_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    empty = tmp_path / "empty.db"
    TurnLog(empty).close()
    out = run(needs_cmd, "--db", str(empty)).stdout
    assert "holds no conversations yet" in out
    assert f"`advisor simulate` (writes {tmp_path / 'data' / 'sample-turns.db'})" in out
    window = run(needs_cmd, "--db", str(empty), "--json")
    assert "advisor simulate" in json.loads(window.stdout)["note"]


def test_simulate_writes_sample_data_apart_from_the_real_log(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    real = tmp_path / "data" / "turns.db"
    refused = CliRunner().invoke(simulate_cmd, ["--db", str(real), "--conversations", "5"])
    assert refused.exit_code == 1 and "is the real turn log" in refused.stderr
    with TurnLog(tmp_path / "shop.db") as log:
        log.write_turn({"conversation_id": "c1", "message_id": "m1", "text": "hi"})
    mixed = CliRunner().invoke(
        simulate_cmd, ["--db", str(tmp_path / "shop.db"), "--conversations", "5"]
    )
    assert mixed.exit_code == 1 and "not sample data" in mixed.stderr
    made = run(simulate_cmd, "--conversations", "40")
    sample = tmp_path / "data" / "sample-turns.db"
    assert f"to {sample}" in made.stdout and "SAMPLE DATA" in made.stdout
    with TurnLog(sample) as log:
        assert log.is_sample()
    again = run(simulate_cmd, "--conversations", "5", "--seed", "8")  # more sample data: fine
    assert again.exit_code == 0
    assert not real.exists()


def test_tagged_traffic_is_left_out_unless_included(tmp_path: Path, vehicles) -> None:
    path = tmp_path / "turns.db"
    wish = "I wish it had heated rear seats"
    with TurnLog(path) as log:
        log.write_turns(
            {"conversation_id": f"c{n}", "message_id": "m1", "text": wish} for n in range(5)
        )
    tagged = run(log_command, "tag", "c0", "c1", "--as", "staff", "--db", str(path))
    assert "Tagged 2 conversation(s) as staff traffic." in tagged.stdout
    run(log_command, "tag", "c2", "--as", "loadtest", "--db", str(path))
    data = json.loads(run(needs_cmd, "--db", str(path), "--json").stdout)
    assert data["shoppers"] == 2 and data["excluded_traffic"] == {"loadtest": 1, "staff": 2}
    assert data["opportunities"][0]["shoppers"] == 2
    out = run(needs_cmd, "--db", str(path)).stdout
    assert "Left out: conversations tagged as not real shoppers (1 load test, 2 staff)." in out
    both = ["--db", str(path), "--json", "--include-traffic", "staff"]
    assert json.loads(run(needs_cmd, *both).stdout)["shoppers"] == 4
    run(log_command, "tag", "c0", "--as", "shopper", "--db", str(path))
    assert json.loads(run(needs_cmd, "--db", str(path), "--json").stdout)["shoppers"] == 3
    unknown = CliRunner().invoke(
        log_command, ["tag", "c1", "zz", "--as", "test", "--db", str(path)]
    )
    assert unknown.exit_code == 1 and "No conversation 'zz'" in unknown.stderr
    with TurnLog(path) as log:
        assert log.tagged_traffic()["c1"] == "staff"  # nothing tagged by the refused command


def test_the_report_shows_the_headline_and_the_flags_explained(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run(
        report_cmd,
        "--db",
        str(db),
        "--since",
        "2026-01-19",
        "--until",
        "2026-02-01",
        "--out",
        str(out),
    )
    page = out.read_text(encoding="utf-8")
    assert '<table class="headline">' in page and "Satisfaction (mean rating)" in page
    assert "beside the window before, 2026-01-05 to 2026-01-18" in page
    assert "SAMPLE DATA" in page
    assert "Why brands are flagged" in page


def test_the_needs_benchmark_prints_its_figures_and_baselines() -> None:
    from ops.bench_needs import bench_needs_cmd

    out = run(bench_needs_cmd, "--turns", "150", "--runs", "1").stdout
    for text in ("python -c pass", "advisor needs --help", "in one process", "first run",
                 "median", "CPU", "load average", "target: median under 1 s"):  # fmt: skip
        assert text in out, text
