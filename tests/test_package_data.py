"""The wheel carries the Jinja2 templates (pyproject.toml [tool.setuptools.package-data]), and an
installed copy of the packages finds and renders them: the pages and the report work outside a
checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ops.stack import ROOT

PACKAGES = ("actions", "advisor", "analysis", "knowledge", "ops", "rasa_plugins", "stores", "web")
PROJECT_FILES = ("pyproject.toml", "README.md", "config.yml", "bot")
RENDER_FROM_THE_WHEEL = """
import web, analysis
from analysis.opportunities import MiningResult
from analysis.report import render_report
from web import pages
print(web.__file__)
print(analysis.__file__)
print(pages.render("chat.html", socket_url="http://rasa.example"))
print(pages.render("login.html", reason="<b>r</b>", next="/support"))
print(pages.render("support.html"))
print(render_report(MiningResult((), (), 0.1, 0, 0, 0, None, None, (), 3)))
"""


def templates_in_the_tree() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in ("web", "analysis")
        for path in (ROOT / package / "templates").iterdir()
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built (without network or build isolation) from a copy of the working tree."""
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGES + PROJECT_FILES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--quiet", "--wheel-dir", str(out), str(source)]
    subprocess.run(command, check=True, cwd=source, capture_output=True, timeout=300)
    [built] = out.glob("fair_advisor-*.whl")
    return built


def test_the_wheel_holds_every_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = templates_in_the_tree()
    assert "web/templates/chat.html" in expected and "analysis/templates/report.html" in expected
    assert [name for name in expected if name not in names] == []
    assert "web/static/chat.js" in names


def test_an_installed_copy_renders_the_pages_and_the_report(wheel: Path, tmp_path: Path) -> None:
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    environment = {**os.environ, "PYTHONPATH": str(installed), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", RENDER_FROM_THE_WHEEL],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    web_file, analysis_file, *_ = done.stdout.splitlines()
    assert web_file.startswith(str(installed)) and analysis_file.startswith(str(installed))
    assert 'content="http://rasa.example"' in done.stdout
    assert "&lt;b&gt;r&lt;/b&gt;" in done.stdout and "<b>r</b>" not in done.stdout
    assert "Support console" in done.stdout
    assert "What shoppers could not get" in done.stdout
