"""An installed wheel carries the Rasa project, the catalogs and the web files, and works outside
the checkout: a new virtual environment that sees the dependencies but not the checkout."""

from __future__ import annotations

import os
import re
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ops.stack import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
         "-w", str(out)],
        check=True, cwd=out,
    )  # fmt: skip
    (built,) = out.glob("fair_advisor-*.whl")
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
    for name in ("config.yml", "bot/domain.yml", "bot/endpoints.yml", "bot/credentials.yml",
                 "bot/data/nlu.yml", "bot/data/rules.yml", "bot/data/stories.yml"):  # fmt: skip
        assert share + name in names
    assert "knowledge/catalogs/vehicles/category.yml" in names
    assert "web/static/index.html" in names and "rasa_plugins/launch.py" in names


def test_the_installed_advisor_finds_its_project_outside_the_checkout(installed, tmp_path):
    shown = run(installed, "advisor", "settings", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    project = installed / "share" / "fair-advisor"
    assert f"project_dir    {project}" in shown.stdout
    assert str(ROOT) not in shown.stdout
    checked = run(installed, "advisor", "kb", "validate", cwd=tmp_path)
    assert checked.returncode == 0 and re.match(r"OK: .+: \d+ vehicles", checked.stdout), checked.stderr
    assert not list(tmp_path.iterdir())  # it wrote nothing


def test_the_installed_rasa_project_validates(installed):
    project = installed / "share" / "fair-advisor"
    checked = run(
        installed, "python", "-m", "rasa_plugins", "data", "validate", "--domain",
        "bot/domain.yml", "--data", "bot/data", "--config", "config.yml", cwd=project,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
