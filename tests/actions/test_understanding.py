"""What the actions make of the recogniser's new entities: an order, excluded brands, hints, and
the 'did you mean' question; real rasa-sdk Trackers, no servers."""

from __future__ import annotations

from actions.session import HINTS, SORT, catalog, needs_profile, profile_events
from actions.spelling import ActionDidYouMean
from knowledge.interview import next_turn
from tests.actions.conftest import make_tracker, run_action


def entity(message, text, name, value, role=None):
    start = message.index(text)
    found = {"entity": name, "value": value, "start": start, "end": start + len(text)}
    return {**found, "role": role} if role else found


def test_the_order_excluded_brands_and_hints_reach_the_profile():
    message = "a hybrid SUV with room for a dog, no Toyotas"
    tracker = make_tracker(
        message,
        entities=[
            entity(message, "a dog", "priority", "cargo", "hint"),
            entity(message, "Toyotas", "brand", "Toyota", "excluded"),
        ],
        slots={"body": "suv", "powertrain": "hybrid", SORT: "lowest msrp_usd"},
    )
    profile = needs_profile(tracker)
    assert profile.sort == "lowest msrp_usd"
    assert profile.excluded_brands == ("Toyota",)
    assert profile.priorities == ("cargo",) and profile.hint("cargo") == "a dog"
    stored = {e["name"]: e["value"] for e in profile_events(profile)}
    assert stored[SORT] == "lowest msrp_usd" and stored[HINTS] == {"cargo": "a dog"}


def test_a_brand_without_the_excluded_role_is_not_ruled_out():
    message = "is a Toyota any good?"
    tracker = make_tracker(message, entities=[entity(message, "Toyota", "brand", "Toyota")])
    assert needs_profile(tracker).excluded_brands == ()


def test_a_superlative_is_answered_at_once_and_nothing_more_is_asked():
    def turn(slots):
        return next_turn(catalog(), needs_profile(make_tracker("x", slots=slots)))

    superlative = turn({SORT: "highest towing_lb", "body": "pickup"})
    assert superlative.advice is not None and superlative.advice.matches
    assert superlative.question is None
    assert turn({}).question is not None  # nothing known: the interview asks


def test_did_you_mean_asks_with_buttons_that_send_the_message_corrected():
    message = "any recalls on the teluryde?"
    value = {
        "id": "kia-telluride-2025",
        "name": "Kia Telluride",
        "text": "any recalls on the Kia Telluride?",
    }
    tracker = make_tracker(
        message, "ask_known_issues", [entity(message, "teluryde", "suggestion", value)]
    )
    events, dispatcher = run_action(ActionDidYouMean(), tracker)
    [sent] = dispatcher.messages
    assert sent["text"] == "Did you mean the Kia Telluride?"
    assert sent["buttons"] == [
        {"title": "Yes, the Kia Telluride", "payload": "any recalls on the Kia Telluride?"},
        {"title": "No", "payload": "/deny"},
    ]
    assert events == []


def test_a_product_name_inside_a_longer_unknown_model_name_is_not_that_product():
    """'Wagoneer' in 'Jeep Grand Wagoneer' is the catalog's Jeep Wagoneer only by accident: the
    message is about the Grand Wagoneer, which the catalog lacks."""
    from actions.advise import ActionRefine
    from actions.session import mentioned_products, unknown_in_message
    from tests.actions.conftest import product_entity

    text = "tell me about the Jeep Grand Wagoneer"
    entities = [product_entity("Wagoneer", "jeep-wagoneer-2025", text)]
    tracker = make_tracker(text, intent="refine", entities=entities)
    assert mentioned_products(tracker) == []
    [mention] = unknown_in_message(tracker)
    assert mention.name == "Jeep Grand Wagoneer"
    _, dispatcher = run_action(ActionRefine(), tracker)
    first = dispatcher.messages[0]["text"]
    assert first.startswith(
        "I don't have data on the Jeep Grand Wagoneer. I have the Jeep Wagoneer"
    )

    alone = "tell me about the Jeep Wagoneer"  # the catalog's own model stays itself
    tracker = make_tracker(
        alone, entities=[product_entity("Wagoneer", "jeep-wagoneer-2025", alone)]
    )
    assert [p.id for p in mentioned_products(tracker)] == ["jeep-wagoneer-2025"]
    assert unknown_in_message(tracker) == []
