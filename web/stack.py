"""Starting the whole product: train the model when its inputs changed, start the action server and
the Rasa server, wait until both are healthy, and stop everything cleanly."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_INPUTS = (
    "config.yml",
    "bot",
    "knowledge/catalogs",
    "knowledge/entities.py",
    "knowledge/lexicon.py",
)
# Run-time settings that do not change what the model learns.
NOT_MODEL_INPUTS = ("bot/endpoints.yml", "bot/credentials.yml")
SECRETS_FILE = ROOT / ".secrets"


def rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra or {})
    return env


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rasa_bin() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def model_fingerprint(root: Path = ROOT) -> str:
    """A hash of everything the trained model depends on: changes to any of it mean retraining."""
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            relative = file.relative_to(root).as_posix()
            if (
                file.exists()
                and "__pycache__" not in file.parts
                and relative not in NOT_MODEL_INPUTS
            ):
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(root: Path = ROOT, echo=print) -> Path:
    """The trained model for the current data; trains only when the data changed."""
    model = root / "models" / f"advisor-{model_fingerprint(root)}.tar.gz"
    if model.exists():
        echo(f"Model up to date: {model.relative_to(root)}")
        return model
    echo("Training the model (the data changed)...")
    command = [
        rasa_bin(), "train", "--config", "config.yml", "--domain", "bot/domain.yml", "--data", "bot/data",
        "--out", "models", "--fixed-model-name", model.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    subprocess.run(command, cwd=root, env=rasa_env(), check=True)
    for stale in model.parent.glob("advisor-*.tar.gz"):
        if stale != model:
            stale.unlink(missing_ok=True)
    return model


def api_token() -> str:
    """The HTTP API token: $ADVISOR_API_TOKEN, else a local git-ignored file made on first use."""
    token = os.environ.get("ADVISOR_API_TOKEN")
    if token:
        return token
    if SECRETS_FILE.exists():
        for line in SECRETS_FILE.read_text().splitlines():
            if line.startswith("ADVISOR_API_TOKEN="):
                return line.split("=", 1)[1].strip()
    token = secrets.token_urlsafe(24)
    with open(SECRETS_FILE, "a", encoding="utf-8") as handle:
        handle.write(f"ADVISOR_API_TOKEN={token}\n")
    SECRETS_FILE.chmod(0o600)
    return token


@dataclass
class Stack:
    """The running servers, started as child processes."""

    rasa_port: int = 5005
    action_port: int = 5055
    host: str = "127.0.0.1"
    turn_log: Path | None = None  # default: $ADVISOR_TURN_LOG, else data/turns.db
    token: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    def start(self, model: Path, token: str, log_dir: Path | None = None) -> None:
        self.token = token
        env = rasa_env({"ACTION_ENDPOINT_URL": f"http://{self.host}:{self.action_port}/webhook"})
        if self.turn_log:
            env["ADVISOR_TURN_LOG"] = str(self.turn_log)
        self._spawn(
            "action server",
            [rasa_bin(), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            env,
            log_dir,
        )
        self._spawn(
            "rasa server",
            [
                rasa_bin(), "run", "--model", str(model), "--endpoints", "bot/endpoints.yml",
                "--credentials", "bot/credentials.yml", "--enable-api", "--auth-token", token,
                "--interface", self.host, "--port", str(self.rasa_port),
                "--cors", f"http://{self.host}:{self.rasa_port}",
            ],
            env,
            log_dir,
        )  # fmt: skip

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str], log_dir: Path | None
    ) -> None:
        output = None
        if log_dir:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = open(log_dir / f"{name.replace(' ', '-')}.log", "ab")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if output else None
        )

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def wait_healthy(self, timeout: float = 180) -> None:
        """Wait until the action server answers /health and the Rasa server has its model loaded."""
        checks = {
            "action server": f"http://{self.host}:{self.action_port}/health",
            "rasa server": f"{self.rasa_url}/",
        }
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            if self.dead():
                raise RuntimeError(f"{', '.join(self.dead())} exited during start-up")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}")
            for name, url in list(pending.items()):
                if _answers(url):
                    del pending[name]
            time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
