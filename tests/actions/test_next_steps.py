"""The next steps the chat offers, as the actions send them: each card's Compare, Details, Recalls
and Cost to own; 'show more' after the top 3; nothing-fits relaxations as buttons; a comparison's
bottom line for the stated needs; and the payloads those buttons send, run back through the actions."""

from __future__ import annotations

import json

from actions.advise import ActionRecommend, ActionRefine, ActionRelax, ActionShowMore
from actions.compare import ActionCompare
from actions.facts import ActionProductFact
from tests.actions.conftest import make_tracker, run_action, slot

SUVS = {"body": ["suv"], "powertrain": ["hybrid"], "budget": 45000}


def entities_of(payload: str) -> tuple[str, list[dict]]:
    """What Rasa makes of a button payload: its intent and entities (lists give one each)."""
    intent, _, body = payload[1:].partition("{")
    found = []
    for name, value in (json.loads("{" + body) if body else {}).items():
        for one in value if isinstance(value, list) else [value]:
            found.append({"entity": name, "value": one})
    return intent, found


def click(step: dict, slots: dict | None = None):
    intent, found = entities_of(step["payload"])
    return make_tracker(step["payload"], intent, found, slots=slots)


def rich(messages: list[dict]) -> dict:
    """The last rich payload sent (an interview question or a relax offer may follow it)."""
    return [m["custom"] for m in messages if m.get("custom")][-1]


def recommended(slots=SUVS):
    events, dispatcher = run_action(ActionRecommend(), make_tracker("", "state_needs", slots=slots))
    return events, rich(dispatcher.messages)


def test_each_card_offers_compare_details_recalls_and_cost_to_own():
    _, cards = recommended()
    first, second = cards["items"][:2]
    assert [a["title"] for a in first["actions"]] == [
        "Compare", "Details", "Recalls", "Cost to own",
    ]  # fmt: skip
    compare = entities_of(first["actions"][0]["payload"])
    assert compare == (
        "compare",
        [{"entity": "product", "value": first["id"]}, {"entity": "product", "value": second["id"]}],
    )
    assert entities_of(second["actions"][0]["payload"])[1][1]["value"] == first["id"]
    assert first["actions"][3]["label"] == f"Cost to own the {first['name']}"
    assert all(link["label"] for link in first["source_links"])


def test_more_matches_than_shown_give_a_show_more_button_that_shows_the_next_ones():
    events, cards = recommended()
    shown = slot(events, "shown_products")
    (more,) = cards["buttons"]
    assert more["title"].startswith("Show more (") and more["payload"] == "/show_more"
    tracker = make_tracker("/show_more", "show_more", slots={**SUVS, "shown_products": shown})
    events, dispatcher = run_action(ActionShowMore(), tracker)
    page = rich(dispatcher.messages)
    assert page["start"] == 4 and page["items"][0]["number"] == 4
    assert not {i["id"] for i in page["items"]} & set(shown)
    assert slot(events, "shown_products")[:3] == shown
    assert dispatcher.messages[-1]["text"].startswith("More vehicles that meet your needs")


def test_when_everything_is_shown_show_more_says_so():
    slots = {"body": ["minivan"], "powertrain": ["hybrid"]}
    events, cards = recommended(slots)
    shown = slot(events, "shown_products")
    assert "buttons" not in cards or not cards["buttons"]
    tracker = make_tracker("show more", "show_more", slots={**slots, "shown_products": shown})
    _, dispatcher = run_action(ActionShowMore(), tracker)
    assert dispatcher.messages[-1]["text"].startswith("That's all: I've shown the")


def test_nothing_fits_offers_each_relaxation_as_a_button_that_drops_that_need():
    slots = {"body": ["pickup"], "powertrain": ["electric"], "budget": 30000}
    _, payload = recommended(slots)
    assert payload["type"] == "nothing_fits"
    buttons = {b["payload"]: b for b in payload["buttons"]}
    assert '/refine{"relax_need": "budget"}' in buttons
    step = buttons['/refine{"relax_need": "budget"}']
    assert step["title"].startswith("Drop the budget limit (")
    events, dispatcher = run_action(ActionRefine(), click(step, slots))
    assert slot(events, "budget") is None
    assert rich(dispatcher.messages)["type"] == "product_cards"


def test_a_cards_compare_button_gives_a_table_with_a_bottom_line_for_the_needs():
    _, cards = recommended()
    tracker = click(cards["items"][0]["actions"][0], SUVS)
    _, dispatcher = run_action(ActionCompare(), tracker)
    message = dispatcher.messages[-1]
    table = message["custom"]
    assert [p["id"] for p in table["products"]] == [i["id"] for i in cards["items"][:2]]
    assert table["bottom_line"].startswith("Bottom line for your needs (budget up to $45,000")
    assert "fits them best" in table["bottom_line"]
    assert table["bottom_line"] in message["text"]
    assert not [m for m in dispatcher.messages if m.get("text", "").startswith("I don't have")]


def test_a_bottom_line_names_what_the_others_miss():
    slots = {"budget": 30000}
    text = "compare"
    entities = [
        {"entity": "product", "value": "toyota-rav4-hybrid-2025"},
        {"entity": "product", "value": "chevrolet-trax-2024"},
    ]
    _, dispatcher = run_action(ActionCompare(), make_tracker(text, "compare", entities, slots))
    line = dispatcher.messages[-1]["custom"]["bottom_line"]
    assert "the Chevrolet Trax fits them best" in line and "the Toyota RAV4 Hybrid misses" in line


def test_details_give_every_figure_with_its_source():
    _, cards = recommended()
    tracker = click(cards["items"][0]["actions"][1])
    _, dispatcher = run_action(ActionProductFact(), tracker)
    details = rich(dispatcher.messages)
    assert details["type"] == "product_details"
    facts = details["item"]["facts"]
    assert len(facts) > 8 and all(f["source"]["label"] for f in facts)
    assert "Details" not in [a["title"] for a in details["item"]["actions"]]


def test_a_relaxation_button_after_the_offer_drops_the_need_it_names_not_the_offered_one():
    slots = {"body": ["pickup"], "powertrain": ["electric"], "budget": 30000}
    tracker = make_tracker(
        '/refine{"relax_need": "powertrain"}',
        "refine",
        [{"entity": "relax_need", "value": "powertrain"}],
        slots={**slots, "offered_relaxation": "budget"},
    )
    events, _ = run_action(ActionRelax(), tracker)
    assert slot(events, "powertrain") is None and not [
        e for e in events if e.get("name") == "budget"
    ]
