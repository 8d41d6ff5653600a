"""What a store offers, whatever holds its data: `TurnStore` (the turn log), `HandoffStore` (the
support queue), and the support desk's `StaffStore` (named staff accounts and their log-in
sessions), `AuditStore` (who did what), `NoteStore` (internal notes on a conversation),
`RatingStore` (shoppers' ratings of a support chat) and `TypingStore` (who is typing right now).

Callers (the Rasa event broker, the actions, the web app, the miners and the CLI) depend on these
Protocols, not on SQLite, so a second backend (PostgreSQL) is one more class implementing them and
one more entry in `stores.shared.BACKENDS`; the callers and the backend-parametrized tests in
tests/stores stay as they are. The methods are abstract, so an implementation that misses one
cannot be instantiated. The few methods that are the same for every backend are written here once.

Rows come back as plain dicts: JSON columns decoded, flags as bool. Turn columns are listed in
`stores.rules.COLUMNS`; a handoff has id, conversation_id, created_ts, summary (a dict), status,
claimed_by, claimed_ts and closed_ts. The support desk's rows are described with each store; the
rules they share (names, secret hashing, session lifetimes, the rating summary) are in
`stores.desk_rules`.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

from stores import desk_rules

Turn = dict[str, Any]
Handoff = dict[str, Any]

ROLES = ("shopper", "staff")
# Conversations that are not real shoppers: automated tests, load tests, staff trying the advisor.
# The miners leave them out unless told otherwise.
TRAFFIC = ("test", "loadtest", "staff")

WAITING, CLAIMED, CLOSED, RETURNED = "waiting", "claimed", "closed", "returned"
ABANDONED = "abandoned"  # left the queue: no shopper message for the set time, nobody claimed it
STATUSES = (WAITING, CLAIMED, CLOSED, RETURNED, ABANDONED)
OPEN = (WAITING, CLAIMED)
ENDED = (CLOSED, RETURNED, ABANDONED)


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
    def abandon(self, conversation_id: str, now: float | None = None) -> bool:
        """End a waiting handoff as `abandoned` (the shopper stopped writing and nobody claimed
        it); False if the conversation has no waiting handoff (any more)."""

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


Account = dict[str, Any]
Session = dict[str, Any]
Entry = dict[str, Any]


@runtime_checkable
class StaffStore(Releasable, Protocol):
    """Named staff accounts and their log-in sessions.

    An account has name (as typed, shown to shoppers), created_ts, secret_ts (when its secret was
    last set) and last_login_ts; names are unique regardless of case. Only a hash of the secret
    is kept, and it is shown once, when made. A session has name, account (the account's name,
    or None for a first-start log-in with the shared staff token), created_ts, expires_ts and
    last_seen_ts; the store keeps only a hash of its token. Removing an account or resetting its
    secret ends its sessions.
    """

    def add_account(self, name: str, now: float | None = None) -> str:
        """Create an account; returns its secret (shown once). ValueError for a bad or taken
        name."""
        name = desk_rules.clean_name(name)
        secret = desk_rules.new_secret()
        self.create_account(name, desk_rules.hash_secret(secret), _now(now))
        return secret

    def reset_secret(self, name: str, now: float | None = None) -> str:
        """Give an account a new secret (returned, shown once) and end its sessions. KeyError if
        there is no such account."""
        secret = desk_rules.new_secret()
        if not self.set_secret_hash(name, desk_rules.hash_secret(secret), _now(now)):
            raise KeyError(f"no staff account {name!r}")
        return secret

    def verify(self, name: str, secret: str, now: float | None = None) -> Account | None:
        """The account if `secret` is its secret (its last log-in is recorded), else None. An
        unknown name costs as long to refuse as a wrong secret."""
        try:
            key = desk_rules.name_key(name)
        except ValueError:
            key = None
        found = self.account_with_hash(key) if key else None
        stored = found["secret_hash"] if found else desk_rules.unknown_account_hash()
        if not desk_rules.secret_matches(secret or "", stored) or found is None:
            return None
        self.record_login(found["name"], _now(now))
        return {k: v for k, v in found.items() if k != "secret_hash"}

    def start_session(self, name: str, account: str | None, now: float | None = None) -> str:
        """A new session for `name` (the account's, or a typed name at first start); returns its
        token, for the cookie."""
        now = _now(now)
        token = desk_rules.new_session_token()
        expires = now + desk_rules.SESSION_SECONDS
        self.create_session(desk_rules.session_key(token), name, account, now, expires)
        return token

    def session(self, token: str, now: float | None = None) -> Session | None:
        """The live session of `token`, else None (an expired one is deleted). Its last-seen
        time is written at most every TOUCH_SECONDS."""
        now = _now(now)
        key = desk_rules.session_key(token or "")
        found = self.session_row(key)
        if found is None:
            return None
        if desk_rules.session_expired(found, now):
            self.delete_session(key)
            return None
        if now - found["last_seen_ts"] >= desk_rules.TOUCH_SECONDS:
            self.touch_session(key, now)
        return found

    def end_session(self, token: str) -> None:
        self.delete_session(desk_rules.session_key(token or ""))

    @abstractmethod
    def create_account(self, name: str, secret_hash: str, now: float) -> None:
        """ValueError if an account has this name (in any case)."""

    @abstractmethod
    def set_secret_hash(self, name: str, secret_hash: str, now: float) -> bool:
        """Set the account's secret hash and end its sessions; False if there is no such
        account."""

    @abstractmethod
    def remove_account(self, name: str) -> bool:
        """Delete the account and its sessions; False if there is no such account."""

    @abstractmethod
    def account_with_hash(self, key: str) -> Account | None:
        """The account whose desk_rules.name_key is `key`, with its secret_hash."""

    @abstractmethod
    def accounts(self, now: float | None = None) -> list[Account]:
        """Every account by name, without hashes, each with `sessions` (its live sessions)."""

    @abstractmethod
    def has_accounts(self) -> bool: ...

    @abstractmethod
    def record_login(self, name: str, now: float) -> None: ...

    @abstractmethod
    def create_session(
        self, key: str, name: str, account: str | None, now: float, expires: float
    ) -> None: ...

    @abstractmethod
    def session_row(self, key: str) -> Session | None: ...

    @abstractmethod
    def touch_session(self, key: str, now: float) -> None: ...

    @abstractmethod
    def delete_session(self, key: str) -> None: ...

    @abstractmethod
    def purge_sessions(self, now: float | None = None) -> int:
        """Delete expired sessions; returns how many."""

    @abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:
        self._let_go()


@runtime_checkable
class AuditStore(Releasable, Protocol):
    """Who did what: one entry per staff action (log-in, claim, reply, note, hand back, close),
    per account change and per abandoned handoff. An entry has id, ts, actor (a staff name, or
    "system"), via (desk_rules.VIA: how the actor was identified), action (desk_rules.
    AUDIT_ACTIONS), conversation_id (None for log-ins and account changes) and detail (a dict).
    Entries are only ever added."""

    @abstractmethod
    def record(
        self,
        action: str,
        actor: str,
        via: str,
        conversation_id: str | None = None,
        detail: dict[str, Any] | None = None,
        now: float | None = None,
    ) -> Entry:
        """Add an entry (ValueError for an unknown action or via, before anything is written)."""

    @abstractmethod
    def for_conversation(self, conversation_id: str) -> list[Entry]:
        """The conversation's entries, oldest first."""

    @abstractmethod
    def entries(
        self, since: float | None = None, until: float | None = None, limit: int | None = None
    ) -> list[Entry]:
        """Entries with since <= ts < until, newest first, at most `limit`."""

    @abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:
        self._let_go()


@runtime_checkable
class NoteStore(Releasable, Protocol):
    """Internal notes staff keep on a conversation; the shopper never sees them. A note has id,
    conversation_id, author, text (redacted like a turn) and ts."""

    @abstractmethod
    def add_note(
        self, conversation_id: str, author: str, text: str, now: float | None = None
    ) -> Entry:
        """ValueError for an empty or over-long note (desk_rules.check_note)."""

    @abstractmethod
    def notes(self, conversation_id: str) -> list[Entry]:
        """The conversation's notes, oldest first."""

    @abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:
        self._let_go()


@runtime_checkable
class RatingStore(Releasable, Protocol):
    """Shoppers' ratings of a closed support chat: one per handoff. A rating has id, handoff_id,
    conversation_id, score (1-5), comment (redacted, may be empty), staff (who closed the chat)
    and ts. The insights page reads `summary` (or `ratings`) for a time window."""

    @abstractmethod
    def rate(
        self,
        handoff_id: int,
        conversation_id: str,
        score: int,
        comment: str = "",
        staff: str | None = None,
        now: float | None = None,
    ) -> bool:
        """Record the rating; False if that handoff was rated already (the first one stays).
        ValueError for a score outside 1-5 or an over-long comment."""

    @abstractmethod
    def rating(self, handoff_id: int) -> Entry | None: ...

    @abstractmethod
    def ratings(
        self,
        since: float | None = None,
        until: float | None = None,
        conversation_id: str | None = None,
    ) -> list[Entry]:
        """Ratings with since <= ts < until, oldest first."""

    def summary(self, since: float | None = None, until: float | None = None) -> dict[str, Any]:
        """count, average, distribution ({"1": n, ... "5": n}), by_staff and latest_comments of
        the ratings in the window (desk_rules.rating_summary)."""
        return desk_rules.rating_summary(self.ratings(since, until))

    @abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:
        self._let_go()


@runtime_checkable
class TypingStore(Releasable, Protocol):
    """Who is typing in a conversation right now: the side path of the chat that is never a turn.

    A signal holds for desk_rules.TYPING_SECONDS unless repeated; one row per conversation and
    role (shopper, staff), overwritten each time. A store shared by every Rasa server and web app
    process makes the shopper's typing visible to an agent whichever servers they are on."""

    @abstractmethod
    def set_typing(
        self,
        conversation_id: str,
        role: str,
        typing: bool,
        name: str | None = None,
        now: float | None = None,
    ) -> None: ...

    @abstractmethod
    def typing(self, conversation_id: str, now: float | None = None) -> list[Entry]:
        """Who is typing: [{"role", "name", "since"}], shopper first."""

    @abstractmethod
    def purge(self, now: float | None = None) -> int:
        """Delete the signals that have lapsed; returns how many."""

    @abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:
        self._let_go()


def _now(now: float | None) -> float:
    return time.time() if now is None else now
