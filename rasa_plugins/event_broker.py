"""A Rasa event broker that writes the turn log.

Rasa publishes every new tracker event (as `Event.as_dict()` plus `sender_id`) to the configured
event broker. `TurnAssembler` folds those events into turn-log rows: a `user` event opens the turn,
the `bot`, `slot`, `action`, `pause` and `resume` events that follow fill it in. Staff messages (bot
events whose metadata says `"staff": true`) get rows of their own. A user message whose metadata
names a kind of traffic (`{"traffic": "loadtest"}`, one of stores.interface.TRAFFIC: tests, load
tests, staff trying the advisor) tags its conversation, which the miners then leave out.

Configure it in bot/endpoints.yml:

    event_broker:
      type: rasa_plugins.event_broker.TurnLogBroker
      path: data/turns.db          # optional; default $ADVISOR_TURN_LOG, else data/turns.db in the working directory

Recording never raises into Rasa: a failed write is logged as one error line and the conversation's
state is rebuilt from the database on its next event.

With several Rasa servers on one shared turn log (PostgreSQL: `path: postgresql://...`, or
`shared: true`), consecutive turns of a conversation may be taken by different servers, so what a
server remembers of a conversation may be stale: in shared mode the assembler rebuilds the
conversation's state (paused flag, needs, channel, the buttons last offered) from the turn log at
every shopper message, which is where a turn begins; the lock store makes sure no other server
writes that conversation meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from asyncio import AbstractEventLoop
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from knowledge.bot_domain import profile_slots
from knowledge.loader import get_catalog
from stores.interface import TRAFFIC, TurnStore
from stores.shared import default_location, turn_store

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_handle_fallback"})
# Events after which Rasa resets the tracker (slots and the paused flag).
RESET_EVENTS = frozenset({"restart", "session_started"})
PRODUCT_KINDS = {
    "product_cards": "recommended",
    "comparison_table": "compared",
    "comparison": "compared",
}
MAX_CONVERSATIONS = 1000
REMEMBERED_EVENTS = 100
REMEMBERED_STEPS = 60  # button payloads offered lately, per conversation
MAX_SHOWN_CHARS = 200


@lru_cache(maxsize=1)
def need_slots() -> frozenset[str]:
    """The slots that hold the needs profile: one per catalog need, plus priorities and exclusions.
    Read from the catalog at first use (no file is read when this module is imported)."""
    return frozenset(profile_slots(get_catalog().category))


@dataclass
class ConversationState:
    """What the assembler needs to remember about one conversation between events."""

    message_id: str | None = None  # the shopper turn that bot, slot and action events belong to
    needs: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    channel: str | None = None
    replaying: bool = False  # events after a user message that was already logged: skip them
    traffic: str | None = None  # the tag this conversation was given (stores.interface.TRAFFIC)
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=REMEMBERED_EVENTS))
    offered: OrderedDict[str, str] = field(default_factory=OrderedDict)  # payload -> its words

    def offer(self, steps: dict[str, str]) -> None:
        for payload, words in steps.items():
            self.offered[payload] = words
            self.offered.move_to_end(payload)
        while len(self.offered) > REMEMBERED_STEPS:
            self.offered.popitem(last=False)


def fingerprint(event: dict[str, Any]) -> str:
    """A stable digest of an event, to recognise the same event published twice."""
    text = json.dumps(event, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def entities_of(parse_data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: e.get(k) for k in ("entity", "value", "start", "end")}
        for e in parse_data.get("entities") or []
    ]


def offered_steps(data: dict[str, Any]) -> dict[str, str]:
    """The buttons a bot message offers, payload -> the words a click stands for: Rasa's buttons
    (their title) and the next steps inside a custom payload (their label, else their title)."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            payload, words = node.get("payload"), node.get("label") or node.get("title")
            if isinstance(payload, str) and isinstance(words, str) and payload and words:
                found[payload.strip()] = words
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data.get("buttons") or [])
    walk(data.get("quick_replies") or [])
    walk(data.get("custom") or {})
    return found


def shown_text(state: ConversationState, event: dict[str, Any]) -> str:
    """What the shopper's message says as the conversation shows it: a button's words, never its
    payload ('Talk to a person', not '/ask_human'). A payload the bot did not offer (a form's
    filled-in template) keeps the page's words for it when the page sent them as `shown`."""
    text = event.get("text") or ""
    if not text.startswith("/"):
        return text
    words = state.offered.get(text.strip())
    if words:
        return words
    shown = (event.get("metadata") or {}).get("shown")
    if isinstance(shown, str) and 0 < len(shown.strip()) <= MAX_SHOWN_CHARS:
        return shown.strip()
    return text


