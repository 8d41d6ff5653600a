"""Hard questions about one product: a fact, known problems and cost to own, each with its source."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.advise import answer_unknown
from actions.render_payload import citations_payload, cost_payload, details_payload
from actions.session import (
    OWN_USAGE,
    OWN_YEARS,
    PENDING_QUESTION,
    SHOWN_PRODUCTS,
    catalog,
    entities,
    mentioned_products,
    needs_profile,
    readings,
    required_configurations,
    typed_text,
    unknown_in_message,
)
from knowledge.facts import (
    fact_answer,
    fact_citations,
    issue_citations,
    known_issues_answer,
    mentioned_attributes,
)
from knowledge.ownership import cost_answer, cost_to_own, terms, terms_from_text


def asked_products(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[list, list[EventType]]:
    """Products the question is about: named ones, else the one shown last when only one was;
    with the events to return. A model with variants none of which was just discussed gets
    'which one do you mean?'; a real model the catalog lacks gets 'I don't have data on it' and
    the most similar ones. Neither is answered for as if it were another."""
    unclear = next((r for r in readings(tracker) if r.meant is None), None)
    if unclear is not None:
        return [], which_one(dispatcher, tracker, unclear.options)
    products = mentioned_products(tracker)
    shown = tracker.get_slot(SHOWN_PRODUCTS) or []
    if not products:
        unknown = unknown_in_message(tracker)
        if unknown:
            return [], answer_unknown(dispatcher, tracker, needs_profile(tracker), unknown)
    if not products and len(shown) == 1 and shown[0] in catalog().by_id:
        products = [catalog().by_id[shown[0]].configured(required_configurations(tracker))]
    if not products:
        dispatcher.utter_message(response="utter_ask_which_product")
        return [], []
    return products, [SlotSet(SHOWN_PRODUCTS, [p.id for p in products])]


def which_one(dispatcher: CollectingDispatcher, tracker: Tracker, options) -> list[EventType]:
    """'Which one do you mean: the Hyundai Tucson or the Hyundai Tucson Hybrid?', a button for
    each that asks the same question about it."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    names = [f"the {p.name}" for p in options]
    listed = ", ".join(names[:-1]) + " or " + names[-1]
    dispatcher.utter_message(
        text=f"Which one do you mean: {listed}?",
        buttons=[
            {"title": p.name, "payload": f'/{intent}{{"product": "{p.id}"}}'} for p in options
        ],
    )
    events = [SlotSet(SHOWN_PRODUCTS, [p.id for p in options])]
    if tracker.get_slot(PENDING_QUESTION) is not None:
        events.append(SlotSet(PENDING_QUESTION, None))
    return events


class ActionProductFact(Action):
    """A fact asked about ('the range of the Ioniq 5'), or, when no figure is named ('tell me more
    about the second one', a card's Details), every figure on file, each with its source."""

    def name(self) -> str:
        return "action_product_fact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products, events = asked_products(dispatcher, tracker)
        shop = catalog()
        attributes = mentioned_attributes(shop, typed_text(tracker))
        for product in products:
            if attributes:
                payload = citations_payload(fact_citations(shop, product, attributes))
            else:
                payload = details_payload(shop, product)
            dispatcher.utter_message(
                text=fact_answer(shop, product, attributes), json_message=payload
            )
        return events


class ActionKnownIssues(Action):
    def name(self) -> str:
        return "action_known_issues"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products, events = asked_products(dispatcher, tracker)
        shop = catalog()
        for product in products:
            dispatcher.utter_message(
                text=known_issues_answer(product, shop),
                json_message=citations_payload(issue_citations(shop, product)),
            )
        return events


def stated_terms(tracker: Tracker) -> tuple[object, object]:
    """Years and yearly usage for cost to own: a button's entities, else the typed words, else
    what the shopper said earlier in the conversation (None where never stated)."""
    ownership = catalog().category.ownership
    typed = terms_from_text(ownership, typed_text(tracker)) if ownership else (None, None)
    years = next(iter(entities(tracker, OWN_YEARS)), None) or typed[0]
    usage = next(iter(entities(tracker, OWN_USAGE)), None) or typed[1]
    return years or tracker.get_slot(OWN_YEARS), usage or tracker.get_slot(OWN_USAGE)


class ActionCostToOwn(Action):
    def name(self) -> str:
        return "action_cost_to_own"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products, events = asked_products(dispatcher, tracker)
        shop = catalog()
        ownership = shop.category.ownership
        if ownership is None:
            for product in products:
                dispatcher.utter_message(
                    text=fact_answer(shop, product, []),
                    json_message=citations_payload(fact_citations(shop, product, [])),
                )
            return events
        years, usage = stated_terms(tracker)
        chosen = terms(ownership, years, usage)
        for product in products:
            cost = cost_to_own(shop, product, years, usage)
            assert cost is not None
            dispatcher.utter_message(
                text=cost_answer(cost, shop), json_message=cost_payload(shop, cost)
            )
        if products and chosen.stated:
            events += [SlotSet(OWN_YEARS, chosen.years), SlotSet(OWN_USAGE, chosen.usage)]
        return events
