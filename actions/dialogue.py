"""Greeting with the disclosure, the ranking rules, and the fallback that offers a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import (
    ASKED_NEED,
    DECLINED_NEEDS,
    EXCLUDED_BRANDS,
    HINTS,
    OFFERED_RELAXATION,
    PENDING_QUESTION,
    PRIORITIES,
    SHOWN_PRODUCTS,
    SORT,
    catalog,
    need_slots,
)
from knowledge.matching import ranking_rules

FALLBACKS_BEFORE_OFFERING_A_PERSON = 2


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        category = catalog().category
        if category.deployer:
            dispatcher.utter_message(
                response="utter_greet", category=category.items, deployer=category.deployer
            )
        else:
            dispatcher.utter_message(response="utter_greet_no_deployer", category=category.items)
        return []


class ActionExplainRules(Action):
    def name(self) -> str:
        return "action_explain_rules"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        shop = catalog()
        who = f"This advisor is run by {shop.category.deployer}. " if shop.category.deployer else ""
        dispatcher.utter_message(response="utter_rules", rules=who + ranking_rules(shop))
        return []


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    """Low confidence: a helpful hint; after two in a row, offer a person."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_OFFERING_A_PERSON:
            dispatcher.utter_message(response="utter_offer_human")
            asked = "handoff"  # a typed yes takes the 'Talk to a person' button's rule
        else:
            dispatcher.utter_message(response="utter_default")
            asked = None
        if tracker.get_slot(PENDING_QUESTION) == asked:
            return []
        return [SlotSet(PENDING_QUESTION, asked)]


class ActionStartOver(Action):
    """Forget the needs, priorities, excluded brands, declined questions and products shown; keep
    the conversation."""

    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        cleared = [
            *need_slots(),
            PRIORITIES,
            EXCLUDED_BRANDS,
            SORT,
            HINTS,
            SHOWN_PRODUCTS,
            OFFERED_RELAXATION,
            PENDING_QUESTION,
            ASKED_NEED,
            DECLINED_NEEDS,
        ]
        dispatcher.utter_message(response="utter_started_over")
        return [SlotSet(name, None) for name in cleared]
