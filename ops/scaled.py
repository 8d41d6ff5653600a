"""The scaled run: N Rasa servers and M action servers behind HAProxy, every store on PostgreSQL,
the lock store and the chat sockets' pushes on Redis, one web app. `advisor run --rasa-servers N`
starts it (ops/stack.py's Stack is the embedded run, with the same children one each).

    browser ──> web app (chat page, /support, /insights) ──HTTP API──┐
       │ socket.io (sticky cookie) / REST (round-robin)              v
       └──────────────> HAProxy :5005 ──> Rasa server 1..N ──> HAProxy :5055 ──> action server 1..M
                                           │  tracker store (SQL) ─┐         │ support queue
                                           │  turn-log broker ─────┼──> PostgreSQL (one schema)
                                           │  lock store, socket.io pushes ──> Redis

Every process listens on 127.0.0.1 (the web app and the balancer's fronts unless told otherwise).
The model is trained once (ops.stack.ensure_model) and served by all N. The Rasa servers' settings
are an endpoints file written here (no password in it: libpq's PGPASSWORD and
$ADVISOR_DATABASE travel in the environment, never on a command line).
"""

from __future__ import annotations

import os
import re
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from advisor.settings import current
from ops import balancer
from ops.stack import MAX_RASA_REQUEST_BYTES, Stack, free_port, launcher, rasa_bin


def database_parts(url: str) -> dict[str, str | int | None]:
    """host, port, db, username, password and schema of a postgresql:// store URL."""
    from stores.postgres import parse_location

    plain, schema = parse_location(url)
    parts = urllib.parse.urlsplit(plain)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "db": parts.path.lstrip("/") or "postgres",
        "username": urllib.parse.unquote(parts.username) if parts.username else None,
        "password": urllib.parse.unquote(parts.password) if parts.password else None,
        "schema": schema,
    }


def redis_parts(url: str) -> dict[str, str | int | None]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"a Redis location is redis://host:port/db, not {url!r}")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "password": urllib.parse.unquote(parts.password) if parts.password else None,
    }


def endpoints_yaml(database: str, redis: str, action_url: str, key_prefix: str) -> str:
    """The Rasa servers' endpoints: the turn-log broker on the shared log, Rasa's SQL tracker
    store on PostgreSQL (schema: $POSTGRESQL_SCHEMA) and Rasa's Redis lock store with its ticket
    book kept atomically (rasa_plugins/lock_store.py)."""
    db, lock = database_parts(database), redis_parts(redis)
    lines = [
        "# Written by `advisor run --rasa-servers N` (ops/scaled.py); changes here are overwritten.",
        "action_endpoint:",
        f"  url: {action_url}",
        "event_broker:",
        "  type: rasa_plugins.event_broker.TurnLogBroker",
        "  path: ${ADVISOR_DATABASE}",
        "  shared: true",
        "tracker_store:",
        "  type: SQL",
        "  dialect: postgresql",
        f"  url: {db['host']}",
        f"  port: {db['port']}",
        f"  db: {db['db']}",
    ]
    if db["username"]:
        lines.append(f"  username: {db['username']}")
    lines += [
        "lock_store:",
        "  type: rasa_plugins.lock_store.SerialRedisLockStore",
        f"  url: {lock['host']}",
        f"  port: {lock['port']}",
        f"  db: {lock['db']}",
        f"  key_prefix: {key_prefix}",
    ]
    if lock["password"]:
        lines.append("  password: ${ADVISOR_REDIS_PASSWORD}")
    return "\n".join(lines) + "\n"


MAX_RESTARTS = 5


