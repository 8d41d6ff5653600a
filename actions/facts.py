"""Hard questions about one product: a fact, known problems and cost to own, each with its source."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.render_payload import citations_payload
from actions.session import SHOWN_PRODUCTS, catalog, mentioned_products, required_configurations
from knowledge.facts import (
    fact_answer,
    fact_citations,
    issue_citations,
    known_issues_answer,
    mentioned_attributes,
    ownership_answer,
    ownership_citations,
    ownership_cost,
)


def asked_products(dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    """Products the question is about: named ones, else the one shown last when only one was."""
    products = mentioned_products(tracker)
    shown = tracker.get_slot(SHOWN_PRODUCTS) or []
    if not products and len(shown) == 1 and shown[0] in catalog().by_id:
        products = [catalog().by_id[shown[0]].configured(required_configurations(tracker))]
    if not products:
        dispatcher.utter_message(response="utter_ask_which_product")
    return products


def remember(products: list) -> list[EventType]:
    return [SlotSet(SHOWN_PRODUCTS, [p.id for p in products])]


class ActionProductFact(Action):
    def name(self) -> str:
        return "action_product_fact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products = asked_products(dispatcher, tracker)
        shop = catalog()
        attributes = mentioned_attributes(shop, tracker.latest_message.get("text") or "")
        for product in products:
            dispatcher.utter_message(
                text=fact_answer(shop, product, attributes),
                json_message=citations_payload(fact_citations(shop, product, attributes)),
            )
        return remember(products) if products else []


class ActionKnownIssues(Action):
    def name(self) -> str:
        return "action_known_issues"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products = asked_products(dispatcher, tracker)
        shop = catalog()
        for product in products:
            dispatcher.utter_message(
                text=known_issues_answer(product, shop),
                json_message=citations_payload(issue_citations(shop, product)),
            )
        return remember(products) if products else []


class ActionCostToOwn(Action):
    def name(self) -> str:
        return "action_cost_to_own"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products = asked_products(dispatcher, tracker)
        shop = catalog()
        for product in products:
            cost = ownership_cost(shop, product)
            if cost is None:
                dispatcher.utter_message(
                    text=fact_answer(shop, product, []),
                    json_message=citations_payload(fact_citations(shop, product, [])),
                )
            else:
                dispatcher.utter_message(
                    text=ownership_answer(cost, shop),
                    json_message=citations_payload(ownership_citations(shop, cost)),
                )
        return remember(products) if products else []
