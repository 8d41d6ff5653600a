"""A hand-broken catalog at start-up: `advisor run` refuses to start, prints every problem with its
file, product and field, and starts no server (the bot never runs on half a catalog)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from knowledge.loader import DEFAULT_CATALOG, validate
from ops.stack import ROOT, answers, free_port, rasa_env

pytestmark = pytest.mark.e2e


def broken_copy(folder: Path) -> tuple[Path, list[tuple[str, str | None, str | None, str]]]:
    """A copy of the default catalog with five problems in four files; returns the copy and the
    expected problems as (file name, product id, field, error code)."""
    catalog = folder / "catalog"
    shutil.copytree(DEFAULT_CATALOG, catalog)
    products = catalog / "products"
    expected = []

    def edit(name: str, change) -> None:
        path = products / name
        data = yaml.safe_load(path.read_text())
        change(data["products"])
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    def ford(rows):
        rows[0]["values"]["seats"] = 12
        expected.append(("ford.yml", rows[0]["id"], "values.seats", "E106"))
        rows[1]["values"]["powertrain"] = "steam"
        expected.append(("ford.yml", rows[1]["id"], "values.powertrain", "E108"))

    def honda(rows):
        rows[0]["as_of"] = "June 2025"
        expected.append(("honda.yml", rows[0]["id"], "as_of", "E109"))

    def tesla(rows):
        rows[-1]["colour"] = "red"
        expected.append(("tesla.yml", rows[-1]["id"], "colour", "E110"))

    edit("ford.yml", ford)
    edit("honda.yml", honda)
    edit("tesla.yml", tesla)
    # A corrupt file: cut off in the middle of a flow mapping.
    kia = products / "kia.yml"
    kia.write_text(kia.read_text()[:400] + "\n  - {id: kia-broken, values: {seats: [7,\n")
    expected.append(("kia.yml", None, None, "E100"))
    return catalog, expected


def assert_every_problem_is_printed(output: str, expected) -> None:
    for file, product, field, code in expected:
        line = next((x for x in output.splitlines() if f"products/{file}" in x and code in x), None)
        assert line is not None, f"{code} in {file} not printed:\n{output}"
        if product:
            assert f"product '{product}', field '{field}'" in line, line


def test_advisor_run_refuses_a_broken_catalog(tmp_path):
    catalog, expected = broken_copy(tmp_path)
    problems = validate(catalog).problems
    assert len(problems) == len(expected)
    ports = [free_port(), free_port(), free_port()]
    env = rasa_env({"ADVISOR_CATALOG": str(catalog)})
    done = subprocess.run(
        [sys.executable, "-c", "from advisor.cli import main; main()", "run"]
        + ["--port", str(ports[0]), "--rasa-port", str(ports[1]), "--action-port", str(ports[2])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert_every_problem_is_printed(done.stderr, expected)
    assert f"Refusing to start: {len(problems)} catalog problem(s)" in done.stderr
    assert "Model" not in done.stdout and "Training" not in done.stdout  # not even trained
    assert not any(answers(f"http://127.0.0.1:{port}/") for port in ports)


def test_advisor_run_starts_nothing_on_a_broken_catalog(tmp_path, monkeypatch):
    import ops.stack
    from advisor.cli import cli

    catalog, expected = broken_copy(tmp_path)
    calls = []
    monkeypatch.setattr(ops.stack, "ensure_model", lambda *a, **k: calls.append("train"))
    monkeypatch.setattr(ops.stack.Stack, "start", lambda *a, **k: calls.append("start"))
    result = CliRunner().invoke(cli, ["run"], env={"ADVISOR_CATALOG": str(catalog)})
    assert result.exit_code == 1, result.output
    assert calls == []
    assert_every_problem_is_printed(result.stderr, expected)
    assert os.environ.get("ADVISOR_CATALOG") != str(catalog)
