"""What the bot does next, action by action: answer first with one question, 'no preference'
remembered, 'cheaper' with nothing cheaper, a model the catalog lacks, a like-named model and a
model with variants."""

from __future__ import annotations

from actions.advise import ActionNoPreference, ActionRecommend, ActionRefine
from actions.facts import ActionKnownIssues, ActionProductFact
from actions.session import catalog
from knowledge.catalog import name_key
from knowledge.other_models import name_index, namesakes, unknown_mentions
from tests.actions.conftest import make_tracker, product_entity, run_action, slot

TUCSON = "hyundai-tucson-2024"
HYBRID = "hyundai-tucson-hybrid-2024"


def questions() -> dict:
    return {q.need: q for q in catalog().category.interview}


def test_answer_first_shows_the_matches_then_asks_one_question():
    events, dispatcher = run_action(ActionRecommend(), make_tracker(slots={"body": "suv"}))
    answer, question = dispatcher.messages
    assert answer["custom"]["type"] == "product_cards" and len(answer["custom"]["items"]) == 3
    asked = slot(events, "asked_need")
    assert asked != "body" and question["text"] == questions()[asked].text
    assert [b["payload"] for b in question["buttons"]] == [p for _, p in questions()[asked].buttons]
    assert slot(events, "pending_question") == "need"


def test_no_preference_is_remembered_and_never_asked_again():
    shown = ["toyota-rav4-hybrid-2025"]
    slots = {
        "body": "suv",
        "asked_need": "budget",
        "pending_question": "need",
        "shown_products": shown,
    }
    events, dispatcher = run_action(
        ActionNoPreference(), make_tracker("no preference", "no_preference", slots=slots)
    )
    assert slot(events, "declined_needs") == ["budget"]
    [message] = dispatcher.messages  # the matches shown still stand: only the next question
    assert message["text"].startswith("OK, I'll leave that open. ")
    assert slot(events, "asked_need") not in {"budget", "body"}
    later = {"body": "suv", "powertrain": "gas", "declined_needs": ["budget"]}
    events, dispatcher = run_action(ActionRecommend(), make_tracker("gas", slots=later))
    assert "What's your budget" not in " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert not [e for e in events if e.get("name") == "asked_need" and e["value"] == "budget"]


def test_cheaper_with_nothing_cheaper_keeps_the_list_and_the_needs():
    shop = catalog()
    sedans = [p for p in shop if p.value("body_type") == "sedan" and p.value("msrp_usd")]
    cheapest = min(sedans, key=lambda p: p.value("msrp_usd"))
    slots = {"body": ["sedan"], "shown_products": [cheapest.id]}
    events, dispatcher = run_action(
        ActionRefine(), make_tracker("cheaper", "refine_cheaper", slots=slots)
    )
    [message] = dispatcher.messages
    assert message["text"].startswith(f"Nothing cheaper than the {cheapest.full_name}")
    assert "custom" not in message or not message.get("custom")  # no nothing-fits payload
    changed = {e["name"] for e in events if e.get("event") == "slot"}
    assert not changed & {"budget", "body", "shown_products"}


def test_cheaper_with_cheaper_options_shows_only_them():
    first, _ = run_action(ActionRecommend(), make_tracker(slots={"body": "suv", "budget": 45000}))
    shown = slot(first, "shown_products")
    cheapest = min(catalog().by_id[i].value("msrp_usd") for i in shown)
    slots = {"body": "suv", "budget": 45000, "shown_products": shown}
    events, dispatcher = run_action(
        ActionRefine(), make_tracker("cheaper", "refine_cheaper", slots=slots)
    )
    items = dispatcher.messages[0]["custom"]["items"]
    assert items and all(catalog().by_id[i["id"]].value("msrp_usd") < cheapest for i in items)


def lacking_with_and_without_namesakes():
    """A model the list has and the catalog lacks, with no like-named product; and one with."""
    shop = catalog()
    index = name_index(shop)
    plain, alike = None, None
    for model in index.names.models:
        if name_key(model.name) in index.known or model.needs_brand or model.common:
            continue
        [mention] = unknown_mentions(shop, f"any recalls on the {model.name}?")
        if namesakes(shop, mention):
            alike = alike or (model, namesakes(shop, mention))
        else:
            plain = plain or model
    return plain, alike


def test_a_model_the_catalog_lacks_is_never_answered_for():
    plain, (model, alike) = lacking_with_and_without_namesakes()
    text = f"any recalls on the {plain.name}?"
    events, dispatcher = run_action(ActionKnownIssues(), make_tracker(text, "ask_known_issues"))
    reply = dispatcher.messages[0]["text"]
    assert reply.startswith(f"I don't have data on the {plain.name}.\nThe vehicles most like")
    assert dispatcher.messages[0]["custom"]["type"] == "product_cards"
    assert slot(events, "shown_products") == [
        i["id"] for i in dispatcher.messages[0]["custom"]["items"]
    ]
    text = f"tell me about the {model.name}"
    _, dispatcher = run_action(ActionProductFact(), make_tracker(text, "ask_fact"))
    reply = dispatcher.messages[0]["text"]
    offered = alike[0].product
    assert reply.startswith(f"I don't have data on the {model.name}. I have the {offered.name}, ")
    assert "different" in reply or "version" in reply
    assert not reply.startswith(offered.full_name)  # no facts about the other model


def test_a_model_with_variants_means_the_one_just_discussed():
    text = "any recalls on the Tucson?"
    entity = product_entity("Tucson", TUCSON, text)
    tracker = make_tracker(text, "ask_known_issues", [entity], {"shown_products": [HYBRID, "x"]})
    events, dispatcher = run_action(ActionKnownIssues(), tracker)
    hybrid = catalog().by_id[HYBRID]
    assert hybrid.full_name in dispatcher.messages[0]["text"]
    assert slot(events, "shown_products") == [HYBRID]


def test_a_model_with_variants_none_discussed_gets_which_one():
    text = "any recalls on the Tucson?"
    entity = product_entity("Tucson", TUCSON, text)
    events, dispatcher = run_action(
        ActionKnownIssues(), make_tracker(text, "ask_known_issues", [entity])
    )
    [message] = dispatcher.messages
    assert message["text"] == (
        "Which one do you mean: the Hyundai Tucson, the Hyundai Tucson Hybrid or the Hyundai "
        "Tucson Plug-in Hybrid?"
    )
    plug_in = "hyundai-tucson-plug-in-2025"
    assert [b["payload"] for b in message["buttons"]] == [
        f'/ask_known_issues{{"product": "{TUCSON}"}}',
        f'/ask_known_issues{{"product": "{HYBRID}"}}',
        f'/ask_known_issues{{"product": "{plug_in}"}}',
    ]
    assert slot(events, "shown_products") == [TUCSON, HYBRID, plug_in]
    button = f'/ask_known_issues{{"product": "{HYBRID}"}}'
    chosen = {"entity": "product", "value": HYBRID, "start": 17, "end": len(button)}
    _, dispatcher = run_action(
        ActionKnownIssues(), make_tracker(button, "ask_known_issues", [chosen])
    )
    assert catalog().by_id[HYBRID].full_name in dispatcher.messages[0]["text"]
