"""An installed wheel carries the Rasa project, the catalogs, the templates and the web files, and
works outside the checkout: in a new virtual environment that sees the dependencies but not the
checkout, and unpacked on a bare PYTHONPATH."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ops.stack import ROOT

pytestmark = pytest.mark.e2e

PACKAGES = ("actions", "advisor", "analysis", "knowledge", "ops", "rasa_plugins", "stores", "web")
PROJECT_FILES = ("pyproject.toml", "README.md", "config.yml", "bot")
RENDER_FROM_THE_WHEEL = """
import web, analysis
from analysis.opportunities import MiningResult
from analysis.report import render_report
from knowledge.loader import get_catalog
from web import pages
from web.welcome import chat_page
print(web.__file__)
print(analysis.__file__)
print(chat_page(get_catalog(), "http://rasa.example"))
print(pages.render("login.html", reason="<b>r</b>", next="/support", first_start=True))
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


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """A venv with the wheel installed and the dependencies of this one on its path."""
    venv = tmp_path_factory.mktemp("venv")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = next(venv.glob("lib/python3.*/site-packages"))
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--no-deps", str(wheel)],
        check=True,
    )  # fmt: skip
    return venv


def run(venv: Path, *command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "ADVISOR_PROJECT_DIR"}}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return subprocess.run(
        [str(venv / "bin" / command[0]), *command[1:]],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_wheel_holds_the_rasa_project_and_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    share = "fair_advisor-0.1.0.data/data/share/fair-advisor/"
    for name in ("config.yml", "bot/domain/core.yml", "bot/domain/needs.yml", "bot/endpoints.yml", "bot/credentials.yml",
                 "bot/data/nlu.yml", "bot/data/rules.yml", "bot/data/stories.yml"):  # fmt: skip
        assert share + name in names
    assert "knowledge/catalogs/vehicles/category.yml" in names
    assert "web/templates/chat.html" in names and "rasa_plugins/launch.py" in names
    assert "web/canned_replies.yml" in names, "the support console's canned replies"


def test_the_installed_advisor_finds_its_project_outside_the_checkout(installed, tmp_path):
    shown = run(installed, "advisor", "settings", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    project = installed / "share" / "fair-advisor"
    assert f"project_dir    {project}" in shown.stdout
    assert str(ROOT) not in shown.stdout
    checked = run(installed, "advisor", "kb", "validate", cwd=tmp_path)
    assert checked.returncode == 0 and re.match(r"OK: .+: \d+ vehicles", checked.stdout), (
        checked.stderr
    )
    assert not list(tmp_path.iterdir())  # it wrote nothing


def test_the_installed_rasa_project_validates(installed):
    project = installed / "share" / "fair-advisor"
    checked = run(
        installed, "python", "-m", "rasa_plugins", "data", "validate", "--domain",
        "bot/domain", "--data", "bot/data", "--config", "config.yml", cwd=project,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]


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
    assert "How we rank" in done.stdout and "Suggested starts" in done.stdout
    assert "&lt;b&gt;r&lt;/b&gt;" in done.stdout and "<b>r</b>" not in done.stdout
    assert "Support console" in done.stdout
    assert "What shoppers could not get" in done.stdout
