"""Recommend, refine, relax, and 'anything better than X for me?'."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.render_payload import MORE, advice_payload, cards_payload
from actions.session import (
    OFFERED_RELAXATION,
    SHOWN_PRODUCTS,
    catalog,
    entities,
    mentioned_products,
    needs_profile,
    only_changes,
    profile_events,
)
from knowledge.constraints import failures
from knowledge.facts import better_than
from knowledge.matching import Match, rank, reasons, recommend
from knowledge.needs import NeedsProfile
from knowledge.refine import bigger, cheaper, smaller
from knowledge.render import (
    all_shown_text,
    describe_needs,
    render_advice,
    render_more,
)


def advise(
    dispatcher: CollectingDispatcher, profile: NeedsProfile, tracker: Tracker
) -> list[EventType]:
    """Recommend for `profile`, send text + cards (or nothing-fits), and remember what was shown."""
    shop = catalog()
    advice = recommend(shop, profile)
    text = render_advice(shop, advice)
    offered = None
    if advice.nothing_fits:
        useful = [r for r in advice.nothing_fits.relaxations if r.matches]
        if useful:
            offered = useful[0].need
            text += (
                f"\nShall I drop the {useful[0].label} limit? {useful[0].matches} would then fit."
            )
    dispatcher.utter_message(text=text, json_message=advice_payload(shop, advice))
    shown = [m.product.id for m in advice.matches] or [
        m.product.id for m in (advice.nothing_fits.nearest if advice.nothing_fits else ())
    ]
    return only_changes(
        tracker,
        [
            *profile_events(profile),
            SlotSet(SHOWN_PRODUCTS, shown),
            SlotSet(OFFERED_RELAXATION, offered),
        ],
    )


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return advise(dispatcher, needs_profile(tracker), tracker)


REFINEMENTS = {"refine_cheaper": cheaper, "refine_bigger": bigger, "refine_smaller": smaller}
# What is said when the category declares nothing that could serve the request.
CANNOT = {
    "refine_cheaper": "I can't look for cheaper {items}: no price is on file for them.",
    "refine_bigger": "I have no bigger {items} to offer for your needs.",
    "refine_smaller": "I have no smaller {items} to offer for your needs.",
}


def refined(profile: NeedsProfile, intent: str, tracker: Tracker) -> NeedsProfile | None:
    """The profile after 'cheaper', 'something bigger', 'something smaller' or 'no Teslas', through
    the price and size attributes the category declares (knowledge/refine.py); None when the
    category declares nothing that could serve the request."""
    shop = catalog()
    shown = [shop.by_id[i] for i in tracker.get_slot(SHOWN_PRODUCTS) or [] if i in shop.by_id]
    dropped = named_relaxation(profile, tracker)
    if dropped:
        return profile.without(dropped)
    if intent in REFINEMENTS:
        return REFINEMENTS[intent](shop, profile, shown)
    if intent == "exclude_brand":
        brands = entities(tracker, "brand") + [p.brand for p in mentioned_products(tracker)]
        for brand in dict.fromkeys(brands):
            profile = profile.excluding(brand)
    return profile


class ActionRefine(Action):
    def name(self) -> str:
        return "action_refine"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "refine"
        profile = needs_profile(tracker)
        changed = refined(profile, intent, tracker)
        if changed is None:
            dispatcher.utter_message(text=CANNOT[intent].format(items=catalog().category.items))
        return advise(dispatcher, profile if changed is None else changed, tracker)


RELAX_NEED = "relax_need"  # the entity a relaxation button names its need with


def named_relaxation(profile: NeedsProfile, tracker: Tracker) -> str | None:
    """The stated need a relaxation button names (`/refine{"relax_need": "budget"}`), if any."""
    stated = {c.need for c in profile.constraints}
    return next((n for n in entities(tracker, RELAX_NEED) if n in stated), None)


class ActionRelax(Action):
    """Drop one need: the one a button names, else the one just offered ('yes')."""

    def name(self) -> str:
        return "action_relax"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = needs_profile(tracker)
        need = named_relaxation(profile, tracker) or tracker.get_slot(OFFERED_RELAXATION)
        if need:
            profile = profile.without(need)
        return advise(dispatcher, profile, tracker)


class ActionShowMore(Action):
    """The next products that meet the needs, after those already shown ('show more')."""

    def name(self) -> str:
        return "action_show_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        shop, profile = catalog(), needs_profile(tracker)
        shown = list(tracker.get_slot(SHOWN_PRODUCTS) or [])
        advice = recommend(shop, profile, top=len(shown) + MORE)
        if advice.nothing_fits:
            return advise(dispatcher, profile, tracker)
        fresh = [m for m in advice.matches if m.product.id not in shown][:MORE]
        if not fresh:
            dispatcher.utter_message(text=all_shown_text(shop, profile, advice.match_count))
            return []
        start = len(shown) + 1
        left = advice.match_count - len(shown) - len(fresh)
        text = render_more(shop, profile, fresh, start, advice.match_count)
        first = shop.by_id.get(shown[0]) if shown else None
        payload = cards_payload(
            shop, fresh, profile.to_dict(), start=start, more=left, compare_base=first
        )
        dispatcher.utter_message(text=text, json_message=payload)
        return [SlotSet(SHOWN_PRODUCTS, shown + [m.product.id for m in fresh])]


class ActionBetterThan(Action):
    def name(self) -> str:
        return "action_better_than"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products = mentioned_products(tracker)
        if not products:
            dispatcher.utter_message(response="utter_ask_which_product")
            return []
        shop, profile, product = catalog(), needs_profile(tracker), products[0]
        result = better_than(shop, profile, product)
        needs = describe_needs(shop, profile)
        ranked = rank(shop, profile, list(result.better))
        matches = [Match(p, s, tuple(reasons(shop, profile, p, ranked))) for p, s in ranked]
        if not result.meets_needs:
            misses = "; ".join(
                f.text for f in failures(shop.category, profile.constraints, product)
            )
            lines = [f"The {product.full_name} doesn't meet your needs ({needs}): {misses}."]
            lines.append(
                "These do, across all brands:" if matches else "Nothing in the catalog does."
            )
        elif matches:
            lines = [f"Yes. For your needs ({needs}), these score higher than the {product.name}:"]
        else:
            lines = [
                f"No. For your needs ({needs}), the {product.full_name} is the best match of every brand I know."
            ]
        lines += [
            f"- {m.product.full_name}: " + "; ".join(r.text for r in m.reasons[:3]) for m in matches
        ]
        dispatcher.utter_message(text="\n".join(lines), json_message=cards_payload(shop, matches))
        return [SlotSet(SHOWN_PRODUCTS, [product.id, *(m.product.id for m in matches)])]
