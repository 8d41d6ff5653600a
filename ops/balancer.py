"""HAProxy in front of several Rasa servers and action servers: the configuration, written from
the servers' addresses, and the command that runs it (Debian's /usr/sbin/haproxy; `make install`).

- Chat sockets (/socket.io/) stick to one Rasa server by a cookie HAProxy sets (socket.io's
  long-polling needs every request of a session on the server that holds it); REST turns and the
  HTTP API go round-robin, so consecutive turns of one conversation may go to different servers
  (the shared tracker store and the Redis lock store make that safe).
- Every response says which server answered: `X-Advisor-Server: rasa2`.
- Health checks are TCP connects every 2 s, a server DOWN after 3 failures and UP again after 2:
  an HTTP check at short intervals marks a busy Rasa server (one event loop, mid-turn) as down
  under load. A request whose connection fails is sent again to another server (redispatch), so
  a dead server costs no turn that had not reached it (no server connection is reused, so a
  request to a server that just died fails to connect rather than failing on an old connection).
- `timeout server` is 90 s, well above the slowest turn (an action may take 30 s).
- At most RASA_MAXCONN REST turns are in flight per Rasa server; the rest wait in HAProxy's queue
  in arrival order (`timeout queue` 120 s). A Rasa server is one event loop doing CPU-bound work:
  given every request at once it interleaves them all and some wait far longer than others; the
  queue makes the wait fair and sends each turn to the first server with room.
- The balancer listens on loopback only unless told otherwise; `monitor-uri /haproxy-health` is
  its own health endpoint.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

HAPROXY = "/usr/sbin/haproxy"
SERVER_HEADER = "X-Advisor-Server"
STICKY_COOKIE = "advisor_server"
HEALTH_URI = "/haproxy-health"
CHECK = "check inter 2s fall 3 rise 2"
RASA_MAXCONN = 8
LOG_FORMAT = (
    '"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %HM %HP"'
)


@dataclass(frozen=True)
class Pool:
    """A front address and the servers behind it, named prefix1, prefix2, ..."""

    prefix: str
    host: str
    port: int
    servers: tuple[int, ...]  # their ports on 127.0.0.1

    maxconn: int = 0  # requests in flight per server (0: no limit); more wait in HAProxy's queue

    def lines(self, cookie: bool = False) -> list[str]:
        """The server lines; a sticky (socket) pool has no maxconn: a socket holds its connection
        for the whole chat, so a limit would lock shoppers out rather than queue their turns."""
        limit = f" maxconn {self.maxconn}" if self.maxconn and not cookie else ""
        return [
            f"    server {self.prefix}{n} 127.0.0.1:{port} {CHECK}{limit}"
            + (f" cookie {self.prefix}{n}" if cookie else "")
            for n, port in enumerate(self.servers, start=1)
        ]


def config(rasa: Pool, actions: Pool, admin_socket: Path | None = None) -> str:
    """The haproxy.cfg for these pools; `admin_socket`: HAProxy's stats socket (a Unix socket,
    readable only by this user), where `advisor run` and the tests read which servers are UP."""
    lines = [
        "# Written by `advisor run` (ops/balancer.py); changes here are overwritten.",
        "global",
        "    maxconn 4096",
        *([f"    stats socket {admin_socket} mode 600 level admin"] if admin_socket else []),
        "",
        "    log stdout format raw local0 info",
        "",
        "defaults",
        "    mode http",
        "    log global",
        # httplog's fields, with the path but never the query string (Rasa's API token is one).
        f"    log-format {LOG_FORMAT}",
        "    option forwardfor",
        "    option redispatch",
        "    retries 3",
        # A new connection per request (loopback: cheap): an idle kept-alive connection to a
        # server that just died would fail a request instead of its connect failing over.
        "    http-reuse never",
        "    timeout connect 5s",
        "    timeout client 120s",
        "    timeout server 90s",
        "    timeout tunnel 1h",
        "    timeout http-keep-alive 10s",
        "    timeout queue 120s",
        "",
        "frontend rasa",
        f"    bind {rasa.host}:{rasa.port}",
        f"    monitor-uri {HEALTH_URI}",
        "    acl socket path_beg /socket.io/",
        "    use_backend rasa_sockets if socket",
        "    default_backend rasa_rest",
        "",
        "backend rasa_rest",
        "    balance roundrobin",
        f"    http-response set-header {SERVER_HEADER} %[srv_name]",
        *rasa.lines(),
        "",
        "backend rasa_sockets",
        "    balance roundrobin",
        f"    cookie {STICKY_COOKIE} insert indirect nocache httponly",
        f"    http-response set-header {SERVER_HEADER} %[srv_name]",
        *rasa.lines(cookie=True),
        "",
        "frontend actions",
        f"    bind {actions.host}:{actions.port}",
        f"    monitor-uri {HEALTH_URI}",
        "    default_backend actions",
        "",
        "backend actions",
        "    balance roundrobin",
        f"    http-response set-header {SERVER_HEADER} %[srv_name]",
        *actions.lines(),
        "",
    ]
    return "\n".join(lines)


def haproxy_binary() -> str:
    """Debian's haproxy; RuntimeError with the fix when it is missing."""
    found = shutil.which("haproxy") or (HAPROXY if Path(HAPROXY).exists() else None)
    if not found:
        raise RuntimeError(
            "[E301] HAProxy is not installed: `make install` installs Debian's package "
            "(apt-get install haproxy)"
        )
    return found


def write_config(path: Path, rasa: Pool, actions: Pool) -> Path:
    """haproxy.cfg at `path`, its admin socket beside it (haproxy.sock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config(rasa, actions, path.with_name("haproxy.sock")), encoding="utf-8")
    return path


def command(config_path: Path) -> list[str]:
    """HAProxy in the foreground (-db), so `advisor run` holds and stops it like its other
    children; the configuration is checked when it starts."""
    return [haproxy_binary(), "-db", "-f", str(config_path)]
