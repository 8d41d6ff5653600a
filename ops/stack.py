"""Starting the whole product: train the model when its inputs changed, start the action server, the
Rasa server and the web app, wait until all are healthy, and stop everything cleanly."""

from __future__ import annotations

import ast
import hashlib
import os
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

from advisor.settings import code_dir, current, project_dir
from knowledge.bot_domain import GENERATED_FILE, catalog_label, domain_text, write_domain
from knowledge.loader import default_catalog_path, load

ROOT = code_dir()
# Largest request body the Rasa server reads (Sanic's default is 100 MB); shopper messages and
# staff replies are far smaller.
MAX_RASA_REQUEST_BYTES = 1_000_000
LOG_MAX_BYTES = 20_000_000  # a child's log is rotated past this size
LOG_KEEP = 5  # rotated logs kept per child: name.log.1 (newest) .. name.log.5
# The project's own packages: the only imports that count as the NLU component's code (in an
# installed wheel, the code folder is site-packages, which holds every other package too).
PROJECT_PACKAGES = frozenset(
    {"actions", "advisor", "analysis", "knowledge", "ops", "rasa_plugins", "stores", "web"}
)
# The Rasa NLU component this project trains with; it and every project module it imports run
# during `rasa train`, so their code is a model input.
TRAINING_COMPONENT = "rasa_plugins/catalog_entities.py"


# Settings that name a path: a child process runs in the project folder, so each is made absolute.
PATH_SETTINGS = (
    "ADVISOR_DATA_DIR", "ADVISOR_TURN_LOG", "ADVISOR_TRACKER_STORE", "ADVISOR_MODEL_DIR",
    "ADVISOR_SECRETS_FILE", "ADVISOR_CATALOG", "ADVISOR_PROJECT_DIR", "ADVISOR_CANNED_REPLIES",
)  # fmt: skip


def rasa_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child process: this one's, with every path setting made absolute."""
    env = dict(os.environ)
    for name in PATH_SETTINGS:
        if env.get(name) and "://" not in env[name]:
            env[name] = str(Path(env[name]).resolve())
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Rasa's training cache goes with the models, never next to the code (.rasa/ in the cwd).
    env.setdefault("RASA_CACHE_DIRECTORY", str(current().model_dir.resolve() / "cache"))
    env.update(extra or {})
    return env


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rasa_bin() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def launcher() -> list[str]:
    """The Rasa server with every plugin and patch: rasa_plugins/launch.py."""
    return [sys.executable, "-m", "rasa_plugins"]


