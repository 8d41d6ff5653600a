"""Slot names and the translation between Rasa slots and the advisor library's values.

The needs profile lives in one slot per need (filled from entities by the domain's slot mappings),
plus the priorities and excluded brands the actions keep. This is the only module that knows it.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from knowledge.bot_domain import NOT_NEED_INTENTS
from knowledge.bot_domain import need_slots as domain_need_slots
from knowledge.catalog import Catalog, Product
from knowledge.loader import get_catalog
from knowledge.needs import NeedsProfile, profile_from_values
from knowledge.other_models import Mention, unknown_mentions
from knowledge.variants import Reading, read_name

logger = logging.getLogger(__name__)

PRIORITIES = "priorities"
EXCLUDED_BRANDS = "excluded_brands"
SORT = "sort"  # a superlative's order, filled from the `sort` entity by the domain
HINTS = "priority_hints"  # {priority: the shopper's words that implied it}
SHOWN_PRODUCTS = "shown_products"
OFFERED_RELAXATION = "offered_relaxation"
# The shopper's own cost-to-own terms, kept for the conversation once stated.
OWN_YEARS = "own_years"
OWN_USAGE = "own_usage"
# The bot's own question, for the rules that route a typed yes, no or 'no preference' to what its
# buttons do: 'relax' (drop the offered limit), 'need' (the interview question on ASKED_NEED),
# 'handoff' (talk to a person). Set by every action that may ask, None when it asked nothing.
PENDING_QUESTION = "pending_question"
ASKED_NEED = "asked_need"
# Needs the shopper answered 'no preference' to: never asked again in this conversation.
DECLINED_NEEDS = "declined_needs"


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
    excluded = list(tracker.get_slot(EXCLUDED_BRANDS) or [])
    hints = dict(tracker.get_slot(HINTS) or {})
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    # The intents whose entities state needs, as for the domain's slot mappings: 'cost' in a
    # cost-to-own question is no priority, but 'no Dell please' read as a 'no' still rules Dell out.
    if intent not in NOT_NEED_INTENTS:
        for entity in entities(tracker, "priority"):
            if entity not in priorities:
                priorities.append(entity)
        hints.update(said(tracker, "priority", "hint"))
        excluded += [b for b in said(tracker, "brand", "excluded") if b not in excluded]
    profile, problems = profile_from_values(
        category, values, priorities, excluded, tracker.get_slot(SORT), hints
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
    events.append(SlotSet(SORT, profile.sort))
    events.append(SlotSet(HINTS, dict(profile.hints) or None))
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


def readings(tracker: Tracker) -> list[Reading]:
    """How each product named in the latest message is read: a bare model name with variants
    ('the Tucson' with a Tucson Hybrid in the catalog) means the variant just shown, else it is
    ambiguous (`meant` None). A choice sent by a button names its product exactly."""
    shop = catalog()
    text = tracker.latest_message.get("text") or ""
    shown = tracker.get_slot(SHOWN_PRODUCTS) or []
    found = [e for e in product_entities(tracker) if e.get("value") in shop.by_id]
    named = {e["value"] for e in found}
    out, seen = [], set()
    for entity in found:
        if entity["value"] in seen:
            continue
        seen.add(entity["value"])
        written = None
        if not text.startswith("/") and "start" in entity and "end" in entity:
            written = text[entity["start"] : entity["end"]]
        out.append(read_name(shop, shop.by_id[entity["value"]], written, shown, named))
    return out


def said(tracker: Tracker, name: str, role: str) -> dict[Any, str]:
    """Values of one entity with one role in the latest message, each with the words the shopper
    used: {'cargo': 'a dog'} for the hint role, {'Tesla': 'Teslas'} for an excluded brand."""
    text = tracker.latest_message.get("text") or ""
    found = {}
    for e in tracker.latest_message.get("entities", []):
        if e.get("entity") == name and e.get("role") == role:
            found.setdefault(e.get("value"), text[e.get("start", 0) : e.get("end", 0)])
    return found


def mentioned_products(tracker: Tracker) -> list[Product]:
    """Products named in the latest message (by the catalog extractor; a model with variants read
    as `readings` says, the bare name itself when it is ambiguous), then any referred to by
    position among those last shown ('the second one'); each with the figures of the
    configuration the shopper's needs require (a shopper who requires AWD hears AWD figures)."""
    from knowledge.references import referenced

    by_id = catalog().by_id
    ids = list(dict.fromkeys((r.meant or r.named).id for r in readings(tracker)))
    shown = tracker.get_slot(SHOWN_PRODUCTS) or []
    for pid in referenced(typed_text(tracker), shown):
        if pid not in ids and pid in by_id:
            ids.append(pid)
    wanted = required_configurations(tracker)
    return [by_id[i].configured(wanted) for i in ids]


def product_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """The product entities of the latest message, less those that are only part of the name of
    a real model the catalog lacks ('Wagoneer' in 'Jeep Grand Wagoneer' is not the Jeep
    Wagoneer)."""
    found = [e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "product"]
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or not found:
        return found
    longer = unknown_mentions(catalog(), text)
    return [
        e
        for e in found
        if not any(
            m.start <= e.get("start", -1) and e.get("end", -1) <= m.end
            and (m.end - m.start) > (e["end"] - e["start"])
            for m in longer
        )
    ]  # fmt: skip


def unknown_in_message(tracker: Tracker) -> list[Mention]:
    """Real products and brands the latest message names that the catalog has no data on."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return []
    taken = [
        (e["start"], e["end"]) for e in product_entities(tracker) if "start" in e and "end" in e
    ]
    return unknown_mentions(catalog(), text, taken)


def declined_needs(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot(DECLINED_NEEDS) or [])


def required_configurations(tracker: Tracker) -> tuple[str, ...]:
    """The configurations the needs stated so far require, e.g. ('awd',); () for any."""
    from knowledge.matching import configurations

    category = catalog().category
    stated = [(name, tracker.get_slot(name)) for name in category.needs]
    return configurations(category, [(n, v) for n, v in stated if v not in (None, False)])
