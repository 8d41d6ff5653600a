"""Every Rasa patch goes through one install point that refuses a Rasa version it was not written
for, and the launcher keeps the API token off the command line."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from rasa_plugins import launch, patches, resilient_actions, speedups


@pytest.fixture
def unpatched(monkeypatch):
    """Rasa's own functions, restored after the test whatever it installed."""
    monkeypatch.setattr(RemoteAction, "run", resilient_actions._ORIGINAL_RUN)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])


def test_the_installed_rasa_is_the_supported_version():
    assert patches.rasa_version().startswith(patches.SUPPORTED_RASA + ".")


def test_install_all_installs_every_patch(unpatched):
    names = patches.install_all()
    assert names == ["validator-once", "event-class-cache", "resilient-actions"]
    assert RemoteAction.run is resilient_actions.resilient_run
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert Event.resolve_by_type is speedups.resolve_by_type


def test_install_all_is_idempotent(unpatched):
    patches.install_all()
    patches.install_all()
    assert RemoteAction.run is resilient_actions.resilient_run


@pytest.mark.parametrize("version", ["3.7.0", "4.0.1", "3.5.15"])
def test_an_unexpected_rasa_version_is_refused_with_a_coded_error(unpatched, version):
    original_run = RemoteAction.run
    with pytest.raises(patches.UnsupportedRasaVersion) as refused:
        patches.install_all(version=version)
    message = str(refused.value)
    assert message.startswith("[E201]")
    assert f"Rasa {version} is installed" in message and "rasa==3.6.21" in message
    assert "rasa_plugins/" in message  # names the module to port
    assert RemoteAction.run is original_run  # nothing was installed


def test_each_patch_checks_the_version_itself():
    for patch in patches.patches():
        patches.check_version(patch, "3.6.0")
        with pytest.raises(patches.UnsupportedRasaVersion, match=patch.name):
            patches.check_version(patch, "3.7.2")


def test_the_launcher_refuses_a_faked_rasa_version(unpatched, monkeypatch):
    monkeypatch.setattr(patches, "rasa_version", lambda: "3.8.0")
    with pytest.raises(SystemExit) as stopped:
        launch.main(["run", "--model", "models/none.tar.gz"])
    assert "[E201]" in str(stopped.value)


def test_the_launcher_adds_the_token_for_the_server_only():
    assert launch.rasa_argv(["run", "--port", "5005"], "secret") == [
        "rasa", "run", "--port", "5005", "--auth-token", "secret",
    ]  # fmt: skip
    assert launch.rasa_argv(["run", "actions"], None) == ["rasa", "run", "actions"]
    assert launch.rasa_argv(["train"], None) == ["rasa", "train"]


@pytest.mark.parametrize("flag", [["--auth-token", "x"], ["--auth-token=x"]])
def test_the_launcher_refuses_a_token_on_the_command_line(flag):
    with pytest.raises(SystemExit, match=r"\[E202\]"):
        launch.rasa_argv(["run", *flag], "secret")
