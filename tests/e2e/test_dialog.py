"""What the bot does next, over REST against the real Rasa and action servers: the replies, their
payloads and the turn log for answer first with one question, an early nothing-fits, a typed yes
or no answering the bot's own question as its buttons do, a remembered 'no preference', 'cheaper'
with and without cheaper options (no unmet need logged), a model the catalog lacks, a like-named
model and a model with variants.

`rasa test` checks the action sequences of the same behaviours (tests/stories); it neither runs the
custom actions nor compares replies, which is what these tests do."""

from __future__ import annotations

import re
import time

import pytest

from analysis.unmet import UnmetNeedMiner
from knowledge.catalog import name_key
from knowledge.loader import load
from knowledge.other_models import name_index, namesakes, unknown_mentions
from stores.turnlog import TurnLog
from tests.e2e.conftest import new_sender, say

pytestmark = pytest.mark.e2e

TUCSON = "hyundai-tucson-2024"
HYBRID = "hyundai-tucson-hybrid-2024"
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


@pytest.fixture(scope="module")
def shop():
    return load()


def texts(replies: list[dict]) -> list[str]:
    return [r["text"] for r in replies if r.get("text")]


def payloads(replies: list[dict], kind: str) -> list[dict]:
    return [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind]


def with_buttons(replies: list[dict]) -> list[dict]:
    return [r for r in replies if r.get("buttons")]


def logged(stack, sender: str, count: int, deadline: float = 10.0) -> list[dict]:
    """The conversation's shopper turns in the turn log, once all `count` have their replies."""
    end = time.monotonic() + deadline
    while True:
        with TurnLog(stack.turn_log) as log:
            rows = [r for r in log.conversation(sender) if r["role"] == "shopper"]
        if len(rows) >= count and all(r["responses"] for r in rows[:count]):
            return rows
        assert time.monotonic() < end, f"turn log of {sender}: {rows}"
        time.sleep(0.1)


def test_answer_first_shows_the_matches_and_asks_one_question(stack, shop):
    sender = new_sender()
    replies = say(stack, sender, "I want an SUV")
    assert "meet your needs (SUV)" in texts(replies)[0]
    [cards] = payloads(replies, "product_cards")
    assert len(cards["items"]) == 3
    assert all(shop.by_id[i["id"]].value("body_type") == "suv" for i in cards["items"])
    [question] = with_buttons(replies)  # one question, after the answer
    declared = {q.text: q for q in shop.category.interview}
    assert question["text"] in declared and declared[question["text"]].need != "body"
    assert [b["title"] for b in question["buttons"]] == [
        t for t, _ in declared[question["text"]].buttons
    ]
    assert texts(replies)[-1] == question["text"]
    [row] = logged(stack, sender, 1)
    assert row["needs"] == {"body": ["suv"]}
    assert [p["id"] for p in row["products"]] == [i["id"] for i in cards["items"]]
    assert [r["text"] for r in row["responses"]][-1] == question["text"]


def test_needs_no_product_meets_get_nothing_fits_at_once(stack):
    sender = new_sender()
    replies = say(stack, sender, "a hybrid minivan under $35k")
    [nothing] = payloads(replies, "nothing_fits")
    assert nothing["nearest"] and not payloads(replies, "product_cards")
    assert texts(replies)[0].startswith("No vehicle meets all of:")
    [offer] = with_buttons(replies)  # the offer to drop a limit: no interview question
    assert offer["text"].startswith("Shall I drop the ") and offer["buttons"] == YES_NO
    [row] = logged(stack, sender, 1)
    assert row["nothing_fits"]["nearest"] == nothing["nearest"]


def conversation(stack, messages: list[str]) -> tuple[str, list[list[dict]]]:
    sender = new_sender()
    return sender, [say(stack, sender, text) for text in messages]


