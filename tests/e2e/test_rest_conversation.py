"""The real Rasa server and the real action server, talked to over the REST channel."""

from __future__ import annotations

import uuid

import pytest

from knowledge.loader import load
from ops.stack import ROOT, ensure_model
from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_a_multi_turn_conversation_over_rest(stack):
    sender = "e2e-" + uuid.uuid4().hex[:8]
    greeting = texts(say(stack, sender, "hi"))
    assert "run by a Chevrolet retailer" in greeting and "same published rules" in greeting

    first = say(stack, sender, "I want a 7-seat hybrid SUV under 45k")
    assert "meet" in texts(first) and "7 seats" in texts(first)
    assert any((r.get("custom") or {}).get("type") == "product_cards" for r in first)

    wider = texts(say(stack, sender, "I need a pickup truck"))
    assert "pickup" in wider

    compared = say(stack, sender, "compare the RAV4 Hybrid and the CR-V Hybrid")
    assert any((r.get("custom") or {}).get("type") == "comparison_table" for r in compared)

    issues = texts(say(stack, sender, "any recalls on the ID.4?"))
    assert "Volkswagen ID.4" in issues and "recall" in issues


def test_the_interview_answers_first_and_asks_only_what_is_missing(stack):
    sender = "e2e-" + uuid.uuid4().hex[:8]
    interview = {q.text: q.need for q in load().category.interview}
    first = say(stack, sender, "I'm looking for a new vehicle")
    assert [r["text"] for r in first if r.get("text")][0] in interview  # only a question
    answered = say(stack, sender, "an SUV under $40k")
    assert "meet your needs (budget up to $40,000; SUV)" in texts(answered)  # answer first
    asked = [r["text"] for r in answered if r.get("buttons")]
    assert len(asked) <= 1 and all(interview[t] not in ("body", "budget") for t in asked)


def test_model_is_reused_when_nothing_changed():
    model = ensure_model()
    assert model.exists() and model.parent == ROOT / "models"
