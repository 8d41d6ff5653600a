"""Helpers to talk to the real stack over REST and read it over the HTTP API. The stack itself (Rasa
server + action server + web app, turn log in a temporary SQLite file) is the session-scoped `stack`
fixture in tests/conftest.py, shared with the browser tests in tests/web."""

from __future__ import annotations

import json
import urllib.request
import uuid

from advisor.ops_commands import send
from ops.stack import Stack


def say(stack: Stack, sender: str, text: str) -> list[dict]:
    return send(stack.rasa_url, sender, text)


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