@pytest.mark.parametrize("typed", ["yes", "sure", "go ahead"])
def test_a_typed_yes_drops_the_limit_as_the_yes_button_does(stack, typed):
    ask = "an electric pickup under $30k"
    by_button, (_, pressed) = conversation(stack, [ask, "/affirm"])
    by_words, (_, answered) = conversation(stack, [ask, typed])
    assert texts(answered) == texts(pressed)
    assert payloads(answered, "product_cards") == payloads(pressed, "product_cards")
    assert payloads(answered, "product_cards"), "dropping the limit shows what fits"
    button, words = logged(stack, by_button, 2), logged(stack, by_words, 2)
    assert words[1]["needs"] == button[1]["needs"] and words[1]["intent"] == "affirm"
    assert [p["id"] for p in words[1]["products"]] == [p["id"] for p in button[1]["products"]]


def test_a_typed_no_keeps_the_limits_as_the_no_button_does(stack):
    ask = "an electric pickup under $30k"
    by_button, (_, pressed) = conversation(stack, [ask, "/deny"])
    by_words, (_, answered) = conversation(stack, [ask, "no thanks"])
    assert texts(answered) == texts(pressed) and not payloads(answered, "product_cards")
    assert logged(stack, by_words, 2)[1]["needs"] == logged(stack, by_button, 2)[0]["needs"]


def test_a_typed_yes_to_the_offer_of_a_person_hands_over_as_its_button_does(stack):
    # two messages not understood (sent as the intent itself: which words the model cannot
    # place is the recogniser's business, not this test's)
    confused = ["/nlu_fallback", "/nlu_fallback"]
    by_button, replies = conversation(stack, [*confused, "/ask_human"])
    by_words, typed = conversation(stack, [*confused, "yes"])
    assert "talk to a person" in texts(typed[1])[0]
    [offer] = with_buttons(typed[1])
    assert [b["payload"] for b in offer["buttons"]] == ["/ask_human", "/deny"]
    assert payloads(typed[2], "handoff") and payloads(replies[2], "handoff")
    assert texts(typed[2])[0].startswith("I've asked a person from the support team")

    def unqueued(text: str) -> str:  # the second to ask is number 2 in the queue
        return re.sub(r" You're number \d+ in the queue\.", "", text)

    assert unqueued(texts(typed[2])[0]) == unqueued(texts(replies[2])[0])
    assert logged(stack, by_words, 3)[2]["handoff"] == logged(stack, by_button, 3)[2]["handoff"]
    assert logged(stack, by_words, 3)[2]["handoff"]
    kept, (*_, nope) = conversation(stack, [*confused, "nope"])
    _, (*_, deny) = conversation(stack, [*confused, "/deny"])
    assert texts(nope) == texts(deny) and not payloads(nope, "handoff")


def test_no_preference_is_remembered_for_the_whole_conversation(stack, shop):
    declared = {q.text: q.need for q in shop.category.interview}
    sender = new_sender()
    first = say(stack, sender, "I'm looking for a new vehicle")
    [question] = with_buttons(first)
    assert not payloads(first, "product_cards")  # nothing narrows the catalog yet: only a question
    declined = declared[question["text"]]
    later = [say(stack, sender, text) for text in ("no preference", "an SUV", "under $50k")]
    asked = [t for replies in later for t in texts(replies)]
    assert asked[0].startswith("OK, I'll leave that open. ")
    assert not any(question["text"] in t for t in asked), "a declined question came back"
    assert any(t in declared and declared[t] != declined for t in asked[1:])
    rows = logged(stack, sender, 4)
    assert rows[1]["intent"] == "no_preference"
    assert all(declined not in r["needs"] for r in rows)


def test_cheaper_until_nothing_cheaper_meets_the_needs_and_no_unmet_need_is_logged(stack, shop):
    sender = new_sender()
    replies = say(stack, sender, "a sedan")
    shown = [i["id"] for i in payloads(replies, "product_cards")[0]["items"]]
    price = {p.id: p.value("msrp_usd") for p in shop}
    turns = 1
    for _ in range(12):
        replies = say(stack, sender, "cheaper")
        turns += 1
        cards = payloads(replies, "product_cards")
        if not cards:
            break
        ids = [i["id"] for i in cards[0]["items"]]
        cheapest = min(price[i] for i in shown if price[i])
        assert ids and all(price[i] < cheapest for i in ids)  # cheaper than the cheapest shown
        shown = ids
    else:
        pytest.fail("'cheaper' never ran out of cheaper sedans")
    [message] = texts(replies)
    cheapest = min((i for i in shown if price[i]), key=lambda i: price[i])
    assert message.startswith(f"Nothing cheaper than the {shop.by_id[cheapest].full_name}")
    assert "so I've kept the list" in message and not payloads(replies, "nothing_fits")
    rows = logged(stack, sender, turns)
    assert rows[-1]["nothing_fits"] is None and rows[-1]["products"] == []
    assert rows[-1]["needs"] == rows[-2]["needs"]  # no budget $1 below: the needs as they were
    miner = UnmetNeedMiner(shop)
    for row in rows:
        miner.add(row)
    miner.groups()
    assert miner.unmet_conversations == 0


