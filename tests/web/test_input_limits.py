"""The sliding-window rate limiter shared by the chat channels and the staff login."""

from __future__ import annotations

import pytest

from rasa_plugins.input_limits import RateLimiter, allowed_origins


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_per_window_and_others_are_untouched():
    clock = Clock()
    limiter = RateLimiter(limit=3, seconds=10, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    clock.now += 9.9
    assert not limiter.allow("a")  # refused messages do not extend the window
    clock.now += 0.1
    assert limiter.allow("a")


def test_counting_without_asking_and_forgetting_idle_keys():
    clock = Clock()
    limiter = RateLimiter(limit=2, seconds=5, clock=clock)
    limiter.count("address")
    assert not limiter.full("address")
    limiter.count("address")
    assert limiter.full("address")
    for n in range(5000):
        limiter.allow(f"shopper-{n}")
        clock.now += 0.01  # 50 s in all: the early keys' windows have emptied
    # at most the keys of the last window (500) plus those since the last sweep (every 1024)
    assert len(limiter) <= 500 + 1024 < 5000


def test_a_limit_needs_a_positive_count_and_window():
    with pytest.raises(ValueError):
        RateLimiter(limit=0)
    with pytest.raises(ValueError):
        RateLimiter(seconds=0)


def test_allowed_origins_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("ADVISOR_ALLOWED_ORIGINS", raising=False)
    assert allowed_origins() is None
    monkeypatch.setenv("ADVISOR_ALLOWED_ORIGINS", " https://shop.example/ ,,")
    assert allowed_origins() == ["https://shop.example"]
