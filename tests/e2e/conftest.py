"""One real stack (Rasa server + action server, turn log in a temporary SQLite file) shared by the
end-to-end tests, and helpers to talk to it over REST and read it over the HTTP API."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from web.stack import Stack, ensure_model, free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    model = ensure_model()
    folder = tmp_path_factory.mktemp("stack")
    running = Stack(rasa_port=free_port(), action_port=free_port(), turn_log=folder / "turns.db")
    running.start(model, token="e2e-" + uuid.uuid4().hex, log_dir=folder / "logs")
    try:
        running.wait_healthy(timeout=240)
        yield running
    finally:
        running.stop()


def say(stack: Stack, sender: str, text: str) -> list[dict]:
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def api(stack: Stack, method: str, path: str, body: object | None = None) -> object:
    """Rasa's HTTP API with the stack's token."""
    separator = "&" if "?" in path else "?"
    request = urllib.request.Request(
        f"{stack.rasa_url}{path}{separator}token={stack.token}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def new_sender() -> str:
    return "e2e-" + uuid.uuid4().hex[:10]