def project_imports(file: Path, code_root: Path) -> set[Path]:
    """The project's own modules that `file` imports, at any depth (also inside functions)."""
    packages = {p for p in PROJECT_PACKAGES if (code_root / p / "__init__.py").is_file()}
    found: set[Path] = set()
    pending = [file]
    while pending:
        tree = ast.parse(pending.pop().read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                if name.split(".")[0] not in packages:
                    continue
                base = code_root.joinpath(*name.split("."))
                for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                    if candidate.is_file() and candidate not in found:
                        found.add(candidate)
                        pending.append(candidate)
    return found


def training_domain(project: Path | None = None, catalog: str | None = None) -> Path:
    """The domain folder `rasa train` reads for the catalog in force. That is `bot/domain` when its
    committed generated part (needs.yml) is what this catalog generates; otherwise a folder under
    the model directory with the hand-written part and this catalog's generated part, written
    here (only the files whose content changed)."""
    project = project or project_dir()
    catalog_path = Path(catalog) if catalog else default_catalog_path()
    category = load(catalog_path).category
    text = domain_text(category, catalog_label(catalog_path))
    committed = project / "bot" / "domain"
    generated = committed / GENERATED_FILE
    if generated.is_file() and generated.read_text(encoding="utf-8") == text:
        return committed
    return write_domain(current().model_dir.resolve() / "domain" / category.id, committed, text)


def model_inputs(
    project: Path | None = None, catalog: str | None = None, code_root: Path | None = None
) -> list[Path]:
    """Every file `rasa train` reads: config, domain, training data, the catalog the NLU component
    builds its lexicon from, and the code of that component and of what it imports. Run-time
    settings (endpoints, credentials) and the patches are not model inputs."""
    project = project or project_dir()
    code_root = code_root or ROOT
    catalog_path = Path(catalog) if catalog else default_catalog_path()
    component = code_root / TRAINING_COMPONENT
    roots = [
        project / "config.yml",
        training_domain(project, str(catalog_path)),
        project / "bot" / "data",
    ]
    roots += [catalog_path, component, *sorted(project_imports(component, code_root))]
    files: list[Path] = []
    for root in roots:
        found = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        files += [f for f in found if f.exists() and "__pycache__" not in f.parts]
    return files


def model_fingerprint(
    project: Path | None = None, catalog: str | None = None, code_root: Path | None = None
) -> str:
    """A hash of everything the trained model depends on: changes to any of it mean retraining."""
    project = project or project_dir()
    code_root = code_root or ROOT
    digest = hashlib.sha256()
    for file in model_inputs(project, catalog or current().catalog, code_root):
        for root in (code_root, project, file.parent):
            if file.is_relative_to(root):
                digest.update(file.relative_to(root).as_posix().encode())
                break
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(project: Path | None = None, echo=print) -> Path:
    """The trained model for the current data; trains only when the data changed. The domain it
    trains with is generated from the catalog in force first (`training_domain`)."""
    project = project or project_dir()
    model_dir = current().model_dir.resolve()
    model = model_dir / f"advisor-{model_fingerprint(project)}.tar.gz"
    if model.exists():
        echo(f"Model up to date: {model}")
        return model
    echo("Training the model (the data changed)...")
    domain = training_domain(project, current().catalog)
    command = [
        rasa_bin(), "train", "--config", "config.yml", "--domain", str(domain), "--data", "bot/data",
        "--out", str(model_dir), "--fixed-model-name", model.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    subprocess.run(command, cwd=project, env=rasa_env(), check=True)
    for stale in model_dir.glob("advisor-*.tar.gz"):
        if stale != model:
            stale.unlink(missing_ok=True)
    return model


@dataclass
class Stack:
    """The running servers, started as child processes."""

    rasa_port: int = 5005
    action_port: int = 5055
    host: str = "127.0.0.1"
    turn_log: Path | None = None  # default: $ADVISOR_TURN_LOG, else data/turns.db
    # Rasa's conversations (SQL tracker store on SQLite); default: trackers.db beside an explicit
    # turn_log, else $ADVISOR_TRACKER_STORE, else data/trackers.db
    tracker_store: Path | None = None
    token: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web: bool = True  # also start the web app (python -m web); False for Rasa-only callers
    web_port: int = 0  # 0: any free port
    staff_token: str = ""  # default: $ADVISOR_STAFF_TOKEN, else STAFF_TOKEN in .secrets
    logs: dict[str, Path] = field(default_factory=dict)  # each child's log file

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
        """The children's environment, with absolute paths so they agree with this process."""
        settings = current()
        turn_log = (self.turn_log or settings.turn_log).resolve()
        trackers = self.tracker_store or (
            self.turn_log.parent / "trackers.db" if self.turn_log else settings.tracker_store
        )
        trackers = trackers.resolve()  # its folder is made by the launcher (rasa_plugins.launch)
        return rasa_env(
            {
                "ACTION_ENDPOINT_URL": f"http://{self.host}:{self.action_port}/webhook",
                "ADVISOR_TURN_LOG": str(turn_log),
                "ADVISOR_TRACKER_STORE": str(trackers),
                "ADVISOR_SECRETS_FILE": str(settings.secrets_file.resolve()),
            }
        )

    def start_action_server(self, log_dir: Path | None = None) -> None:
        """Start the action server (also on its own, to bring it back after it stopped)."""
        self._spawn(
            "action server",
            [rasa_bin(), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            dict(self._env(), SANIC_HOST=self.host),  # rasa-sdk's own default is 0.0.0.0
            log_dir,
        )

    def start(self, model: Path, token: str, log_dir: Path | None = None) -> None:
        self.token = token
        env = self._env()
        self.start_action_server(log_dir)
        rasa_server_env = dict(
            env,
            ADVISOR_API_TOKEN=token,
            ADVISOR_ALLOWED_ORIGINS=",".join(self.cors_origins()),
            SANIC_REQUEST_MAX_SIZE=str(MAX_RASA_REQUEST_BYTES),
        )
        self._spawn(
            "rasa server",
            [
                *launcher(), "run", "--model", str(model), "--endpoints", "bot/endpoints.yml",
                "--credentials", "bot/credentials.yml", "--enable-api",
                "--interface", self.host, "--port", str(self.rasa_port),
                "--cors", *self.cors_origins(),
            ],
            rasa_server_env,
            log_dir,
        )  # fmt: skip
        if self.web:
            self.start_web_app(env, token, log_dir)

    def start_web_app(self, env: dict[str, str], token: str, log_dir: Path | None) -> None:
        """The web app, talking to Rasa at `rasa_url` with the API token."""
        web_env = dict(env, ADVISOR_API_TOKEN=token)
        if self.staff_token:
            web_env["ADVISOR_STAFF_TOKEN"] = self.staff_token
        self._spawn(
            "web app",
            [
                sys.executable, "-m", "web", "--host", self.host,
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
            log = log_dir / f"{name.replace(' ', '-')}.log"
            if name not in self.logs:  # a new run starts a new log; a restart appends to it
                rotate(log)
            self.logs[name] = log
            output = open(log, "ab")  # noqa: SIM115
        # Each child leads a process group of its own: stopping it stops whatever it started,
        # and a signal meant for `advisor run` (Ctrl-C in its terminal) is handled by it alone.
        self.processes[name] = subprocess.Popen(
            command,
            cwd=project_dir(),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        if output:
            output.close()  # the child has its own copy

    def rotate_logs(self, max_bytes: int = LOG_MAX_BYTES) -> list[Path]:
        """Rotate the children's logs that grew past `max_bytes` (copy, then truncate: the child
        writes in append mode, so it goes on at the start of the emptied file)."""
        rotated = []
        for log in self.logs.values():
            try:
                if log.stat().st_size > max_bytes:
                    rotate(log, truncate=True)
                    rotated.append(log)
            except FileNotFoundError:
                continue
        return rotated

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
        self._wait_for(checks, timeout)

    def _wait_for(self, checks: dict[str, str], timeout: float) -> None:
        """Until every URL of `checks` answers; an error when a child dies or time runs out."""
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
        """SIGINT, then SIGTERM (a child started in the background may ignore SIGINT), then
        SIGKILL, each to the child's whole process group."""
        for sig, grace in ((signal.SIGINT, 10), (signal.SIGTERM, 5)):
            running = [p for p in self.processes.values() if p.poll() is None]
            for process in running:
                signal_group(process, sig)
            deadline = time.monotonic() + grace
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
        for process in self.processes.values():
            signal_group(process, signal.SIGKILL)  # what is left of the group, if anything
            if process.poll() is None:
                process.wait()


def rotate(log: Path, truncate: bool = False, keep: int = LOG_KEEP) -> None:
    """name.log -> name.log.1 -> ... -> name.log.<keep> (the oldest is dropped). At a child's start
    the file is moved; while the child runs it is copied and emptied (`truncate`)."""
    if not log.exists() or log.stat().st_size == 0:
        return
    for n in range(keep - 1, 0, -1):
        older = log.with_name(f"{log.name}.{n}")
        if older.exists():
            older.replace(log.with_name(f"{log.name}.{n + 1}"))
    first = log.with_name(f"{log.name}.1")
    if truncate:
        import shutil

        shutil.copyfile(log, first)
        with open(log, "r+b") as running:
            running.truncate(0)
    else:
        log.replace(first)


def signal_group(process: subprocess.Popen, sig: int) -> None:
    """Send `sig` to the process group `process` leads (it was started in a session of its own)."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def answers(url: str) -> bool:
    """Whether `url` answers 200 within two seconds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
