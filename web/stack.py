"""Starting the whole product: train the model when its inputs changed, start the action server, the
Rasa server and the web app, wait until all are healthy, and stop everything cleanly."""

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
import urllib.parse
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
# Largest request body the Rasa server reads (Sanic's default is 100 MB); shopper messages and
# staff replies are far smaller.
MAX_RASA_REQUEST_BYTES = 1_000_000


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


def local_secret(key: str, env: str) -> str:
    """$env if set, else the KEY=... line of the git-ignored .secrets file, made on first use."""
    token = os.environ.get(env)
    if token:
        return token
    if SECRETS_FILE.exists():
        for line in SECRETS_FILE.read_text().splitlines():
            if line.startswith(f"{key}="):
                return line.split("=", 1)[1].strip()
    token = secrets.token_urlsafe(24)
    with open(SECRETS_FILE, "a", encoding="utf-8") as handle:
        handle.write(f"{key}={token}\n")
    SECRETS_FILE.chmod(0o600)
    return token


def api_token() -> str:
    """The HTTP API token: $ADVISOR_API_TOKEN, else a local git-ignored file made on first use."""
    return local_secret("ADVISOR_API_TOKEN", "ADVISOR_API_TOKEN")


def staff_token() -> str:
    """The staff token for /support and /insights: $ADVISOR_STAFF_TOKEN, else STAFF_TOKEN=... in
    the git-ignored .secrets file, made on first use."""
    return local_secret("STAFF_TOKEN", "ADVISOR_STAFF_TOKEN")


@dataclass
class Stack:
    """The running servers, started as child processes."""

    rasa_port: int = 5005
    action_port: int = 5055
    host: str = "127.0.0.1"
    turn_log: Path | None = None  # default: $ADVISOR_TURN_LOG, else data/turns.db
    token: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web: bool = True  # also start the web app (python -m web.app); False for Rasa-only callers
    web_port: int = 0  # 0: any free port
    staff_token: str = ""  # default: $ADVISOR_STAFF_TOKEN, else STAFF_TOKEN in .secrets

    def __post_init__(self) -> None:
        if self.web and not self.web_port:
            self.web_port = free_port()

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    def cors_origins(self) -> list[str]:
        """Origins whose pages may call the Rasa server: its own and the web app's."""
        origins = [self.rasa_url]
        if self.web:
            origins.append(self.web_url)
            if self.host == "127.0.0.1":
                origins.append(f"http://localhost:{self.web_port}")
        return origins

    def _env(self) -> dict[str, str]:
        env = rasa_env({"ACTION_ENDPOINT_URL": f"http://{self.host}:{self.action_port}/webhook"})
        if self.turn_log:
            env["ADVISOR_TURN_LOG"] = str(self.turn_log)
        return env

    def start_action_server(self, log_dir: Path | None = None) -> None:
        """Start the action server (also on its own, to bring it back after it stopped)."""
        self._spawn(
            "action server",
            [rasa_bin(), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            self._env(),
            log_dir,
        )

    def start(self, model: Path, token: str, log_dir: Path | None = None) -> None:
        self.token = token
        env = self._env()
        self.start_action_server(log_dir)
        rasa_server_env = dict(
            env,
            ADVISOR_ALLOWED_ORIGINS=",".join(self.cors_origins()),
            SANIC_REQUEST_MAX_SIZE=str(MAX_RASA_REQUEST_BYTES),
        )
        self._spawn(
            "rasa server",
            [
                rasa_bin(), "run", "--model", str(model), "--endpoints", "bot/endpoints.yml",
                "--credentials", "bot/credentials.yml", "--enable-api", "--auth-token", token,
                "--interface", self.host, "--port", str(self.rasa_port),
                "--cors", *self.cors_origins(),
            ],
            rasa_server_env,
            log_dir,
        )  # fmt: skip
        if self.web:
            web_env = dict(env, ADVISOR_API_TOKEN=token)
            if self.staff_token:
                web_env["ADVISOR_STAFF_TOKEN"] = self.staff_token
            self._spawn(
                "web app",
                [
                    sys.executable, "-m", "web.app", "--host", self.host,
                    "--port", str(self.web_port), "--rasa-url", self.rasa_url,
                ],
                web_env,
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

    def describe_dead(self) -> str:
        """'rasa server (exit code 1), web app (killed by signal 9)' for the processes that ended."""
        parts = []
        for name in self.dead():
            code = self.processes[name].returncode
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            parts.append(f"{name} ({how})")
        return ", ".join(parts)

    def wait_healthy(self, timeout: float = 180) -> None:
        """Wait until the action server answers /health, the Rasa server has its model loaded and
        the web app (if started) answers /healthz."""
        checks = {
            "action server": f"http://{self.host}:{self.action_port}/health",
            # /status answers 200 only once the model is loaded ("/" answers before that)
            "rasa server": f"{self.rasa_url}/status?token={urllib.parse.quote(self.token)}",
        }
        if self.web:
            checks["web app"] = f"{self.web_url}/healthz"
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            if self.dead():
                raise RuntimeError(f"{self.describe_dead()} exited during start-up")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}")
            for name, url in list(pending.items()):
                if answers(url):
                    del pending[name]
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGINT, then SIGTERM (a child started in the background may ignore SIGINT), then kill."""
        for sig, grace in ((signal.SIGINT, 10), (signal.SIGTERM, 5)):
            running = [p for p in self.processes.values() if p.poll() is None]
            for process in running:
                process.send_signal(sig)
            deadline = time.monotonic() + grace
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def answers(url: str) -> bool:
    """Whether `url` answers 200 within two seconds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
