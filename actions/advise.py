"""Recommend (answer first, then at most one question), refine, relax, 'no preference', products
we have no data on, and 'anything better than X for me?'."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.render_payload import MORE, advice_payload, cards_payload
from actions.session import (
    ASKED_NEED,
    DECLINED_NEEDS,
    OFFERED_RELAXATION,
    PENDING_QUESTION,
    SHOWN_PRODUCTS,
    catalog,
    declined_needs,
    entities,
    mentioned_products,
    needs_profile,
    only_changes,
    profile_events,
    unknown_in_message,
)
from knowledge.constraints import failures
from knowledge.facts import better_than
from knowledge.interview import next_turn
from knowledge.matching import Match, Near, rank, reasons, recommend
from knowledge.needs import NeedsProfile
from knowledge.no_data import similar_text, unknown_answer
from knowledge.other_models import Mention
from knowledge.refine import Refinement, bigger, cheaper, smaller, unavailable_text
from knowledge.render import (
    all_shown_text,
    describe_needs,
    render_advice,
    render_more,
)
from knowledge.roles import Question

# The buttons of the bot's yes/no questions send the intents a typed yes or no is read as, so
# both take the same rule (bot/data/rules.yml).
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
LEFT_OPEN = "OK, I'll leave that open."


def question_buttons(question: Question) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in question.buttons]


def advise(
    dispatcher: CollectingDispatcher,
    profile: NeedsProfile,
    tracker: Tracker,
    lead: str | None = None,
    near: Near | None = None,
    declined: list[str] | None = None,
) -> list[EventType]:
    """Answer first: the best matches for `profile` (or, when nothing narrows the catalog yet,
    only a question), then at most one question: the one whose answer splits the matches most.
    When nothing fits, the nearest misses and an offer to drop the need that would help most.
    Remembers what was shown and what was asked."""
    shop = catalog()
    declined = declined_needs(tracker) if declined is None else declined
    turn = next_turn(shop, profile, declined, near=near)
    if lead:
        dispatcher.utter_message(text=lead)
    events: list[SlotSet] = [*profile_events(profile), SlotSet(DECLINED_NEEDS, declined)]
    pending = asked = offered = None
    advice = turn.advice
    if advice is not None:
        dispatcher.utter_message(
            text=render_advice(shop, advice), json_message=advice_payload(shop, advice)
        )
        shown = [m.product.id for m in advice.matches] or [
            m.product.id for m in (advice.nothing_fits.nearest if advice.nothing_fits else ())
        ]
        events.append(SlotSet(SHOWN_PRODUCTS, shown))
        useful = (
            [r for r in advice.nothing_fits.relaxations if r.matches] if advice.nothing_fits else []
        )
        if useful:
            offered, pending = useful[0].need, "relax"
            dispatcher.utter_message(
                text=f"Shall I drop the {useful[0].label} limit? {useful[0].matches} would then fit.",
                buttons=YES_NO,
            )
    if turn.question is not None:
        dispatcher.utter_message(text=turn.question.text, buttons=question_buttons(turn.question))
        pending, asked = "need", turn.question.need
    events += [
        SlotSet(OFFERED_RELAXATION, offered),
        SlotSet(PENDING_QUESTION, pending),
        SlotSet(ASKED_NEED, asked),
    ]
    return only_changes(tracker, events)


def answer_unknown(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    profile: NeedsProfile,
    mentions: list[Mention],
) -> list[EventType]:
    """'I don't have data on the <model>', products with a like name as what they are, then the
    most similar products: for the stated needs, else for what the name implies."""
    shop = catalog()
    answer = unknown_answer(shop, mentions, profile)
    if answer.basis == "needs" and profile.constraints:
        return advise(dispatcher, profile, tracker, lead=answer.text)
    if answer.similar is not None:
        dispatcher.utter_message(
            text=f"{answer.text}\n{similar_text(shop, answer)}",
            json_message=cards_payload(shop, answer.similar.matches),
        )
    else:
        dispatcher.utter_message(text=answer.text)
    shown = answer.shown or tracker.get_slot(SHOWN_PRODUCTS) or []
    events = [SlotSet(SHOWN_PRODUCTS, shown), SlotSet(PENDING_QUESTION, None)]
    return only_changes(tracker, [*events, SlotSet(ASKED_NEED, None)])


class ActionRecommend(Action):
    def name(self) -> str:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = needs_profile(tracker)
        unknown = unknown_in_message(tracker)
        if unknown:
            return answer_unknown(dispatcher, tracker, profile, unknown)
        return advise(dispatcher, profile, tracker)


class ActionNoPreference(Action):
    """'No preference' (or 'no thanks') to the interview question just asked: remember it for the
    whole conversation, then ask the next question, or answer when none is left."""

    def name(self) -> str:
        return "action_no_preference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        need = tracker.get_slot(ASKED_NEED)
        declined = declined_needs(tracker)
        if need and need not in declined:
            declined.append(need)
        shop, profile = catalog(), needs_profile(tracker)
        turn = next_turn(shop, profile, declined)
        shown = tracker.get_slot(SHOWN_PRODUCTS)
        if turn.question is not None and (turn.advice is None or shown):
            # the matches on screen are still the answer: only the next question is new
            dispatcher.utter_message(
                text=f"{LEFT_OPEN} {turn.question.text}", buttons=question_buttons(turn.question)
            )
            events = [
                SlotSet(DECLINED_NEEDS, declined),
                SlotSet(PENDING_QUESTION, "need"),
                SlotSet(ASKED_NEED, turn.question.need),
            ]
            return only_changes(tracker, events)
        return advise(dispatcher, profile, tracker, lead=LEFT_OPEN, declined=declined)


REFINEMENTS = {"refine_cheaper": cheaper, "refine_bigger": bigger, "refine_smaller": smaller}
# What is said when the category declares nothing that could serve the request.
CANNOT = {
    "refine_cheaper": "I can't look for cheaper {items}: no price is on file for them.",
    "refine_bigger": "I have no bigger {items} to offer for your needs.",
    "refine_smaller": "I have no smaller {items} to offer for your needs.",
}


def refined(profile: NeedsProfile, intent: str, tracker: Tracker) -> Refinement | None:
    """What 'cheaper', 'something bigger', 'something smaller' or 'no Teslas' gives, through the
    price and size attributes the category declares (knowledge/refine.py); None when the category
    declares nothing that could serve the request."""
    shop = catalog()
    shown = [shop.by_id[i] for i in tracker.get_slot(SHOWN_PRODUCTS) or [] if i in shop.by_id]
    dropped = named_relaxation(profile, tracker)
    if dropped:
        return Refinement("relax", profile.without(dropped))
    if intent in REFINEMENTS:
        return REFINEMENTS[intent](shop, profile, shown)
    if intent == "exclude_brand":
        brands = entities(tracker, "brand") + [p.brand for p in mentioned_products(tracker)]
        for brand in dict.fromkeys(brands):
            profile = profile.excluding(brand)
    return Refinement(intent, profile)


class ActionRefine(Action):
    def name(self) -> str:
        return "action_refine"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "refine"
        profile = needs_profile(tracker)
        unknown = [m for m in unknown_in_message(tracker) if m.model is not None]
        if unknown:  # 'what about the <model we lack>?' is about that model
            return answer_unknown(dispatcher, tracker, profile, unknown)
        result = refined(profile, intent, tracker)
        if result is None:
            dispatcher.utter_message(text=CANNOT[intent].format(items=catalog().category.items))
            return advise(dispatcher, profile, tracker)
        if not result.found:
            # nothing cheaper (bigger, smaller) meets the needs: say so, keep the list and the
            # needs as they were (no nothing-fits of the advisor's own making)
            dispatcher.utter_message(text=unavailable_text(catalog(), result))
            events = [SlotSet(PENDING_QUESTION, None), SlotSet(ASKED_NEED, None)]
            return only_changes(tracker, [*events, SlotSet(OFFERED_RELAXATION, None)])
        return advise(dispatcher, result.profile, tracker, near=result.near)


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
            unknown = unknown_in_message(tracker)
            if unknown:
                return answer_unknown(dispatcher, tracker, needs_profile(tracker), unknown)
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
