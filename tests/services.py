"""The machine's PostgreSQL and Redis, for the tests that need them (tests/stores on PostgreSQL,
tests/scale), and the sentence model's package. Where one is missing such a test skips with a
one-line reason; in CI (CI=true) that is a failure, since CI starts both services before the
tests and `make install` installs the package."""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = os.environ.get("ADVISOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ADVISOR_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _missing(what: str, reason: str) -> None:
    message = f"{what} is not available ({reason})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI starts it before the tests", pytrace=False)
    pytest.skip(message)


def require_postgres() -> str:
    """The test database's URL, once PostgreSQL answers there."""
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure to connect means: not available
        _missing(f"PostgreSQL at {POSTGRES_URL}", str(error).strip().splitlines()[0])
    return POSTGRES_URL


def require_redis() -> str:
    """The test Redis URL, once Redis answers PING there."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        _missing(f"Redis at {REDIS_URL}", str(error).strip().splitlines()[0])
    return REDIS_URL


def require_binary(path: str, install: str) -> str:
    if not os.path.exists(path):
        _missing(path, f"install it with {install}")
    return path


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def require_sentence_model() -> None:
    """The sentence model's package (analysis.sentence_vectors), as `make install` installs it."""
    from analysis import sentence_vectors

    if not sentence_vectors.available():
        _missing(f"The sentence model ({sentence_vectors.PACKAGE})", "not installed: make install")
