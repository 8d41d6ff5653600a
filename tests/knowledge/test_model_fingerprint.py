"""The model fingerprint covers exactly what `rasa train` reads: a change there retrains, a change
to run-time settings or to the Rasa patches does not."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.stack import ROOT, model_fingerprint, model_inputs


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> tuple[Path, str]:
    """A copy of the project's model inputs and plugin code, and its fingerprint."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("config.yml", "bot", "knowledge", "rasa_plugins"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    return root, fingerprint(root)


@pytest.fixture
def checkout(copied, tmp_path, monkeypatch) -> Iterator[tuple[Path, str]]:
    """The copy and its unchanged fingerprint; files a test changes are put back afterwards, and a
    generated domain, if any, goes to a model folder of the test's own."""
    monkeypatch.setenv("ADVISOR_MODEL_DIR", str(tmp_path / "models"))
    root, _ = copied
    originals = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    yield copied
    for path, content in originals.items():
        if path.read_bytes() != content:
            path.write_bytes(content)


def fingerprint(root: Path) -> str:
    return model_fingerprint(root, str(root / "knowledge/catalogs/vehicles"), code_root=root)


def touch(file: Path) -> None:
    file.write_text(file.read_text() + "\n# changed\n")


def test_the_inputs_are_the_training_files_and_the_component_code():
    names = {
        f.relative_to(ROOT).as_posix() for f in model_inputs(code_root=ROOT) if f.suffix == ".py"
    }
    assert "rasa_plugins/catalog_entities.py" in names
    assert {"knowledge/lexicon.py", "knowledge/entities.py", "knowledge/loader.py"} <= names
    assert "rasa_plugins/speedups.py" not in names and "rasa_plugins/patches.py" not in names


@pytest.mark.parametrize(
    "changed",
    [
        "config.yml",
        "bot/domain/core.yml",
        "bot/data/nlu.yml",
        "knowledge/catalogs/vehicles/category.yml",
        "knowledge/lexicon.py",
        "knowledge/loader.py",
        "rasa_plugins/catalog_entities.py",
    ],
)
def test_a_change_to_what_training_reads_retrains(checkout, changed):
    root, before = checkout
    touch(root / changed)
    assert fingerprint(root) != before


@pytest.mark.parametrize(
    "changed",
    [
        "bot/endpoints.yml",
        "bot/credentials.yml",
        "rasa_plugins/speedups.py",
        "rasa_plugins/resilient_actions.py",
        "rasa_plugins/socket_channel.py",
        "knowledge/matching.py",
    ],
)
def test_a_change_to_run_time_code_or_settings_does_not_retrain(checkout, changed):
    root, before = checkout
    touch(root / changed)
    assert fingerprint(root) == before
