"""Recommend, refine, relax and 'anything better' actions, asserting on events and messages."""

from actions.advise import ActionBetterThan, ActionRecommend, ActionRefine, ActionRelax
from actions.session import catalog
from tests.actions.conftest import make_tracker, product_entity, run_action, slot


def test_recommend_sends_text_and_cards_and_remembers_what_was_shown():
    tracker = make_tracker(slots={"body": "suv", "budget": 45000, "powertrain": "hybrid"})
    events, dispatcher = run_action(ActionRecommend(), tracker)
    message = dispatcher.messages[0]
    assert "meet your needs (budget up to $45,000; SUV; hybrid)" in message["text"]
    cards = message["custom"]
    assert cards["type"] == "product_cards" and 1 <= len(cards["items"]) <= 3
    shown = slot(events, "shown_products")
    assert shown == [item["id"] for item in cards["items"]]
    for pid in shown:
        product = catalog().by_id[pid]
        assert product.value("msrp_usd") <= 45000 and product.value("powertrain") == "hybrid"
    # only changes are written back: the budget slot already holds 45000
    assert not [e for e in events if e.get("name") == "budget"]
    assert slot(events, "body") == ["suv"]


def test_no_preference_answers_are_not_constraints():
    tracker = make_tracker(slots={"body": "pickup", "budget": "any", "powertrain": "any"})
    events, dispatcher = run_action(ActionRecommend(), tracker)
    assert dispatcher.messages[0]["custom"]["type"] == "product_cards"
    assert "meet your needs (pickup)." in dispatcher.messages[0]["text"]


def test_nothing_fits_is_said_plainly_and_offers_a_relaxation():
    tracker = make_tracker(slots={"body": "pickup", "powertrain": "electric", "budget": 45000})
    events, dispatcher = run_action(ActionRecommend(), tracker)
    answer, offer = dispatcher.messages  # at once, and no interview question after it
    assert (
        answer["text"].startswith("No vehicle meets all of")
        and "over your budget" in answer["text"]
    )
    assert answer["custom"]["type"] == "nothing_fits"
    assert offer["text"].startswith("Shall I drop the")
    assert offer["buttons"] == [
        {"title": "Yes", "payload": "/affirm"},  # a typed yes is the same intent
        {"title": "No", "payload": "/deny"},
    ]
    assert slot(events, "offered_relaxation") in {"body", "budget", "powertrain"}
    assert slot(events, "pending_question") == "relax"


def test_relax_drops_the_offered_constraint():
    slots = {
        "body": "pickup",
        "powertrain": "electric",
        "budget": 45000,
        "offered_relaxation": "body",
    }
    events, dispatcher = run_action(ActionRelax(), make_tracker("yes", "affirm", slots=slots))
    assert slot(events, "body") is None
    assert dispatcher.messages[0]["custom"]["type"] == "product_cards"


def test_cheaper_lowers_the_budget_below_everything_shown():
    first, _ = run_action(ActionRecommend(), make_tracker(slots={"body": "suv", "budget": 60000}))
    shown = slot(first, "shown_products")
    cheapest = min(catalog().by_id[i].value("msrp_usd") for i in shown)
    slots = {"body": "suv", "budget": 60000, "shown_products": shown}
    tracker = make_tracker("cheaper", "refine_cheaper", slots=slots)
    events, dispatcher = run_action(ActionRefine(), tracker)
    assert slot(events, "budget") == cheapest - 1
    for item in dispatcher.messages[0]["custom"].get("items", []):
        assert catalog().by_id[item["id"]].value("msrp_usd") < cheapest


def test_bigger_asks_for_more_seats_than_shown():
    first, _ = run_action(ActionRecommend(), make_tracker(slots={"body": "suv", "budget": 40000}))
    tracker = make_tracker(
        "something bigger",
        "refine_bigger",
        slots={"body": "suv", "shown_products": slot(first, "shown_products")},
    )
    events, _ = run_action(ActionRefine(), tracker)
    assert slot(events, "seats") == 6


def test_exclude_brand_removes_it_from_recommendations():
    tracker = make_tracker(
        "no Teslas",
        "exclude_brand",
        [{"entity": "brand", "value": "Tesla"}],
        {"powertrain": "electric"},
    )
    events, dispatcher = run_action(ActionRefine(), tracker)
    assert slot(events, "excluded_brands") == ["Tesla"]
    assert all(item["brand"] != "Tesla" for item in dispatcher.messages[0]["custom"]["items"])


def test_better_than_judges_across_all_brands_against_the_stated_needs():
    text = "anything better than the Silverado 1500 for me?"
    entity = product_entity("Silverado 1500", "chevrolet-silverado-1500-2025", text)
    tracker = make_tracker(text, "ask_better_than", [entity], {"body": "suv", "budget": 40000})
    events, dispatcher = run_action(ActionBetterThan(), tracker)
    reply = dispatcher.messages[0]["text"]
    assert reply.startswith("The 2025 Chevrolet Silverado 1500")
    assert "doesn't meet your needs" in reply and "pickup, not SUV" in reply
    assert "These do, across all brands:" in reply
    assert slot(events, "shown_products")[0] == "chevrolet-silverado-1500-2025"


def test_better_than_without_a_product_asks_which():
    _, dispatcher = run_action(
        ActionBetterThan(), make_tracker("anything better?", "ask_better_than")
    )
    assert dispatcher.messages[0]["response"] == "utter_ask_which_product"


def test_recommend_names_what_might_also_fit_after_the_matches():
    tracker = make_tracker(slots={"body": "suv", "budget": 30000})
    _, dispatcher = run_action(ActionRecommend(), tracker)
    message = dispatcher.messages[0]
    last = message["text"].splitlines()[-1]
    assert last.startswith("Might also fit, but I have no starting MSRP on file: ")
    part = message["custom"]["might_also_fit"]
    shown = {c["id"] for c in message["custom"]["items"]}
    maybe = {i["id"] for g in part["groups"] for i in g["items"]}
    assert maybe and not maybe & shown
    assert all(catalog().by_id[i].value("msrp_usd") is None for i in maybe)