def products_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The products a custom payload shows, as turn-log product entries (those named as might
    also fit, too: the ones the text names)."""
    kind = payload.get("type")
    if kind == "nothing_fits":
        found = [
            {"id": p.get("id"), "kind": "near_miss", "fit": None}
            for p in payload.get("nearest") or []
        ]
        return found + might_fit_of(payload)
    if kind not in PRODUCT_KINDS:
        return []
    items = payload.get("items") or payload.get("products") or []
    found = [{"id": p.get("id"), "kind": PRODUCT_KINDS[kind], "fit": p.get("fit")} for p in items]
    return found + might_fit_of(payload)


def might_fit_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    part = payload.get("might_also_fit") or {}
    return [
        {"id": item.get("id"), "kind": "might_fit", "fit": None}
        for group in part.get("groups") or []
        for item in (group.get("items") or [])[: group.get("shown") or 0]
    ]


def buttons_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons (and quick replies) a bot message offers, as {title, payload}."""
    offered = [*(data.get("buttons") or []), *(data.get("quick_replies") or [])]
    return [
        {"title": b.get("title"), "payload": b.get("payload")}
        for b in offered
        if isinstance(b, dict)
    ]


class TurnAssembler:
    """Folds the stream of Rasa event dicts into turn-log rows."""

    def __init__(
        self, log: TurnStore, max_conversations: int = MAX_CONVERSATIONS, shared: bool = False
    ) -> None:
        self.log = log
        self.max_conversations = max_conversations
        self.shared = shared  # other servers write this log too: rebuild state at each turn
        self._states: OrderedDict[str, ConversationState] = OrderedDict()

    def handle(self, event: dict[str, Any]) -> None:
        """Record one event; raises on a database error (after forgetting the cached state)."""
        conversation_id = event.get("sender_id")
        if not conversation_id:
            return
        state = self._state(conversation_id)
        digest = fingerprint(event)
        if digest in state.seen:
            return
        if self.shared and event.get("event") == "user":
            self._refresh(state, conversation_id)
        try:
            self._apply(conversation_id, state, event)
        except Exception:
            self._states.pop(conversation_id, None)
            raise
        state.seen.append(digest)

    def _state(self, conversation_id: str) -> ConversationState:
        state = self._states.get(conversation_id)
        if state is not None:
            self._states.move_to_end(conversation_id)
            return state
        state = ConversationState()
        self._refresh(state, conversation_id)
        self._states[conversation_id] = state
        while len(self._states) > self.max_conversations:
            self._states.popitem(last=False)
        return state

    def _refresh(self, state: ConversationState, conversation_id: str) -> None:
        """The conversation's state as the turn log has it (another server may have written
        turns since this one last saw the conversation)."""
        state.paused = self.log.is_paused(conversation_id)
        last = self.log.last_turn(conversation_id, role="shopper")
        if last is None:
            return
        if self.shared and last["message_id"] != state.message_id:
            for response in last["responses"]:
                state.offer(offered_steps({"buttons": response.get("buttons") or []}))
        state.message_id = last["message_id"]
        state.needs = dict(last["needs"])
        state.channel = last["channel"]

    def _apply(self, conversation_id: str, state: ConversationState, event: dict[str, Any]):
        kind = event.get("event")
        metadata = event.get("metadata") or {}
        if kind == "user":
            self._user(conversation_id, state, event)
        elif kind == "bot" and metadata.get("staff"):
            self._staff(conversation_id, state, event, metadata)
        elif state.replaying:
            return
        elif kind == "bot":
            self._bot(conversation_id, state, event, metadata)
        elif kind == "slot" and event.get("name") in need_slots():
            self._slot(conversation_id, state, event["name"], event.get("value"))
        elif kind == "action" and event.get("name") in FALLBACK_ACTIONS:
            self._update_current(conversation_id, state, fallback=True)
        elif kind == "pause":
            self.log.set_paused(conversation_id, True)
            state.paused = True
            self._update_current(conversation_id, state, handoff=True)
        elif kind == "resume":
            self.log.set_paused(conversation_id, False)
            state.paused = False
        elif kind in RESET_EVENTS:
            if state.paused:
                self.log.set_paused(conversation_id, False)
            state.paused = False
            state.needs = {}
        elif kind == "reset_slots":
            state.needs = {}
            self._update_current(conversation_id, state, needs={})

    def _user(self, conversation_id: str, state: ConversationState, event: dict[str, Any]):
        parse_data = event.get("parse_data") or {}
        intent = parse_data.get("intent") or {}
        message_id = event.get("message_id") or f"user-{event.get('timestamp')}"
        message = {
            "conversation_id": conversation_id,
            "message_id": message_id,
            "text": shown_text(state, event),
            "channel": event.get("input_channel"),
            "intent": intent.get("name"),
            "confidence": intent.get("confidence"),
            "entities": entities_of(parse_data),
        }
        if intent.get("name") == FALLBACK_INTENT:
            message["fallback"] = True
        traffic = (event.get("metadata") or {}).get("traffic")
        if traffic in TRAFFIC and traffic != state.traffic:
            self.log.tag_traffic(conversation_id, traffic)
            state.traffic = traffic
        if self.log.turn(conversation_id, message_id) is not None:
            # Published again (Rasa re-sends a tail of events when the tracker store returns an
            # older tracker): refresh the message, and skip the events that follow it until the
            # next new message, since they were recorded the first time.
            self.log.write_turn(message)
            state.replaying = True
            return
        state.replaying = False
        self.log.write_turn(self._turn(state, message, "shopper", event.get("timestamp")))
        state.message_id = message_id
        state.channel = event.get("input_channel") or state.channel

    def _staff(
        self,
        conversation_id: str,
        state: ConversationState,
        event: dict[str, Any],
        metadata: dict[str, Any],
    ) -> None:
        message_id = metadata.get("message_id") or f"staff-{event.get('timestamp')}"
        if self.log.turn(conversation_id, message_id) is not None:
            return
        message = {
            "conversation_id": conversation_id,
            "message_id": message_id,
            "text": event.get("text") or "",
            "channel": metadata.get("channel") or state.channel,
        }
        self.log.write_turn(self._turn(state, message, "staff", event.get("timestamp")))

    @staticmethod
    def _turn(
        state: ConversationState, message: dict[str, Any], role: str, ts: float | None
    ) -> dict[str, Any]:
        """A new row: the message, who wrote it and when, with the needs and pause state now."""
        return {**message, "role": role, "ts": ts, "needs": state.needs, "paused": state.paused}

    def _bot(
        self,
        conversation_id: str,
        state: ConversationState,
        event: dict[str, Any],
        metadata: dict[str, Any],
    ) -> None:
        state.offer(offered_steps(event.get("data") or {}))
        if state.message_id is None:
            logger.debug("turn log: bot message before any user message in %s", conversation_id)
            return
        data = event.get("data") or {}
        payload = data.get("custom") or {}
        fields: dict[str, Any] = {}
        if payload.get("type") == "nothing_fits":
            kept = {k: v for k, v in payload.items() if k not in ("type", "might_also_fit")}
            fields["nothing_fits"] = kept
        response = {"response": metadata.get("utter_action"), "text": event.get("text") or ""}
        if event.get("timestamp"):
            # The answer's own time: a note pushed later (a person joining, the closing notice)
            # is filed with the last shopper message but sorts where it happened.
            response["ts"] = event["timestamp"]
        buttons = buttons_of(data)
        if buttons:  # what the shopper can click next (the miners tell quick replies by them)
            response["buttons"] = buttons
        self.log.extend_turn(
            conversation_id,
            state.message_id,
            responses=[response],
            products=products_of(payload),
            **fields,
        )

    def _slot(self, conversation_id: str, state: ConversationState, name: str, value: Any):
        needs = dict(state.needs)
        if value is None or value == []:  # unset, as NeedsProfile.to_dict leaves them out
            needs.pop(name, None)
        else:
            needs[name] = value
        if needs == state.needs:
            return
        self._update_current(conversation_id, state, needs=needs)
        state.needs = needs

    def _update_current(self, conversation_id: str, state: ConversationState, **fields: Any):
        if state.message_id is not None:
            self.log.update_turn(conversation_id, state.message_id, **fields)


