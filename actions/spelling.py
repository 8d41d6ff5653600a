"""'Did you mean the Kia Telluride?': the question for a near misspelling of a product name."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.spelling import question


class ActionDidYouMean(Action):
    def name(self) -> str:
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        found = [
            e.get("value")
            for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "suggestion" and isinstance(e.get("value"), dict)
        ]
        if not found:
            dispatcher.utter_message(response="utter_default")
            return []
        text, buttons = question(found[0])
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
