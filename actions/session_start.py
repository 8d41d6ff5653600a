"""Starting a new session without un-pausing a conversation a person is handling.

Rasa starts a new session when a shopper writes after the domain's session_expiration_time, and a
new session is not paused. A shopper waiting in the support queue (or talking to a person) for
that long would suddenly get bot answers again while the console still shows them as waiting. This
action starts the session as Rasa's own does (carrying the slots over) and pauses it again when
the conversation has an open handoff.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from stores.interface import OPEN
from stores.shared import handoff_store

logger = logging.getLogger(__name__)


def carries_slots_over(domain: dict[str, Any]) -> bool:
    return bool((domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True))


def has_open_handoff(conversation_id: str) -> bool:
    """Reads the action server's one queue: no connection, no migration check, no write lock."""
    handoff = handoff_store().current(conversation_id)
    return handoff is not None and handoff["status"] in OPEN


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if carries_slots_over(domain):
            events += [SlotSet(k, v) for k, v in tracker.slots.items() if v is not None]
        try:
            paused = has_open_handoff(tracker.sender_id)
        except Exception as error:  # noqa: BLE001 - the session starts either way
            logger.error(
                "support queue unreadable at the session start of %s: %s: %s",
                tracker.sender_id,
                type(error).__name__,
                error,
            )
            paused = tracker.is_paused()
        if paused:
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
