"""Slot names and the translation between Rasa slots and the advisor library's values.

The needs profile lives in one slot per need (filled from entities by the domain's slot mappings),
plus the priorities and excluded brands the actions keep. This is the only module that knows it.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from knowledge.bot_domain import need_slots as domain_need_slots
from knowledge.catalog import Catalog, Product
from knowledge.loader import get_catalog
from knowledge.needs import NeedsProfile, profile_from_values

logger = logging.getLogger(__name__)

# Intents in which words like 'cheap' or 'safe' state what matters most to the shopper.
NEEDS_INTENTS = (
    "state_needs",
    "ask_recommendation",
    "refine",
    "refine_cheaper",
    "refine_bigger",
    "refine_smaller",
    "exclude_brand",
    "ask_better_than",
    "no_preference",
)
PRIORITIES = "priorities"
EXCLUDED_BRANDS = "excluded_brands"
SHOWN_PRODUCTS = "shown_products"
OFFERED_RELAXATION = "offered_relaxation"
# The shopper's own cost-to-own terms, kept for the conversation once stated.
OWN_YEARS = "own_years"
OWN_USAGE = "own_usage"


def catalog() -> Catalog:
    return get_catalog()


def need_slots() -> tuple[str, ...]:
    """The slots that hold the catalog's needs (the generated domain has one per need)."""
    return domain_need_slots(catalog().category)


def needs_profile(tracker: Tracker) -> NeedsProfile:
    """The shopper's needs as the library's NeedsProfile, built from the slots."""
    category = catalog().category
    values = {name: tracker.get_slot(name) for name in need_slots()}
    priorities = list(tracker.get_slot(PRIORITIES) or [])
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent in NEEDS_INTENTS:  # 'cost' in a cost-to-own question is no priority
        for entity in entities(tracker, "priority"):
            if entity not in priorities:
                priorities.append(entity)
    profile, problems = profile_from_values(
        category, values, priorities, tracker.get_slot(EXCLUDED_BRANDS) or []
    )
    for problem in problems:
        logger.warning("conversation %s: ignoring a need: %s", tracker.sender_id, problem)
    return profile


def profile_events(profile: NeedsProfile) -> list[SlotSet]:
    """Slot events that store `profile` (the inverse of needs_profile)."""
    stored = profile.to_dict()
    events = [SlotSet(name, stored.get(name)) for name in need_slots()]
    events.append(SlotSet(PRIORITIES, list(profile.priorities)))
    events.append(SlotSet(EXCLUDED_BRANDS, list(profile.excluded_brands)))
    return events


def only_changes(tracker: Tracker, events: list[SlotSet]) -> list[SlotSet]:
    """The slot events that change something: a conversation's history stays short."""
    return [e for e in events if tracker.get_slot(e["name"]) != e["value"]]


def entities(tracker: Tracker, name: str) -> list[Any]:
    """Values of one entity in the latest message, in order, without repeats."""
    found = [
        e.get("value")
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == name
    ]
    return list(dict.fromkeys(found))


def typed_text(tracker: Tracker) -> str:
    """The latest message as the shopper typed it; '' for a button's intent payload
    ('/ask_fact{"product": "..."}'), whose words are no one's (its entities carry what it means)."""
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    if intent and text.strip().startswith("/" + intent):
        return ""
    return text


def mentioned_products(tracker: Tracker) -> list[Product]:
    """Products named in the latest message (by the catalog extractor), then any referred to by
    position among those last shown ('the second one'); each with the figures of the
    configuration the shopper's needs require (a shopper who requires AWD hears AWD figures)."""
    from knowledge.references import referenced

    by_id = catalog().by_id
    ids = [i for i in entities(tracker, "product") if i in by_id]
    shown = tracker.get_slot(SHOWN_PRODUCTS) or []
    for pid in referenced(typed_text(tracker), shown):
        if pid not in ids and pid in by_id:
            ids.append(pid)
    wanted = required_configurations(tracker)
    return [by_id[i].configured(wanted) for i in ids]


def required_configurations(tracker: Tracker) -> tuple[str, ...]:
    """The configurations the needs stated so far require, e.g. ('awd',); () for any."""
    from knowledge.matching import configurations

    category = catalog().category
    stated = [(name, tracker.get_slot(name)) for name in category.needs]
    return configurations(category, [(n, v) for n, v in stated if v not in (None, False)])
