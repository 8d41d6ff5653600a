"""Compare 2-3 named products, honestly saying which names we have no data on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.advise import answer_unknown
from actions.render_payload import comparison_payload
from actions.session import (
    SHOWN_PRODUCTS,
    catalog,
    mentioned_products,
    needs_profile,
    typed_text,
    unknown_in_message,
)
from knowledge.compare import bottom_line, compare, similar_products
from knowledge.no_data import no_data_text
from knowledge.other_models import Mention
from knowledge.references import leftover_names
from knowledge.render import render_comparison


def unknown_names(tracker: Tracker, mentions: list[Mention] = ()) -> list[str]:
    """Parts of the message that name no catalog product and no real model the catalog lacks
    ('Lexsus NX' in 'RAV4 vs Lexsus NX')."""
    spans = [
        (e["start"], e["end"])
        for e in tracker.latest_message.get("entities", [])
        if "start" in e and "end" in e
    ]
    spans += [(m.start, m.end) for m in mentions]
    return leftover_names(typed_text(tracker), spans)


class ActionCompare(Action):
    def name(self) -> str:
        return "action_compare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        shop = catalog()
        products = mentioned_products(tracker)[:3]
        mentions = unknown_in_message(tracker)
        if mentions and not products:
            return answer_unknown(dispatcher, tracker, needs_profile(tracker), mentions)
        for mention in mentions:
            dispatcher.utter_message(text=no_data_text(shop, mention))
        unknown = unknown_names(tracker, mentions)
        for name in unknown:
            nearest = shop.suggest(name)
            hint = f" Names close to it that I know: {', '.join(nearest)}." if nearest else ""
            dispatcher.utter_message(text=f'I don\'t have data on "{name}".{hint}')
        if len(products) == 1 and (unknown or mentions):
            known = products[0]
            alike = similar_products(shop, known)
            dispatcher.utter_message(
                text=f"The {shop.category.items} most like the {known.name} that I do have data on: "
                + ", ".join(p.name for p in alike)
                + f'. Say "compare the first two" to see the {known.name} next to the '
                f"{alike[0].name}."
            )
            return [SlotSet(SHOWN_PRODUCTS, [known.id] + [p.id for p in alike])]
        if len(products) < 2:
            if not unknown and not mentions:
                dispatcher.utter_message(response="utter_ask_which_products")
            elif not any(shop.suggest(name) for name in unknown):
                dispatcher.utter_message(
                    text=f"I have data on these brands: {', '.join(shop.brands)}."
                )
            return []
        comparison = compare(shop, products)
        verdict = bottom_line(shop, comparison, needs_profile(tracker))
        dispatcher.utter_message(
            text=render_comparison(comparison) + "\n" + verdict,
            json_message=comparison_payload(comparison, shop, verdict),
        )
        return [SlotSet(SHOWN_PRODUCTS, [p.id for p in comparison.products])]
