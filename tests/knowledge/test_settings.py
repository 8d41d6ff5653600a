"""Settings: every path from the environment or a default relative to the working directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor import settings


def test_defaults_are_relative_to_the_working_directory():
    current = settings.Settings.from_env({})
    assert current.turn_log == Path("data/turns.db")
    assert current.tracker_store == Path("data/trackers.db")
    assert current.model_dir == Path("models")
    assert current.secrets_file == Path(".secrets")
    assert current.log_dir == Path("data/logs")
    assert current.rasa_url == "http://127.0.0.1:5005"


def test_the_data_folder_moves_every_store_with_it():
    current = settings.Settings.from_env({"ADVISOR_DATA_DIR": "/var/lib/advisor"})
    assert current.turn_log == Path("/var/lib/advisor/turns.db")
    assert current.tracker_store == Path("/var/lib/advisor/trackers.db")


def test_an_explicit_path_wins_over_the_data_folder():
    env = {"ADVISOR_DATA_DIR": "/srv", "ADVISOR_TURN_LOG": "/tmp/log.db"}
    assert settings.Settings.from_env(env).turn_log == Path("/tmp/log.db")


def test_every_setting_the_code_reads_is_documented():
    documented = {variable for variable, _, _ in settings.VARIABLES}
    root = Path(settings.__file__).resolve().parents[1]
    packages = (
        "actions",
        "advisor",
        "analysis",
        "knowledge",
        "ops",
        "rasa_plugins",
        "stores",
        "web",
    )
    used = {
        name
        for package in packages
        for file in (root / package).rglob("*.py")
        for name in re.findall(r"[\"'](ADVISOR_[A-Z_]+)[\"']", file.read_text())
    }
    assert "ADVISOR_TURN_LOG" in used and "ADVISOR_ACTION_TIMEOUT" in used
    assert sorted(used - documented) == []


def test_a_secret_is_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("ADVISOR_STAFF_TOKEN", raising=False)
    path = tmp_path / "state" / ".secrets"
    first = settings.secret("STAFF_TOKEN", "ADVISOR_STAFF_TOKEN", path)
    assert settings.secret("STAFF_TOKEN", "ADVISOR_STAFF_TOKEN", path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("ADVISOR_STAFF_TOKEN", "from-env")
    assert settings.secret("STAFF_TOKEN", "ADVISOR_STAFF_TOKEN", path) == "from-env"


def test_the_rasa_project_is_found_in_a_checkout():
    assert (settings.project_dir() / "config.yml").is_file()
    assert (settings.project_dir() / "bot" / "domain" / "core.yml").is_file()


def test_importing_settings_touches_no_file(tmp_path, monkeypatch):
    import importlib

    monkeypatch.chdir(tmp_path)
    importlib.reload(settings)
    assert list(tmp_path.iterdir()) == []


def test_the_abandon_time_and_canned_replies_come_from_the_environment(tmp_path):
    current = settings.Settings.from_env({})
    assert current.abandon_hours == 24.0
    assert current.canned_replies == settings.shipped_canned_replies()
    assert current.canned_replies.is_file()
    env = {"ADVISOR_ABANDON_AFTER_HOURS": "0.5", "ADVISOR_CANNED_REPLIES": str(tmp_path / "c.yml")}
    current = settings.Settings.from_env(env)
    assert current.abandon_hours == 0.5 and current.canned_replies == tmp_path / "c.yml"


@pytest.mark.parametrize("value", ["soon", "0", "-3", "inf", "nan"])
def test_an_abandon_time_that_is_not_a_positive_number_is_an_error(value):
    with pytest.raises(ValueError, match=r"\$ADVISOR_ABANDON_AFTER_HOURS must be a positive"):
        settings.Settings.from_env({"ADVISOR_ABANDON_AFTER_HOURS": value})


def test_the_feature_meaning_setting_is_one_of_three():
    assert settings.Settings.from_env({}).feature_meaning == "auto"
    env = {"ADVISOR_FEATURE_MEANING": " NGrams "}
    assert settings.Settings.from_env(env).feature_meaning == "ngrams"
    with pytest.raises(ValueError, match="ADVISOR_FEATURE_MEANING must be one of auto"):
        settings.Settings.from_env({"ADVISOR_FEATURE_MEANING": "bert"})
