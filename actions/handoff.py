"""Handing the conversation to a person: a short summary into the support queue, then the bot
pauses (Rasa ConversationPaused) and tells the shopper honestly what happens next."""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.session import SHOWN_PRODUCTS, catalog, needs_profile
from knowledge import handoff as summary
from knowledge.render import describe_needs
from stores.shared import handoff_store

logger = logging.getLogger(__name__)


def last_messages(tracker: Tracker, count: int = summary.LAST_MESSAGES) -> list[dict[str, str]]:
    """The latest `count` messages without the greeting, whole and redacted
    (knowledge.handoff)."""
    return summary.last_messages(tracker.events, count)


def handoff_summary(tracker: Tracker) -> dict[str, Any]:
    """What a person needs to pick the conversation up: needs, products shown, last messages,
    the last recommendation in whole and the last question the advisor could not answer."""
    shop = catalog()
    profile = needs_profile(tracker)
    by_id = shop.by_id
    shown = [
        {"id": pid, "name": by_id[pid].full_name if pid in by_id else pid}
        for pid in tracker.get_slot(SHOWN_PRODUCTS) or []
    ]
    return {
        "needs": describe_needs(shop, profile),
        "needs_profile": profile.to_dict(),
        "products_shown": shown,
        "last_messages": last_messages(tracker),
        "recommendation": summary.last_recommendation(tracker.events),
        "unanswered": summary.unanswered_question(tracker.events),
        "asked_at": time.time(),
    }


def minutes(seconds: float) -> str:
    if seconds < 90:
        return "about a minute"
    return f"about {round(seconds / 60)} minutes"


def handoff_message(position: int | None, typical_wait: float | None) -> str:
    """The honest answer: who joins, how long it usually takes, and that the bot goes quiet."""
    lines = [
        "I've asked a person from the support team to join this chat. "
        "They'll see a summary of what you've told me, so you won't have to repeat it."
    ]
    wait = (
        f"Typical wait lately: {minutes(typical_wait)}."
        if typical_wait is not None
        else "I can't promise a wait time yet: there's no recent history to go on."
    )
    if position is not None and position > 1:
        wait += f" You're number {position} in the queue."
    lines.append(wait)
    lines.append(
        "Until they join I'll stay quiet; anything you type here goes to them. "
        "You can keep this page open or come back to it later."
    )
    return " ".join(lines)


FAILED_MESSAGE = (
    "Sorry, I couldn't reach the support team just now, so no one has been asked to join yet. "
    "Please try again in a few minutes; meanwhile I can keep helping with your search."
)


class ActionHandoff(Action):
    """Queue the conversation for a person and pause the bot."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            summary = handoff_summary(tracker)
            queue = handoff_store()  # the action server's one queue, opened at the first call
            queue.enqueue(tracker.sender_id, summary)
            position = queue.position(tracker.sender_id)
            typical = queue.typical_wait()
        except Exception as error:  # noqa: BLE001 - the shopper gets an honest answer instead
            logger.error(
                "handoff of %s failed: %s: %s", tracker.sender_id, type(error).__name__, error
            )
            dispatcher.utter_message(text=FAILED_MESSAGE)
            return []
        dispatcher.utter_message(
            text=handoff_message(position, typical),
            json_message={"type": "handoff", "status": "waiting", "position": position},
        )
        # Listening (to the person) while paused: after the resume, the shopper's next message is
        # predicted from a normal "after action_listen" state, as the rules expect.
        return [ConversationPaused(), ActionExecuted("action_listen")]
