"""What the scaled run writes for HAProxy and Rasa, and how `advisor run` reads its settings:
no server needed."""

from __future__ import annotations

import pytest

from advisor.ops_commands import run_options
from ops.balancer import Pool, config
from ops.scaled import ScaledStack, database_parts, endpoints_yaml


def test_the_balancer_sticks_sockets_spreads_rest_and_checks_gently() -> None:
    text = config(
        Pool("rasa", "127.0.0.1", 5005, (6001, 6002), 8), Pool("action", "127.0.0.1", 5055, (7001,))
    )
    rest = text.split("\nbackend rasa_rest\n")[1].split("\nbackend rasa_sockets\n")[0]
    sockets = text.split("\nbackend rasa_sockets\n")[1].split("\nfrontend actions\n")[0]
    assert "balance roundrobin" in rest and "cookie" not in rest
    assert "cookie advisor_server insert" in sockets and "cookie rasa2" in sockets
    assert "server rasa1 127.0.0.1:6001 check inter 2s fall 3 rise 2 maxconn 8" in rest
    assert "maxconn" not in sockets  # a socket holds its connection for the whole chat
    assert "httpchk" not in text  # TCP checks: a busy server is not taken for a dead one
    assert "http-response set-header X-Advisor-Server %[srv_name]" in rest
    assert "timeout server 90s" in text and "option redispatch" in text
    assert "bind 127.0.0.1:5005" in text and "bind 127.0.0.1:5055" in text


def test_the_rasa_endpoints_use_postgresql_and_redis_without_a_password() -> None:
    url = "postgresql://advisor:s3cret@db.local:5433/shop?schema=live"
    text = endpoints_yaml(
        url, "redis://:r3dis@cache.local:6380/2", "http://127.0.0.1:5055/webhook", "advisorlive"
    )
    assert "dialect: postgresql" in text and "url: db.local" in text and "port: 5433" in text
    assert "db: shop" in text and "username: advisor" in text
    assert (
        "type: rasa_plugins.lock_store.SerialRedisLockStore" in text
        and "url: cache.local" in text
        and "db: 2" in text
    )
    assert "s3cret" not in text and "r3dis" not in text
    assert "path: ${ADVISOR_DATABASE}" in text and "${ADVISOR_REDIS_PASSWORD}" in text
    assert database_parts(url)["schema"] == "live"


def test_a_scaled_run_needs_postgresql() -> None:
    with pytest.raises(ValueError, match="postgresql"):
        ScaledStack(web=False, rasa_servers=2, database="data/turns.db")


def test_run_options_come_from_flags_then_the_file_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATABASE", "postgresql://env/db")
    monkeypatch.delenv("ADVISOR_REDIS_URL", raising=False)
    file = tmp_path / "run.yml"
    file.write_text("rasa_servers: 3\naction_servers: 2\nrasa_port: 6005\n")
    options = run_options(
        file,
        rasa_servers=2,
        action_servers=None,
        database=None,
        redis=None,
        port=8000,
        rasa_port=5005,
        action_port=5055,
    )
    assert options["rasa_servers"] == 2 and options["action_servers"] == 2
    assert options["rasa_port"] == 6005 and options["port"] == 8000
    assert options["database"] == "postgresql://env/db"
    assert options["redis"] == "redis://127.0.0.1:6379/0"
    file.write_text("workers: 3\n")
    with pytest.raises(Exception, match="unknown"):
        run_options(
            file,
            rasa_servers=None,
            action_servers=None,
            database=None,
            redis=None,
            port=8000,
            rasa_port=5005,
            action_port=5055,
        )
