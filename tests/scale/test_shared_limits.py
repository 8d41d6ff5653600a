"""Rate limits and log-in throttles shared between servers through Redis, and the client address
behind a trusted balancer."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import make_mocked_request

from rasa_plugins.input_limits import RateLimiter, RedisRateLimiter, rate_limiter
from tests.services import require_redis
from web.auth import client_address


def test_two_servers_share_one_redis_limit() -> None:
    url = require_redis()
    name = f"test-{uuid.uuid4().hex[:8]}"
    now = [1000.0]
    first, second = (RedisRateLimiter(url, name, 3, 60.0, clock=lambda: now[0]) for _ in range(2))
    assert [first.allow("c1"), second.allow("c1"), first.allow("c1")] == [True] * 3
    assert not second.allow("c1") and first.full("c1")
    assert second.allow("c2")
    now[0] += 61
    assert first.allow("c1")
    second.count("c3")
    assert not first.full("c3")


def test_an_unreachable_redis_leaves_the_limit_to_each_server() -> None:
    """Redis down: every message still gets an answer, and each server limits on its own."""
    now = [1000.0]
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", "down", 2, 60.0, clock=lambda: now[0])
    assert [limiter.allow("c1"), limiter.allow("c1"), limiter.allow("c1")] == [True, True, False]
    assert limiter.full("c1")
    limiter.count("c2")
    assert not limiter.full("c2")


def test_deployments_sharing_a_redis_keep_their_own_counters(monkeypatch) -> None:
    url = require_redis()
    name = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("ADVISOR_DATABASE", "postgresql://a/x?schema=one")
    one = RedisRateLimiter(url, name, 1, 60.0)
    monkeypatch.setenv("ADVISOR_DATABASE", "postgresql://a/x?schema=two")
    two = RedisRateLimiter(url, name, 1, 60.0)
    assert one.allow("c1") and two.allow("c1") and not one.allow("c1")


def test_the_limiter_is_redis_only_when_configured(monkeypatch) -> None:
    monkeypatch.delenv("ADVISOR_RATE_REDIS_URL", raising=False)
    assert isinstance(rate_limiter("rest"), RateLimiter)
    monkeypatch.setenv("ADVISOR_RATE_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert isinstance(rate_limiter("rest"), RedisRateLimiter)


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        ("", "10.0.0.9", "10.0.0.9"),
        ("127.0.0.1", "127.0.0.1", "203.0.113.7"),
        ("127.0.0.1", "10.0.0.9", "10.0.0.9"),
    ],
)
def test_forwarded_for_counts_only_from_a_trusted_proxy(monkeypatch, trusted, peer, expected):
    monkeypatch.setenv("ADVISOR_TRUSTED_PROXIES", trusted)
    request = make_mocked_request(
        "POST", "/support/login", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}
    )
    monkeypatch.setattr(type(request), "remote", property(lambda self: peer))
    assert client_address(request) == expected
