"""`advisor run` stopped by a service manager (SIGTERM) or a closed terminal (SIGHUP) stops every
server it started: nothing is left running, even when started in the background (SIGINT ignored)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ops.stack import ROOT, free_port, rasa_env

pytestmark = pytest.mark.e2e


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_every_server(tmp_path, sig):
    env = rasa_env(
        {
            "ADVISOR_DATA_DIR": str(tmp_path / "data"),
            "ADVISOR_MODEL_DIR": str(ROOT / "models"),
            "ADVISOR_SECRETS_FILE": str(tmp_path / ".secrets"),
        }
    )
    ports = [str(free_port()) for _ in range(3)]
    command = [sys.executable, "-m", "advisor.cli", "run", "--port", ports[0]]
    command += ["--rasa-port", ports[1], "--action-port", ports[2]]
    # preexec: ignore SIGINT, as a shell does for a job started with `&`
    run = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if "The advisor is running" in line:
                break
        else:
            pytest.fail(f"advisor run ended with {run.wait()} before it was running")
        started = children(run.pid)
        assert len(started) == 3
        run.send_signal(sig)
        run.wait(timeout=60)  # it ends (TimeoutExpired otherwise), and its children with it
        assert "Stopping..." in run.stdout.read()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in started if alive(pid)]
    finally:
        if run.poll() is None:
            run.kill()
