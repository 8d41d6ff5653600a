"""What a shopper's message means, end to end over REST against the real Rasa and action servers:
a superlative is answered at once, ranked on the attribute it names within the needs stated, and a
near misspelling of a model is asked about, with buttons whose answer gives the reply asked for."""

from __future__ import annotations

import pytest

from knowledge.loader import load
from tests.e2e.conftest import new_sender, say

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def cards(replies: list[dict]) -> list[str]:
    found = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == "product_cards"]
    assert found, f"no product cards in {replies}"
    return [item["id"] for item in found[0]["items"]]


def test_which_truck_tows_the_most_is_answered_at_once_ranked_on_towing(stack):
    shop = load()
    replies = say(stack, new_sender(), "which truck tows the most?")
    shown = cards(replies)
    pickups = [p for p in shop.products if p.value("body_type") == "pickup"]
    most = sorted(pickups, key=lambda p: -(p.value("towing_lb") or 0))[: len(shown)]
    assert shown == [p.id for p in most]
    reply = texts(replies)
    assert "Ranked by highest maximum towing, as you asked." in reply
    assert "the highest of the" in reply
    assert "?" not in reply.split("Top")[0], "a question came before the answer"


def test_most_fuel_efficient_seven_seater_ranks_within_the_seats_asked(stack):
    shop = load()
    shown = [shop.by_id[i] for i in cards(say(stack, new_sender(), "most fuel-efficient 7-seater"))]
    assert all(p.value("seats") >= 7 for p in shown)
    figures = [p.value("mpg_combined") for p in shown]
    assert None not in figures and figures == sorted(figures, reverse=True)
    best = max(
        (p for p in shop.products if (p.value("seats") or 0) >= 7 and p.value("mpg_combined")),
        key=lambda p: p.value("mpg_combined"),
    )
    assert figures[0] == best.value("mpg_combined")


def test_a_near_misspelling_is_asked_about_and_the_yes_button_answers_it(stack):
    sender = new_sender()
    asked = say(stack, sender, "any recalls on the teluryde?")
    assert texts(asked) == "Did you mean the Kia Telluride?"
    buttons = [b for r in asked for b in r.get("buttons", [])]
    assert [b["title"] for b in buttons] == ["Yes, the Kia Telluride", "No"]
    answered = texts(say(stack, sender, buttons[0]["payload"]))
    assert "Kia Telluride" in answered and "recall" in answered.lower()
    assert "Did you mean" not in answered


def test_a_certain_misspelling_is_answered_without_asking(stack):
    reply = texts(say(stack, new_sender(), "is the teluride reliable?"))
    assert "Did you mean" not in reply and "Kia Telluride" in reply