class TurnLogBroker(EventBroker):
    """Rasa event broker that records dialog turns in the turn log (see the module docstring)."""

    def __init__(
        self,
        path: str | Path | None = None,
        max_conversations: int = MAX_CONVERSATIONS,
        shared: bool | None = None,
    ) -> None:
        # A URL (postgresql://...) stays as it is; anything else is a SQLite file's path.
        where = os.fspath(path) if path else default_location()
        self.path: str | Path = where if "://" in where else Path(where)
        self.max_conversations = max_conversations
        if shared is None:  # a database server is there to be shared by several Rasa servers
            shared = "://" in where and not where.startswith("sqlite:")
        self.shared = shared
        self._assembler: TurnAssembler | None = None
        self._open()

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig | None,
        event_loop: AbstractEventLoop | None = None,
    ) -> TurnLogBroker | None:
        """Called by Rasa's EventBroker.create with the `event_broker` endpoint section."""
        if broker_config is None:
            return None
        options = broker_config.kwargs
        shared = options.get("shared")
        return cls(
            path=options.get("path") or None,
            max_conversations=int(options.get("max_conversations") or MAX_CONVERSATIONS),
            shared=None if shared in (None, "") else str(shared).lower() in ("true", "1", "yes"),
        )

    def _open(self) -> TurnAssembler | None:
        if self._assembler is None:
            try:
                log = turn_store(self.path)
            except Exception as error:
                logger.error("turn log %s: cannot open the database: %s", self.path, error)
                return None
            self._assembler = TurnAssembler(log, self.max_conversations, self.shared)
            logger.info("Recording dialog turns in %s", self.path)
        return self._assembler

    def publish(self, event: dict[str, Any]) -> None:
        """Record one event; never raises (a failure is logged as one error line)."""
        assembler = self._open()
        if assembler is None:
            return
        try:
            assembler.handle(event)
        except Exception as error:
            logger.error(
                "turn log %s: could not record the %s event of conversation %s: %s: %s",
                self.path,
                event.get("event"),
                event.get("sender_id"),
                type(error).__name__,
                error,
            )
            logger.debug("turn log failure details", exc_info=True)

    def is_ready(self) -> bool:
        return self._open() is not None

    async def close(self) -> None:
        """Forget the conversations; the turn log is the process's (stores.shared), closed at exit."""
        self._assembler = None