def lacking(shop, with_namesake: bool):
    """A real model the catalog lacks (from the name list minus the catalog, so the test keeps
    working as products are added), with or without a like-named product in the catalog."""
    index = name_index(shop)
    for model in index.names.models:
        if name_key(model.name) in index.known or model.needs_brand or model.common:
            continue
        [mention] = unknown_mentions(shop, f"the {model.name}")
        alike = namesakes(shop, mention)
        if bool(alike) == with_namesake and all(a.version_of is None for a in alike):
            return model, alike
    pytest.skip("no such model on the list")


def test_a_model_the_catalog_lacks_gets_the_most_similar_ones(stack, shop):
    model, _ = lacking(shop, with_namesake=False)
    sender = new_sender()
    replies = say(stack, sender, f"any recalls on the {model.name}?")
    first = texts(replies)[0]
    assert first.startswith(f"I don't have data on the {model.name}.\nThe vehicles most like")
    [cards] = payloads(replies, "product_cards")
    implied = set(model.implies.get("body_type", ()))
    bodies = {shop.by_id[i["id"]].value("body_type") for i in cards["items"]}
    assert cards["items"] and (not implied or bodies <= implied)
    [row] = logged(stack, sender, 1)
    assert [p["id"] for p in row["products"]] == [i["id"] for i in cards["items"]]
    assert row["nothing_fits"] is None


def test_a_like_named_model_is_offered_as_what_it_is(stack, shop):
    model, alike = lacking(shop, with_namesake=True)
    replies = say(stack, new_sender(), f"tell me about the {model.name}")
    first = texts(replies)[0]
    other = alike[0].product
    assert first.startswith(f"I don't have data on the {model.name}. I have the {other.name}, a ")
    assert "different" in first.split(". ")[1]
    assert not any(t.startswith(other.full_name) for t in texts(replies))  # never its facts


def test_a_model_with_variants_means_the_one_just_discussed_or_asks(stack, shop):
    sender = new_sender()
    compared = say(stack, sender, "compare the Tucson Hybrid and the RAV4 Hybrid")
    assert payloads(compared, "comparison_table")
    recalls = texts(say(stack, sender, "any recalls on the Tucson?"))
    assert shop.by_id[HYBRID].full_name in recalls[0]
    assert shop.by_id[TUCSON].full_name not in " ".join(recalls)

    fresh = new_sender()
    asked = say(stack, fresh, "any recalls on the Tucson?")
    [which] = with_buttons(asked)
    tucsons = [p for p in shop.products if p.model.startswith("Tucson")]  # the variants on file
    assert len(tucsons) >= 2 and which["text"].startswith("Which one do you mean: the ")
    listed = which["text"].removeprefix("Which one do you mean: ").removesuffix("?")
    assert sorted(re.split(r", | or ", listed)) == sorted(f"the {p.name}" for p in tucsons)
    by_payload = {b["payload"]: b["title"] for b in which["buttons"]}
    chosen = f'/ask_known_issues{{"product": "{HYBRID}"}}'
    assert set(by_payload) == {f'/ask_known_issues{{"product": "{p.id}"}}' for p in tucsons}
    answer = texts(say(stack, fresh, chosen))
    assert shop.by_id[HYBRID].full_name in answer[0]
    rows = logged(stack, fresh, 2)
    assert [p["id"] for p in rows[0]["products"]] == []
    assert rows[1]["intent"] == "ask_known_issues"
