"""A second category with zero code change: a model trained on the laptop catalog ($ADVISOR_CATALOG)
and the real action and Rasa servers hold a five-turn conversation over REST — recommend, refine
cheaper, compare, a fact and a nothing-fits — and the needs interview asks the laptop catalog's own
questions, one at a time.

The model is trained by ops.stack.ensure_model, which first generates the domain's need slots and
interview from the laptop catalog; it is kept in models/laptops/ under its fingerprint, so it trains
again only when its inputs change.
"""

from __future__ import annotations

import time
import uuid

import pytest

from knowledge.loader import CATALOGS_DIR, load
from ops.stack import ROOT, Stack, ensure_model, free_port
from tests.conftest import started
from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e
LAPTOPS = CATALOGS_DIR / "laptops"


@pytest.fixture(scope="module")
def laptop_stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("laptops")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVISOR_CATALOG", str(LAPTOPS))
        patch.setenv("ADVISOR_MODEL_DIR", str(ROOT / "models" / "laptops"))
        began = time.monotonic()
        model = ensure_model()
        print(f"\nlaptop model: {model} ({time.monotonic() - began:.0f} s)")
        assert model.parent == ROOT / "models" / "laptops"
        running = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            turn_log=folder / "turns.db",
            web=False,
        )
        with started(running, model, "laptops-" + uuid.uuid4().hex, folder / "logs"):
            yield running


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def custom(replies: list[dict], kind: str) -> dict:
    found = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind]
    assert found, f"no {kind} payload in {replies}"
    return found[0]


def test_a_laptop_conversation_over_rest(laptop_stack):
    laptops = load(LAPTOPS)
    price = {p.id: p.value("price_usd") for p in laptops}
    sender = "laptops-" + uuid.uuid4().hex[:8]

    first = say(laptop_stack, sender, "I want a Mac with the best battery life under $2,500")
    cards = custom(first, "product_cards")["items"]
    shown = [item["id"] for item in cards]
    assert len(shown) == 3 and all(laptops.by_id[i].value("os") == "macos" for i in shown)
    assert all(price[i] <= 2500 for i in shown)
    assert "apple-macbook-pro-14-m4-2024" in shown
    assert "MacBook Pro 14-inch (M4)" in texts(first) and "battery life" in texts(first)

    cheaper = say(laptop_stack, sender, "cheaper")
    cheaper_ids = [item["id"] for item in custom(cheaper, "product_cards")["items"]]
    assert cheaper_ids and max(price[i] for i in cheaper_ids) < min(price[i] for i in shown)
    assert "MacBook Air 13-inch (M4)" in texts(cheaper)

    compared = say(laptop_stack, sender, "compare the MacBook Air 13 and the MacBook Pro 14")
    table = custom(compared, "comparison_table")
    assert "MacBook Air 13-inch (M4)" in texts(compared)
    assert "MacBook Pro 14-inch (M4)" in texts(compared) and table

    fact = texts(say(laptop_stack, sender, "how much memory does the MacBook Pro 16 have?"))
    assert (
        fact.startswith("2024 Apple MacBook Pro 16-inch (M4 Pro)") and "Memory (RAM): 24 GB" in fact
    )
    assert "(source: macrumors.com, as of 2026-12-01: https://www.macrumors.com/" in fact

    nothing = say(laptop_stack, sender, "I need a Windows laptop under $500")
    custom(nothing, "nothing_fits")
    reply = texts(nothing)
    assert reply.startswith("No laptop meets all of: budget up to $500; Windows.")
    assert "over your budget" in reply and "Shall I drop the" in reply


def test_the_laptop_interview_asks_the_questions_its_catalog_declares(laptop_stack):
    laptops = load(LAPTOPS)
    declared = {q.text: q for q in laptops.category.interview}
    sender = "laptops-" + uuid.uuid4().hex[:8]
    asked = say(laptop_stack, sender, "I'm looking for a new laptop")
    [question] = [r for r in asked if r.get("buttons")]  # nothing narrows yet: only a question
    assert question["text"] in declared and not [r for r in asked if r.get("custom")]
    titles = [b["title"] for b in question["buttons"]]
    assert titles == [t for t, _ in declared[question["text"]].buttons]
    declined = declared[question["text"]].need
    then = say(laptop_stack, sender, "no preference")
    other = next(q for q in laptops.category.interview if q.need != declined)
    assert texts(then) == f"OK, I'll leave that open. {other.text}"
    final = say(laptop_stack, sender, "a Mac under $1500")  # answer first: the matches at once
    ids = [item["id"] for item in custom(final, "product_cards")["items"]]
    assert ids and all(laptops.by_id[i].value("os") == "macos" for i in ids)
    assert all(laptops.by_id[i].value("price_usd") <= 1500 for i in ids)
    assert "budget up to $1,500" in texts(final)
    assert not [r for r in final if r.get("buttons")]  # both questions answered or declined
