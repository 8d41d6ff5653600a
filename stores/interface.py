"""What a store offers, whatever holds its data: `TurnStore` (the turn log) and `HandoffStore`
(the support queue).

Callers (the Rasa event broker, the actions, the web app, the miners and the CLI) depend on these
Protocols, not on SQLite, so a second backend (PostgreSQL) is one more class implementing them and
one more entry in `stores.shared.BACKENDS`; the callers and the backend-parametrized tests in
tests/stores stay as they are. The methods are abstract, so an implementation that misses one
cannot be instantiated. The few methods that are the same for every backend are written here once.

Rows come back as plain dicts: JSON columns decoded, flags as bool. Turn columns are listed in
`stores.rules.COLUMNS`; a handoff has id, conversation_id, created_ts, summary (a dict), status,
claimed_by, claimed_ts and closed_ts.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

Turn = dict[str, Any]
Handoff = dict[str, Any]

ROLES = ("shopper", "staff")
# Conversations that are not real shoppers: automated tests, load tests, staff trying the advisor.
# The miners leave them out unless told otherwise.
TRAFFIC = ("test", "loadtest", "staff")

WAITING, CLAIMED, CLOSED, RETURNED = "waiting", "claimed", "closed", "returned"
STATUSES = (WAITING, CLAIMED, CLOSED, RETURNED)
OPEN = (WAITING, CLAIMED)
ENDED = (CLOSED, RETURNED)


class StoreClosed(RuntimeError):
    """An operation on a store handle after its close(): a bug in the caller, not a data error."""


Handle = TypeVar("Handle", bound="Releasable")


class Releasable(Protocol):
    """A store handle's lifetime. A process-wide store (stores.shared) belongs to the process:
    its users' close() leaves it open, so one user cannot close it under the others; only
    stores.shared.close_all() releases it."""

    process_wide: bool = False

    @abstractmethod
    def release(self) -> None:
        """Let go of the handle for good (idempotent); what it shared closes with its last user."""

    def _let_go(self) -> None:
        if not self.process_wide:
            self.release()

    def __enter__(self: Handle) -> Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._let_go()


@runtime_checkable
class TurnStore(Releasable, Protocol):
    """One row per shopper or staff message, keyed by (conversation_id, message_id).

    Every write is one transaction; writing a known (conversation_id, message_id) again updates
    that row instead of adding one; text and entity values are redacted before they are written.
    """

    @abstractmethod
    def write_turns(self, turns: Iterable[Turn]) -> int:
        """Insert or update many turns; returns how many were written.

        On update only the keys present change. On insert a missing `turn` number is the
        conversation's next one, a missing `ts` is now, `role` defaults to 'shopper' and `text`
        to ''. A bad turn raises ValueError before anything of its batch is written.
        """

    def write_turn(self, turn: Turn) -> None:
        """Insert or update one turn (see write_turns) in one transaction."""
        self.write_turns([turn])

    def update_turn(self, conversation_id: str, message_id: str, **fields: Any) -> None:
        """Set `fields` on an existing turn (lists are replaced; see extend_turn).

        Raises KeyError if there is no such turn."""
        self.change_turn(conversation_id, message_id, fields, {})

    def extend_turn(
        self,
        conversation_id: str,
        message_id: str,
        responses: Iterable[dict[str, Any]] = (),
        products: Iterable[dict[str, Any]] = (),
        **fields: Any,
    ) -> None:
        """In one transaction: append to a turn's responses and products, set other `fields`.

        Raises KeyError if there is no such turn."""
        appended = {"responses": list(responses), "products": list(products)}
        self.change_turn(conversation_id, message_id, fields, appended)

    @abstractmethod
    def change_turn(
        self,
        conversation_id: str,
        message_id: str,
        fields: dict[str, Any],
        appended: dict[str, list[dict[str, Any]]],
    ) -> None:
        """In one transaction: set `fields` and append the items of `appended` (column -> items)
        to an existing turn. Raises KeyError if there is no such turn, ValueError for bad fields
        (stores.rules.check_fields)."""

    @abstractmethod
    def set_paused(self, conversation_id: str, paused: bool) -> None:
        """Remember whether a person has taken over the conversation (Rasa pause/resume)."""

    @abstractmethod
    def is_paused(self, conversation_id: str) -> bool: ...

    @abstractmethod
    def turn(self, conversation_id: str, message_id: str) -> Turn | None: ...

    @abstractmethod
    def last_turn(self, conversation_id: str, role: str | None = None) -> Turn | None:
        """The conversation's latest turn (highest turn number), of `role` if given, or None."""

    @abstractmethod
    def iter_turns(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> Iterator[Turn]:
        """Stream turns with since <= ts < until, ordered by (ts, id), without loading them all.

        The stream sees one consistent snapshot and does not hold up writers."""

    @abstractmethod
    def conversation(self, conversation_id: str) -> list[Turn]:
        """All turns of one conversation, in turn order."""

    @abstractmethod
    def recent(self, limit: int = 20) -> list[Turn]:
        """The latest `limit` turns across conversations, oldest first."""

    @abstractmethod
    def tag_traffic(self, conversation_id: str, traffic: str | None) -> None:
        """Mark a conversation as one of TRAFFIC (None: a real shopper again). Raises ValueError
        for another tag."""

    @abstractmethod
    def tagged_traffic(self) -> dict[str, str]:
        """Every tagged conversation: conversation id -> its TRAFFIC tag."""

    @abstractmethod
    def mark_sample(self) -> None:
        """Record that this log holds simulated conversations (`advisor simulate`), not shoppers."""

    @abstractmethod
    def is_sample(self) -> bool: ...

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def integrity_ok(self) -> bool:
        """Whether the backend's own consistency check passes (after a crash, for instance)."""

    def close(self) -> None:
        """Let go of this handle (a process-wide store stays open)."""
        self._let_go()


@runtime_checkable
class HandoffStore(Releasable, Protocol):
    """Conversations handed from the bot to a person.

    A handoff is `waiting` until a staff member claims it (`claimed`) and ends `returned` (handed
    back to the bot) or `closed`. A conversation has at most one open (waiting or claimed) handoff;
    asking again while one is open refreshes its summary and keeps its place in the queue. Of two
    staff claiming at once exactly one wins.
    """

    @abstractmethod
    def enqueue(
        self, conversation_id: str, summary: dict[str, Any], now: float | None = None
    ) -> Handoff:
        """Put a conversation in the queue (or refresh the summary of its open handoff)."""

    @abstractmethod
    def claim(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        """Claim a waiting conversation for `staff`; False if it is not waiting (any more)."""

    @abstractmethod
    def finish(
        self, conversation_id: str, staff: str, status: str, now: float | None = None
    ) -> bool:
        """End the handoff `staff` has claimed as `returned` or `closed`; False if they do not
        hold it."""

    def hand_back(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        return self.finish(conversation_id, staff, RETURNED, now)

    def close(self, conversation_id: str, staff: str, now: float | None = None) -> bool:
        """End the support case (a handoff operation; close_db lets go of the store)."""
        return self.finish(conversation_id, staff, CLOSED, now)

    @abstractmethod
    def current(self, conversation_id: str) -> Handoff | None:
        """The conversation's open handoff, else its latest one, else None."""

    @abstractmethod
    def open_handoffs(self, now: float | None = None) -> list[Handoff]:
        """Waiting and claimed handoffs, oldest first, each with `wait_seconds` (time waited
        until claimed, or until now while waiting)."""

    @abstractmethod
    def recent(self, limit: int = 20) -> list[Handoff]:
        """The latest ended handoffs, newest first."""

    @abstractmethod
    def handoffs_between(self, since: float | None, until: float | None) -> list[Handoff]:
        """Every handoff created at since <= created_ts < until (None: unbounded), oldest first."""

    @abstractmethod
    def position(self, conversation_id: str) -> int | None:
        """1 for the longest-waiting conversation; None if this one is not waiting."""

    @abstractmethod
    def typical_wait(self, now: float | None = None) -> float | None:
        """The median wait until a person joined, over the latest claims of the last two weeks;
        None when there is no such history."""

    @abstractmethod
    def schema_version(self) -> int: ...

    def close_db(self) -> None:
        """Let go of this handle (a process-wide store stays open)."""
        self._let_go()