@dataclass
class ScaledStack(Stack):
    """N Rasa servers, M action servers, HAProxy and the web app. `rasa_port` and `action_port`
    are the balancer's fronts; each server has a free loopback port of its own."""

    rasa_servers: int = 2
    action_servers: int = 1
    database: str = ""  # postgresql://... (stores and trackers, in its schema)
    redis: str = "redis://127.0.0.1:6379/0"
    run_dir: Path | None = None  # the generated endpoints and haproxy.cfg; default data/run
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    restarts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.rasa_servers < 1 or self.action_servers < 1:
            raise ValueError("a scaled run has at least one Rasa server and one action server")
        if not self.database.startswith(("postgresql://", "postgres://")):
            raise ValueError("several Rasa servers share PostgreSQL: --database postgresql://...")
        database_parts(self.database)
        redis_parts(self.redis)
        self.rasa_ports = self.rasa_ports or [free_port() for _ in range(self.rasa_servers)]
        self.action_ports = self.action_ports or [free_port() for _ in range(self.action_servers)]
        self.run_dir = (self.run_dir or current().data_dir / "run").resolve()

    def revive(self, model: Path, log_dir: Path | None = None) -> list[str]:
        """Start again the Rasa and action servers that died (HAProxy has taken them out of
        rotation meanwhile); returns their names. A server that died MAX_RESTARTS times stays
        dead, and so does the balancer or the web app: `dead()` names them."""
        revived = []
        for name in self.dead():
            kind, _, number = name.rpartition(" ")
            if kind not in ("rasa server", "action server") or not number.isdigit():
                continue
            if self.restarts.get(name, 0) >= MAX_RESTARTS:
                continue
            self.restarts[name] = self.restarts.get(name, 0) + 1
            if kind == "rasa server":
                self.start_rasa_server(int(number), model, log_dir)
            else:
                self.start_action_server(log_dir, int(number))
            revived.append(name)
        return revived

    def server_url(self, n: int) -> str:
        """Rasa server n (1-based), past the balancer."""
        return f"http://127.0.0.1:{self.rasa_ports[n - 1]}"

    def rasa_names(self) -> list[str]:
        return [f"rasa server {n}" for n in range(1, self.rasa_servers + 1)]

    def _scaled_env(self) -> dict[str, str]:
        db = database_parts(self.database)
        env = dict(
            self._env(),
            ADVISOR_DATABASE=self.database,
            POSTGRESQL_SCHEMA=str(db["schema"]),
            ACTION_ENDPOINT_URL=f"http://{self.host}:{self.action_port}/webhook",
        )
        if db["password"]:
            env["PGPASSWORD"] = str(db["password"])
        redis_password = redis_parts(self.redis)["password"]
        if redis_password:
            env["ADVISOR_REDIS_PASSWORD"] = str(redis_password)
        return env

    def _prepare(self) -> tuple[Path, Path]:
        """The schema (Rasa's tracker store needs it to exist), the endpoints and haproxy.cfg."""
        from stores.postgres import connect

        connect(self.database).close()  # makes the schema when missing
        assert self.run_dir is not None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        prefix = re.sub(r"[^a-zA-Z0-9]", "", str(database_parts(self.database)["schema"]))
        endpoints = self.run_dir / "endpoints.yml"
        endpoints.write_text(
            endpoints_yaml(
                self.database,
                self.redis,
                f"http://{self.host}:{self.action_port}/webhook",
                f"advisor{prefix}",
            ),
            encoding="utf-8",
        )
        config = balancer.write_config(
            self.run_dir / "haproxy.cfg",
            balancer.Pool(
                "rasa", self.host, self.rasa_port, tuple(self.rasa_ports), balancer.RASA_MAXCONN
            ),
            balancer.Pool("action", self.host, self.action_port, tuple(self.action_ports)),
        )
        return endpoints, config

    def start_action_server(self, log_dir: Path | None = None, n: int | None = None) -> None:
        """Start action server n (1-based; None: every one that is not running)."""
        env = dict(self._scaled_env(), SANIC_HOST="127.0.0.1")
        for number in [n] if n else range(1, self.action_servers + 1):
            name = f"action server {number}"
            if name in self.processes and self.processes[name].poll() is None:
                continue
            port = self.action_ports[number - 1]
            command = [rasa_bin(), "run", "actions", "--actions", "actions", "--port", str(port)]
            self._spawn(name, command, env, log_dir)

    def start_rasa_server(self, n: int, model: Path, log_dir: Path | None = None) -> None:
        """Start Rasa server n (1-based), also to bring one back after it stopped."""
        assert self.run_dir is not None
        env = dict(
            self._scaled_env(),
            ADVISOR_API_TOKEN=self.token,
            ADVISOR_ALLOWED_ORIGINS=",".join(self.cors_origins()),
            ADVISOR_SOCKET_REDIS_URL=self.redis,
            ADVISOR_RATE_REDIS_URL=self.redis,
            SANIC_REQUEST_MAX_SIZE=str(MAX_RASA_REQUEST_BYTES),
        )
        self._spawn(
            f"rasa server {n}",
            [
                *launcher(), "run", "--model", str(model),
                "--endpoints", str(self.run_dir / "endpoints.yml"),
                "--credentials", "bot/credentials.yml", "--enable-api",
                "--interface", "127.0.0.1", "--port", str(self.rasa_ports[n - 1]),
                "--cors", *self.cors_origins(),
            ],
            env,
            log_dir,
        )  # fmt: skip

    def start(self, model: Path, token: str, log_dir: Path | None = None) -> None:
        self.token = token
        _, config = self._prepare()
        # HAProxy needs no secret: none of the tokens or passwords the other children get
        bare = {k: os.environ[k] for k in ("PATH", "LANG", "TZ") if k in os.environ}
        self._spawn("balancer", balancer.command(config), bare, log_dir)
        self.start_action_server(log_dir)
        # The first Rasa server makes the tracker store's tables; the others, started together,
        # would race it to CREATE TABLE, so they start once it answers.
        self.start_rasa_server(1, model, log_dir)
        self._wait_for({"rasa server 1": self.health_checks()["rasa server 1"]}, 300)
        for n in range(2, self.rasa_servers + 1):
            self.start_rasa_server(n, model, log_dir)
        if self.web:
            env = dict(
                self._scaled_env(),
                ADVISOR_SOCKET_REDIS_URL=self.redis,
                ADVISOR_RATE_REDIS_URL=self.redis,
            )
            self.start_web_app(env, token, log_dir)

    def health_checks(self) -> dict[str, str]:
        token = urllib.parse.quote(self.token)
        checks = {"balancer": f"{self.rasa_url}{balancer.HEALTH_URI}"}
        for n, port in enumerate(self.action_ports, start=1):
            checks[f"action server {n}"] = f"http://127.0.0.1:{port}/health"
        for n in range(1, self.rasa_servers + 1):
            checks[f"rasa server {n}"] = f"{self.server_url(n)}/status?token={token}"
        if self.web:
            checks["web app"] = f"{self.web_url}/healthz"
        return checks

    def wait_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        self._wait_for(self.health_checks(), timeout)
        # HAProxy's checks need `rise` successes before a server takes traffic.
        for n in range(1, self.rasa_servers + 1):
            while time.monotonic() < deadline and not self.balancer_says_up(f"rasa{n}"):
                time.sleep(0.5)

    def balancer_says_up(self, server: str) -> bool:
        """Whether HAProxy has `server` UP in the REST pool (its stats CSV on the admin socket)."""
        assert self.run_dir is not None
        sock = self.run_dir / "haproxy.sock"
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.settimeout(2)
                client.connect(str(sock))
                client.sendall(b"show stat\n")
                data = b""
                while chunk := client.recv(65536):
                    data += chunk
        except OSError:
            return False
        for line in data.decode(errors="replace").splitlines():
            cells = line.split(",")
            if len(cells) > 17 and cells[0] == "rasa_rest" and cells[1] == server:
                return cells[17] == "UP"
        return False


def drop_schema(database: str) -> None:
    """Drop the URL's schema with everything in it (tests, and `advisor db drop`)."""
    from stores.postgres import connect, parse_location

    _, schema = parse_location(database)
    if schema == "public":
        raise ValueError("refusing to drop the public schema")
    conn = connect(database.split("?")[0])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        conn.close()
