"""Compare, facts, known issues, cost to own, greeting, rules, fallback and start over."""

from actions.compare import ActionCompare
from actions.dialogue import ActionExplainRules, ActionGreet, ActionHandleFallback
from actions.facts import ActionCostToOwn, ActionKnownIssues, ActionProductFact
from actions.session import catalog
from tests.actions.conftest import make_tracker, product_entity, run_action, slot

RAV4 = "toyota-rav4-hybrid-2025"
CRV = "honda-cr-v-hybrid-2025"


def test_compare_two_named_products_sends_a_table():
    text = "compare the RAV4 Hybrid and the CR-V Hybrid"
    entities = [product_entity("RAV4 Hybrid", RAV4, text), product_entity("CR-V Hybrid", CRV, text)]
    events, dispatcher = run_action(ActionCompare(), make_tracker(text, "compare", entities))
    table = dispatcher.messages[0]["custom"]
    assert table["type"] == "comparison_table"
    assert [p["id"] for p in table["products"]] == [RAV4, CRV]
    assert "(* = better)" in dispatcher.messages[0]["text"]
    assert slot(events, "shown_products") == [RAV4, CRV]


def test_compare_the_first_two_shown():
    tracker = make_tracker(
        "compare the first two", "compare", slots={"shown_products": [CRV, RAV4, "x"]}
    )
    _, dispatcher = run_action(ActionCompare(), tracker)
    assert [p["id"] for p in dispatcher.messages[0]["custom"]["products"]] == [CRV, RAV4]


def test_compare_with_an_unknown_product_says_so_honestly():
    text = "compare the RAV4 Hybrid with the Porsche Macan"
    tracker = make_tracker(text, "compare", [product_entity("RAV4 Hybrid", RAV4, text)])
    events, dispatcher = run_action(ActionCompare(), tracker)
    assert dispatcher.messages[0]["text"] == "I don't have data on the Porsche Macan."
    alike = dispatcher.messages[1]["text"]
    assert alike.startswith("The vehicles most like the Toyota RAV4 Hybrid that I do have data on")
    shown = next(e["value"] for e in events if e.get("name") == "shown_products")
    assert shown[0] == RAV4 and len(shown) == 4
    # similar = same body and powertrain first: all hybrid SUVs
    shop = catalog()
    assert all(
        shop.by_id[i].value("body_type") == "suv" and shop.by_id[i].value("powertrain") == "hybrid"
        for i in shown
    )


def test_compare_with_a_name_no_list_knows_quotes_it_with_the_nearest_names():
    text = "compare the RAV4 Hybrid with the Chevy Equinx"
    tracker = make_tracker(text, "compare", [product_entity("RAV4 Hybrid", RAV4, text)])
    _, dispatcher = run_action(ActionCompare(), tracker)
    first = dispatcher.messages[0]["text"]
    assert first.startswith('I don\'t have data on "Chevy Equinx". Names close to it that I know:')
    assert "Chevrolet Equinox" in first


def test_fact_answer_cites_value_source_and_date():
    text = "what's the range of the Ioniq 5?"
    entity = product_entity("Ioniq 5", "hyundai-ioniq-5-2025", text)
    events, dispatcher = run_action(ActionProductFact(), make_tracker(text, "ask_fact", [entity]))
    reply = dispatcher.messages[0]["text"]
    assert "EPA electric range: 245 mi (RWD; 290 mi AWD) (source: EPA, as of 2025-10-28: " in reply
    assert dispatcher.messages[0]["custom"]["items"][0] == {
        "url": "https://www.fueleconomy.gov/feg/Find.do?action=sbs&id=48714",
        "label": "EPA",
        "as_of": "2025-10-28",
    }


def test_fact_about_the_second_one_shown():
    tracker = make_tracker(
        "how many seats does the second one have", "ask_fact", slots={"shown_products": [RAV4, CRV]}
    )
    _, dispatcher = run_action(ActionProductFact(), tracker)
    assert (
        dispatcher.messages[0]["text"].startswith("2025 Honda CR-V Hybrid")
        and "Seats: 5 seats" in dispatcher.messages[0]["text"]
    )


def test_known_issues_are_disclosed_with_sources():
    text = "any recalls on the ID.4?"
    entity = product_entity("ID.4", "volkswagen-id-4-2024", text)
    _, dispatcher = run_action(
        ActionKnownIssues(), make_tracker(text, "ask_known_issues", [entity])
    )
    reply = dispatcher.messages[0]["text"]
    assert (
        reply.startswith("Known problems on file for the 2024 Volkswagen ID.4")
        and "recall" in reply
    )


def test_cost_to_own_states_its_assumptions_and_sends_the_table():
    text = "what does the RAV4 Hybrid cost to own?"
    _, dispatcher = run_action(
        ActionCostToOwn(),
        make_tracker(text, "ask_cost_to_own", [product_entity("RAV4 Hybrid", RAV4, text)]),
    )
    reply = dispatcher.messages[0]["text"]
    assert "over 5 years at 15,000 miles a year (the usual assumptions" in reply
    assert "- Energy: about $1,212 a year" in reply  # 15,000 mi / 39 mpg * $3.151
    table = dispatcher.messages[0]["custom"]
    assert table["type"] == "cost_to_own"
    assert [line["id"] for line in table["lines"]][-1] == "energy"
    assert table["per_year"] == 4334 + 1131 + 4162 + 1212
    assert table["total"] == 5 * table["per_year"]


