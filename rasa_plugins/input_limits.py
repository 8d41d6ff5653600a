"""Limits on what a shopper may send, shared by the socket.io and REST channels.

- MAX_MESSAGE_CHARS: a longer message is refused with a reply that says so.
- RateLimiter: at most RATE_LIMIT_MESSAGES messages per RATE_LIMIT_SECONDS per conversation (a
  person typing never gets near it; a script flooding one conversation does).
- SESSION_ID: the shape of a conversation id the widget makes (128 random bits as 32 hex digits);
  the socket.io channel accepts no other, so ids cannot be chosen to land in someone else's chat.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 500
MAX_REQUEST_BYTES = 16_384  # one socket.io packet or REST request body
RATE_LIMIT_MESSAGES = 30
RATE_LIMIT_SECONDS = 60.0
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")

TOO_LONG = (
    f"That message is too long for me (over {MAX_MESSAGE_CHARS} characters). "
    "Please send it in shorter parts."
)
TOO_FAST = (
    "You're sending messages faster than I can answer them. Please wait a few seconds and try "
    "again."
)


def allowed_origins() -> list[str] | None:
    """Origins whose pages may open the chat socket: $ADVISOR_ALLOWED_ORIGINS (comma-separated),
    else None, which means the server's own origin only."""
    given = os.environ.get("ADVISOR_ALLOWED_ORIGINS", "")
    origins = [o.strip().rstrip("/") for o in given.split(",") if o.strip()]
    return origins or None


class RateLimiter:
    """A sliding window of event times per key (messages per conversation, wrong tokens per
    address); memory stays bounded by forgetting keys whose window has emptied."""

    def __init__(
        self,
        limit: int = RATE_LIMIT_MESSAGES,
        seconds: float = RATE_LIMIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError("a rate limit needs at least 1 message per a positive time")
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._times: dict[str, deque[float]] = {}
        self._checks = 0

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False when the window is full (and it is not counted)."""
        if self.full(key):
            return False
        self.count(key)
        return True

    def full(self, key: str) -> bool:
        """Whether `key` has had `limit` events within the last `seconds`."""
        now = self.clock()
        self._checks += 1
        if self._checks % 1024 == 0:
            self._forget_idle(now)
        times = self._times.get(key)
        while times and now - times[0] >= self.seconds:
            times.popleft()
        return bool(times) and len(times) >= self.limit

    def count(self, key: str) -> None:
        """Record one event for `key` (e.g. a failure, counted whether or not it was allowed)."""
        self._times.setdefault(key, deque()).append(self.clock())

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, t in self._times.items() if not t or now - t[-1] >= self.seconds]
        for key in idle:
            del self._times[key]

    def __len__(self) -> int:
        return len(self._times)


RATE_REDIS_ENV = "ADVISOR_RATE_REDIS_URL"  # set by the scaled run (ops/scaled.py)
# One event in the window of KEYS[1] unless it is full: ARGV = now, window seconds, limit, member.
_ALLOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 1
"""


class RedisRateLimiter:
    """RateLimiter's sliding windows kept in Redis (one sorted set per key, expiring with its
    window), so that N servers behind a balancer enforce one limit between them, not N."""

    def __init__(
        self,
        url: str,
        name: str,
        limit: int = RATE_LIMIT_MESSAGES,
        seconds: float = RATE_LIMIT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import redis

        if limit < 1 or seconds <= 0:
            raise ValueError("a rate limit needs at least 1 message per a positive time")
        self.limit, self.seconds, self.clock = limit, seconds, clock
        # one deployment's counters apart from another's sharing the Redis (a bench, a load test)
        deployment = hashlib.sha256(os.environ.get("ADVISOR_DATABASE", "").encode()).hexdigest()
        self.prefix = f"advisor:rate:{deployment[:12]}:{name}:"
        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._allow = self.redis.register_script(_ALLOW)
        self._serial = 0
        # while Redis cannot be reached, this process's own windows keep the limit (per server)
        self.local = RateLimiter(limit, seconds, clock)
        self._errors = redis.RedisError
        self._warned = 0.0

    def _unreachable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned > 60:
            self._warned = now
            logger.warning("rate limits kept per server: Redis unreachable (%s)", error)

    def _member(self, now: float) -> str:
        self._serial += 1
        return f"{now:.6f}:{os.getpid()}:{id(self)}:{self._serial}"

    def allow(self, key: str) -> bool:
        now = self.clock()
        args = [now, self.seconds, self.limit, self._member(now)]
        try:
            return bool(self._allow(keys=[self.prefix + key], args=args))
        except self._errors as error:
            self._unreachable(error)
            return self.local.allow(key)

    def full(self, key: str) -> bool:
        now = self.clock()
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(self.prefix + key, "-inf", now - self.seconds)
        pipe.zcard(self.prefix + key)
        try:
            return pipe.execute()[1] >= self.limit
        except self._errors as error:
            self._unreachable(error)
            return self.local.full(key)

    def count(self, key: str) -> None:
        now = self.clock()
        pipe = self.redis.pipeline()
        pipe.zadd(self.prefix + key, {self._member(now): now})
        pipe.expire(self.prefix + key, int(self.seconds) + 1)
        try:
            pipe.execute()
        except self._errors as error:
            self._unreachable(error)
            self.local.count(key)


def rate_limiter(
    name: str, limit: int = RATE_LIMIT_MESSAGES, seconds: float = RATE_LIMIT_SECONDS
) -> RateLimiter | RedisRateLimiter:
    """The limiter for `name`: in Redis when $ADVISOR_RATE_REDIS_URL is set (the scaled run, so
    N servers share one limit), else in this process."""
    url = os.environ.get(RATE_REDIS_ENV, "")
    if url:
        return RedisRateLimiter(url, name, limit, seconds)
    return RateLimiter(limit, seconds)
