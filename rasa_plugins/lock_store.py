"""Rasa's Redis lock store with its ticket book kept atomically, for several Rasa servers.

Rasa 3.6's RedisLockStore keeps a conversation's ticket lock as one JSON value and changes it by
read, modify, write (`issue_ticket`, `update_lock`, `cleanup`). Two servers taking a message of
one conversation at the same moment can both read the lock before either writes it: both get the
same ticket, both run the turn at once, and the tracker store keeps the events of only one of
them (its save appends the events past the count it finds). Here each of those changes runs under
a short Redis mutex of its own (redis-py's Lock: SET NX PX and a scripted release), so tickets are
issued one at a time, in order, across every server. Rasa's waiting, expiry and order of service
are unchanged.

Configured as `lock_store: {type: rasa_plugins.lock_store.SerialRedisLockStore, url: ..., port:
..., db: ..., key_prefix: ...}` (ops/scaled.py writes it); written for Rasa 3.6 and refused on any
other version, like every patch (rasa_plugins/patches.py).
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore

from rasa_plugins.patches import Patch, check_version

MUTEX_SECONDS = 10.0  # longest a ticket-book change may hold the mutex (it takes milliseconds)


class SerialRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket-book changes are serialised by a Redis mutex."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        check_version(Patch("serial-lock-store", "atomic ticket locks", __name__, lambda: None))
        if endpoint_config is not None:  # Rasa hands a module-path lock store its endpoint
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: str):
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:book",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
            sleep=0.005,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving and the delete of an idle lock, as one change
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
