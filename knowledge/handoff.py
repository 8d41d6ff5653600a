"""What a person taking a conversation over needs to read first, from the conversation's events
(Rasa tracker events as dicts, oldest first): the last messages without the greeting, the last
recommendation in whole, and the shopper's last question the advisor could not answer.

An exchange is one shopper message and the advisor's replies to it. The greeting is the exchange
of a `greet` message and anything the advisor said before the shopper's first message. A
question went unanswered when the advisor did not understand it (the fallback intent or a
fallback reply), took it as off topic, could not look the answer up (a failed action's reply),
or said nothing at all (it was paused); a later reply from a person answers it. The message that asked for a person
(the latest one) is never the unanswered question.

Every text is redacted (stores.redact) before it goes into a summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stores.redact import redact

Event = dict[str, Any]

LAST_MESSAGES = 5
GREETING_INTENTS = frozenset({"greet"})
FALLBACK_INTENT = "nlu_fallback"
# Replies that mean the advisor did not answer: it did not understand, offered a person after
# not understanding twice, took the message as off topic, or could not look the answer up
# (rasa_plugins.resilient_actions).
NOT_ANSWERS = {
    "utter_default": "not understood",
    "utter_offer_human": "not understood",
    "utter_out_of_scope": "taken as off topic",
    "utter_action_unavailable": "could not be looked up",
}
CARDS = "product_cards"


@dataclass
class Exchange:
    user: Event | None  # None: what the advisor said before the shopper's first message
    replies: list[Event] = field(default_factory=list)  # the advisor's
    staff: list[Event] = field(default_factory=list)  # a person's

    @property
    def intent(self) -> str | None:
        parse = (self.user or {}).get("parse_data") or {}
        return (parse.get("intent") or {}).get("name")

    @property
    def is_greeting(self) -> bool:
        return self.user is None or self.intent in GREETING_INTENTS

    def why_unanswered(self) -> str | None:
        """Why the advisor did not answer this message, or None if it (or a person) did."""
        if self.staff:
            return None
        if self.intent == FALLBACK_INTENT:
            return "not understood"
        for reply in self.replies:
            reason = NOT_ANSWERS.get((reply.get("metadata") or {}).get("utter_action"))
            if reason:
                return reason
        texts = [r for r in self.replies if (r.get("text") or "").strip()]
        return None if texts else "no answer"


def exchanges(events: list[Event]) -> list[Exchange]:
    found = [Exchange(None)]
    for event in events:
        kind = event.get("event")
        if kind == "user":
            found.append(Exchange(event))
        elif kind == "bot":
            staff = (event.get("metadata") or {}).get("staff")
            (found[-1].staff if staff else found[-1].replies).append(event)
    return found


def _message(role: str, text: str) -> dict[str, str]:
    return {"role": role, "text": redact(text.strip())}


def last_messages(events: list[Event], count: int = LAST_MESSAGES) -> list[dict[str, str]]:
    """The latest `count` shopper, advisor and staff messages, oldest first, without the
    greeting; whole (never cut), redacted."""
    messages = []
    for exchange in exchanges(events):
        if exchange.is_greeting:
            continue
        bots = sorted(
            exchange.replies + exchange.staff, key=lambda e: e.get("timestamp") or 0.0
        )  # staff and advisor messages of one exchange in the order they were sent
        if exchange.user is not None and (exchange.user.get("text") or "").strip():
            messages.append(_message("shopper", exchange.user["text"]))
        for event in bots:
            if (event.get("text") or "").strip():
                staff = (event.get("metadata") or {}).get("staff")
                messages.append(_message("staff" if staff else "advisor", event["text"]))
    return messages[-count:]


def last_recommendation(events: list[Event]) -> dict[str, Any] | None:
    """The advisor's latest recommendation in whole: its text and the products on its cards,
    each with the reasons given; None if it recommended nothing yet."""
    for event in reversed(events):
        custom = ((event.get("data") or {}).get("custom")) or {}
        if event.get("event") != "bot" or custom.get("type") != CARDS:
            continue
        return {
            "text": redact((event.get("text") or "").strip()),
            "products": [
                {"id": item.get("id"), "name": item.get("name"), "reasons": item.get("reasons")}
                for item in custom.get("items") or []
            ],
        }
    return None


def unanswered_question(events: list[Event]) -> dict[str, str] | None:
    """The shopper's latest message before the current one that got no answer, with why."""
    for exchange in reversed(exchanges(events)[1:-1]):
        text = ((exchange.user or {}).get("text") or "").strip()
        if not text or exchange.intent in GREETING_INTENTS:
            continue
        why = exchange.why_unanswered()
        if why:
            return {"text": redact(text), "why": why}
    return None
