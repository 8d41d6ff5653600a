"""The scaled run under test: `advisor run --rasa-servers 2 --action-servers 2` itself, started
once for tests/scale on a fresh PostgreSQL schema and the machine's Redis, behind HAProxy.

Without PostgreSQL, Redis or HAProxy these tests skip with a one-line reason; in CI (CI=true) a
missing one is a failure. The schema is dropped at the end, whatever happened."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ops.balancer import HAPROXY, SERVER_HEADER
from ops.stack import ROOT, free_port, rasa_env
from tests.services import require_binary, require_postgres, require_redis

RASA_SERVERS, ACTION_SERVERS = 2, 2


@dataclass
class Scaled:
    """The running `advisor run` and how to reach its parts."""

    run: subprocess.Popen
    rasa_url: str  # the balancer
    web_url: str
    token: str
    staff_token: str
    database: str
    data_dir: Path
    servers: dict[str, int] = field(default_factory=dict)  # rasa1 -> its own port
    actions: dict[str, int] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)  # advisor run's output lines so far

    def server_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.servers[name]}"

    def say(self, sender: str, text: str, url: str | None = None) -> tuple[str, list[dict]]:
        """(the server that answered, the replies) of one REST turn."""
        body = json.dumps({"sender": sender, "message": text, "metadata": {"traffic": "test"}})
        request = urllib.request.Request(
            f"{url or self.rasa_url}/webhooks/rest/webhook",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=90) as response:
            server = response.headers.get(SERVER_HEADER) or ""
            return server, json.loads(response.read())

    def api(self, method: str, path: str, body: object | None = None, url: str | None = None):
        separator = "&" if "?" in path else "?"
        request = urllib.request.Request(
            f"{url or self.rasa_url}{path}{separator}token={self.token}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def descendants(self) -> list[int]:
        """Every process below `advisor run`, at any depth."""
        found, pending = [], [self.run.pid]
        while pending:
            pid = pending.pop()
            path = Path(f"/proc/{pid}/task/{pid}/children")
            try:
                kids = [int(p) for p in path.read_text().split()]
            except OSError:
                continue
            found += kids
            pending += kids
        return found

    def pid_on_port(self, port: int) -> int:
        """The descendant whose command line says --port `port`."""
        for pid in self.descendants():
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--port" in argv and argv[argv.index(b"--port") + 1] == str(port).encode():
                return pid
        raise LookupError(f"no process on port {port}")


def servers_in(config: Path, backend: str) -> dict[str, int]:
    """{server name: port} of one backend section of haproxy.cfg."""
    names: dict[str, int] = {}
    section = None
    for line in config.read_text().splitlines():
        if line and not line.startswith(" "):
            section = line.split()[1] if len(line.split()) > 1 else None
        match = re.match(r"\s+server (\S+) 127\.0\.0\.1:(\d+)", line)
        if match and section == backend:
            names[match[1]] = int(match[2])
    return names


def drop_schema(database: str) -> None:
    from ops.scaled import drop_schema as drop
    from stores.shared import close_all

    close_all()
    drop(database)


@pytest.fixture(scope="session")
def scaled(tmp_path_factory) -> Scaled:
    postgres = require_postgres()
    redis = require_redis()
    require_binary(HAPROXY, "make install (Debian's haproxy)")
    folder = tmp_path_factory.mktemp("scaled")
    database = f"{postgres}?schema=scale_{uuid.uuid4().hex[:10]}"
    token, staff = "api-" + uuid.uuid4().hex, "staff-" + uuid.uuid4().hex
    env = rasa_env(
        {
            "ADVISOR_DATA_DIR": str(folder / "data"),
            "ADVISOR_MODEL_DIR": os.environ.get("ADVISOR_MODEL_DIR") or str(ROOT / "models"),
            "ADVISOR_SECRETS_FILE": str(folder / ".secrets"),
            "ADVISOR_API_TOKEN": token,
            "ADVISOR_STAFF_TOKEN": staff,
        }
    )
    env.pop("ADVISOR_DATABASE", None)
    web_port, rasa_port, action_port = free_port(), free_port(), free_port()
    command = [
        sys.executable, "-m", "advisor.cli", "run",
        "--rasa-servers", str(RASA_SERVERS), "--action-servers", str(ACTION_SERVERS),
        "--database", database, "--redis", redis,
        "--port", str(web_port), "--rasa-port", str(rasa_port), "--action-port", str(action_port),
    ]  # fmt: skip
    run = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    running = Scaled(
        run, f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", token, staff,
        database, folder / "data",
    )  # fmt: skip
    ready = threading.Event()

    def read_output() -> None:
        assert run.stdout is not None
        for line in run.stdout:
            running.output.append(line.rstrip())
            if "The advisor is running" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    try:
        if not ready.wait(600) or run.poll() is not None:
            pytest.fail("advisor run did not start:\n" + "\n".join(running.output[-30:]))
        config = folder / "data" / "run" / "haproxy.cfg"
        running.servers = servers_in(config, "rasa_rest")
        running.actions = servers_in(config, "actions")
        yield running
    finally:
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
            try:
                run.wait(timeout=60)
            except subprocess.TimeoutExpired:
                run.kill()
        drop_schema(database)


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} after {timeout:.0f} s")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
