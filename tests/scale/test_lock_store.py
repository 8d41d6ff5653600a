"""The lock store of the scaled run against the machine's Redis: tickets issued from several
servers at once are all different, and turns holding the lock never overlap. Rasa's own
RedisLockStore, changing its ticket book by unguarded read and write, hands out the same ticket
twice under the same load (shown here too, so the test proves what the subclass fixes)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest
from rasa.core.lock_store import RedisLockStore

from rasa_plugins.lock_store import SerialRedisLockStore
from tests.services import require_redis

SERVERS, MESSAGES = 6, 8


def stores(kind, url: str) -> list:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    prefix = f"t{uuid.uuid4().hex[:10]}"
    return [
        kind(host=parts.hostname, port=parts.port or 6379, db=int(parts.path.strip("/") or 0),
             key_prefix=prefix)
        for _ in range(SERVERS)
    ]  # fmt: skip


def issue_at_once(servers, conversation: str) -> list[int]:
    """Every server issues MESSAGES tickets for one conversation, all threads released together."""
    start, tickets, guard = threading.Barrier(len(servers)), [], threading.Lock()

    def run(store) -> None:
        start.wait()
        for _ in range(MESSAGES):
            ticket = store.issue_ticket(conversation, 60)
            with guard:
                tickets.append(ticket)

    threads = [threading.Thread(target=run, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_tickets_from_several_servers_at_once_are_all_different() -> None:
    url = require_redis()
    tickets = issue_at_once(stores(SerialRedisLockStore, url), "c1")
    assert sorted(tickets) == list(range(SERVERS * MESSAGES))


def test_rasas_own_store_hands_out_a_ticket_twice_under_the_same_load() -> None:
    url = require_redis()
    for attempt in range(10):  # a race: it shows in nearly every run, so try a few times
        tickets = issue_at_once(stores(RedisLockStore, url), f"c{attempt}")
        if len(set(tickets)) < len(tickets):
            return
    pytest.fail("Rasa's RedisLockStore issued distinct tickets ten times: the race is gone")


def test_turns_holding_the_lock_on_different_servers_never_overlap() -> None:
    url = require_redis()
    servers = stores(SerialRedisLockStore, url)[:3]
    inside, overlaps, done = [0], [0], []
    guard = threading.Lock()

    async def turn(store) -> None:
        async with store.lock("c-turns", lock_lifetime=30, wait_time_in_seconds=0.01):
            with guard:
                inside[0] += 1
                overlaps[0] += inside[0] > 1
            time.sleep(0.02)  # a turn's work, blocking as Rasa's loop would be
            with guard:
                inside[0] -= 1
                done.append(1)

    async def turns(store) -> None:
        await asyncio.gather(*(turn(store) for _ in range(4)))

    def server(store) -> None:
        asyncio.run(turns(store))

    threads = [threading.Thread(target=server, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 12 and overlaps[0] == 0
    assert servers[0].get_lock("c-turns") is None  # the last one out removed the lock


def test_the_endpoint_form_reaches_redis() -> None:
    from rasa.utils.endpoints import EndpointConfig

    url = require_redis()
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    config = EndpointConfig(
        url=parts.hostname, type="rasa_plugins.lock_store.SerialRedisLockStore",
        port=parts.port or 6379, db=0, key_prefix="tendpoint",
    )  # fmt: skip
    from rasa.core.lock_store import LockStore

    store = LockStore.create(config)
    assert isinstance(store, SerialRedisLockStore) and store.key_prefix.startswith("tendpoint:")
    assert store.issue_ticket("c-endpoint", 5) == 0
    store.cleanup("c-endpoint", 0)
    assert store.get_lock("c-endpoint") is None