def test_cost_to_own_takes_the_years_and_miles_a_button_sends():
    payload = f'/ask_cost_to_own{{"product": "{RAV4}", "own_years": 7, "own_usage": 12000}}'
    entities = [
        {"entity": "product", "value": RAV4},
        {"entity": "own_years", "value": 7},
        {"entity": "own_usage", "value": 12000},
    ]
    events, dispatcher = run_action(
        ActionCostToOwn(), make_tracker(payload, "ask_cost_to_own", entities)
    )
    table = dispatcher.messages[0]["custom"]
    assert (table["years"], table["usage"], table["stated"]) == (7, 12000, True)
    assert slot(events, "own_years") == 7 and slot(events, "own_usage") == 12000
    assert table["edit"]["payload"].startswith(f'/ask_cost_to_own{{"product": "{RAV4}"')
    assert "{years}" in table["edit"]["payload"] and "{usage}" in table["edit"]["payload"]


def test_cost_to_own_reads_typed_terms_and_remembers_them():
    text = "RAV4 Hybrid cost to own over 3 years at 8k miles a year"
    entity = product_entity("RAV4 Hybrid", RAV4, text)
    events, dispatcher = run_action(
        ActionCostToOwn(), make_tracker(text, "ask_cost_to_own", [entity])
    )
    assert (dispatcher.messages[0]["custom"]["years"], slot(events, "own_usage")) == (3, 8000)
    later = make_tracker(
        "and the CR-V Hybrid?",
        "ask_cost_to_own",
        [product_entity("CR-V Hybrid", CRV, "and the CR-V Hybrid?")],
        slots={"own_years": 3, "own_usage": 8000},
    )
    _, dispatcher = run_action(ActionCostToOwn(), later)
    assert dispatcher.messages[0]["custom"]["years"] == 3


def test_greeting_discloses_who_runs_the_advisor():
    _, dispatcher = run_action(ActionGreet(), make_tracker("hi", "greet"))
    assert dispatcher.messages[0]["response"] == "utter_greet"
    assert dispatcher.messages[0]["deployer"] == "a Chevrolet retailer"


def test_rules_are_explained_in_plain_words():
    _, dispatcher = run_action(ActionExplainRules(), make_tracker("how do you rank?", "ask_rules"))
    assert "same published rules" in dispatcher.messages[0]["rules"]


def fallback_events(count: int) -> list[dict]:
    parse = {"intent": {"name": "nlu_fallback"}}
    greet = {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}
    return [greet] + [{"event": "user", "text": "???", "parse_data": parse} for _ in range(count)]


def test_one_fallback_gives_a_hint_two_offer_a_person():
    _, once = run_action(
        ActionHandleFallback(), make_tracker("???", "nlu_fallback", events=fallback_events(1))
    )
    assert once.messages[0]["response"] == "utter_default"
    _, twice = run_action(
        ActionHandleFallback(), make_tracker("???", "nlu_fallback", events=fallback_events(2))
    )
    assert twice.messages[0]["response"] == "utter_offer_human"


def test_the_offer_of_a_person_is_the_question_a_typed_yes_answers():
    events, _ = run_action(
        ActionHandleFallback(), make_tracker("???", "nlu_fallback", events=fallback_events(2))
    )
    assert slot(events, "pending_question") == "handoff"
    hint = make_tracker(
        "???", "nlu_fallback", slots={"pending_question": "handoff"}, events=fallback_events(1)
    )
    events, _ = run_action(ActionHandleFallback(), hint)
    assert slot(events, "pending_question") is None  # a hint asks nothing


def test_start_over_clears_needs_and_what_was_shown():
    from actions.dialogue import ActionStartOver

    tracker = make_tracker(
        "start over",
        "start_over",
        slots={
            "budget": 45000,
            "seats": 7,
            "excluded_brands": ["Tesla"],
            "shown_products": [RAV4],
            "declined_needs": ["body"],
        },
    )
    events, dispatcher = run_action(ActionStartOver(), tracker)
    assert dispatcher.messages[0]["response"] == "utter_started_over"
    cleared = ("budget", "seats", "excluded_brands", "shown_products", "priorities")
    for name in (*cleared, "declined_needs", "pending_question", "asked_need"):
        assert slot(events, name) is None


def test_a_shopper_who_requires_awd_hears_the_awd_figure():
    text = "what's the fuel economy of the Maverick?"
    entity = product_entity("Maverick", "ford-maverick-2025", text)
    _, any_drive = run_action(ActionProductFact(), make_tracker(text, "ask_fact", [entity]))
    awd = make_tracker(text, "ask_fact", [entity], slots={"awd": True})
    _, required = run_action(ActionProductFact(), awd)
    assert "38 mpg (FWD; 37 mpg AWD)" in any_drive.messages[0]["text"]
    assert "37 mpg (AWD; 38 mpg FWD)" in required.messages[0]["text"]


def test_a_price_question_about_a_product_without_a_price_says_so_and_where_to_look():
    shop = catalog()
    product = next(p for p in shop.products if p.value("msrp_usd") is None)
    text = f"how much is the {product.model}?"
    entity = product_entity(product.model, product.id, text)
    _, dispatcher = run_action(ActionProductFact(), make_tracker(text, "ask_fact", [entity]))
    [message] = dispatcher.messages
    assert message["text"].startswith(
        f"I have no starting MSRP on file for the {product.full_name}"
    )
    assert f"{product.brand}'s site lists current prices: https://" in message["text"]
    assert "Body type" not in message["text"]  # no list of other facts instead
    [cited] = message["custom"]["items"]
    assert cited["label"] == product.brand and message["text"].rstrip(".").endswith(cited["url"])
