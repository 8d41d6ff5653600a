"""Fault tests: each test starts its own stack (action server + Rasa server, no web app) with the turn
log in its tmp_path, breaks something, and checks that nothing is lost and the shopper still gets
answers. The trained model is shared (ops.stack.ensure_model, or $ADVISOR_E2E_MODEL)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ops.stack import Stack, free_port

UNAVAILABLE = "can't look that up right now"
PATCH_CHANNEL = "rasa_plugins.resilient_actions.ResilientActions"


@pytest.fixture(scope="session")
def model() -> Path:
    from ops.stack import ensure_model

    given = os.environ.get("ADVISOR_E2E_MODEL")
    return Path(given) if given else ensure_model()


@pytest.fixture
def start_stack(tmp_path: Path, model: Path) -> Iterator[Callable[..., Stack]]:
    """start_stack(turn_log=None) -> a healthy Stack; everything it started is stopped afterwards."""
    started: list[Stack] = []

    def start(turn_log: Path | None = None) -> Stack:
        stack = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            turn_log=turn_log or tmp_path / "turns.db",
            tracker_store=tmp_path / "trackers.db",  # usable even where the turn log's is not
            web=False,
        )
        started.append(stack)
        stack.start(model, token="faults-" + uuid.uuid4().hex, log_dir=tmp_path / "logs")
        stack.wait_healthy(timeout=240)
        return stack

    yield start
    for stack in started:
        stack.stop()


def log_dir(stack: Stack) -> Path:
    assert stack.turn_log is not None
    return stack.turn_log.parent / "logs"


def server_log(tmp_path: Path, name: str) -> str:
    """What a server wrote so far (tmp_path/logs/<name>.log, as Stack.start names it)."""
    path = tmp_path / "logs" / f"{name.replace(' ', '-')}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def stop_server(stack: Stack, name: str, sig: int = signal.SIGTERM) -> None:
    process = stack.processes[name]
    process.send_signal(sig)
    process.wait(timeout=30)


def start_action_server(stack: Stack, tmp_path: Path) -> None:
    """Start the action server again on its port (the Rasa server keeps running); its output is
    appended to the same log file."""
    stack.start_action_server(log_dir=tmp_path / "logs")
    stack.wait_healthy(timeout=120)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {seconds:.0f} s")
        time.sleep(0.2)


def texts(replies: list[dict]) -> list[str]:
    return [r["text"] for r in replies if r.get("text")]


def require_resilient_actions() -> None:
    from rasa_plugins.patches import patches

    if "resilient-actions" not in {patch.name for patch in patches()}:
        pytest.fail(
            "the launcher does not install the resilient-actions patch: without it a failed custom "
            "action leaves the shopper without any reply (see rasa_plugins/resilient_actions.py)"
        )
