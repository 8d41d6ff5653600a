"""What a shopper's message means, phenomenon by phenomenon, on the real catalogs: plurals,
misspellings, seat rows, party sizes, price phrasing, hints, corrections, removals, negations and
superlatives; and that every word of it comes from the catalog's declarations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from knowledge.entities import EntityRecognizer, recognizer_for
from knowledge.lexicon import build_lexicon
from knowledge.loader import DEFAULT_CATALOG, load
from knowledge.spelling import edit_distance
from tests.conftest import TINY_CATEGORY, write_catalog

LAPTOPS = Path(DEFAULT_CATALOG).parent / "laptops"


@pytest.fixture(scope="module")
def vehicles(vehicles):
    return recognizer_for(vehicles)


@pytest.fixture(scope="module")
def laptops():
    return recognizer_for(load(LAPTOPS))


def found(recognizer, text):
    return [(e.entity, e.value) for e in recognizer.extract(text)]


def roles(recognizer, text):
    return [(e.entity, e.value, e.role) for e in recognizer.extract(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("show me hybrid SUVs", [("powertrain", "hybrid"), ("body", "suv")]),
        ("SUVs under 40k", [("body", "suv"), ("budget", 40000)]),
        ("only PHEVs", [("powertrain", "plug_in_hybrid")]),
        ("all-wheel-drive crossovers", [("awd", "yes"), ("body", "suv")]),
        ("how are the Tacomas?", [("product", "toyota-tacoma-2025")]),
        ("are Honda Pilots reliable?", [("product", "honda-pilot-2025")]),
    ],
)
def test_plurals_and_inflections(vehicles, text, expected):
    assert found(vehicles, text) == expected


def test_plurals_in_a_second_category(laptops):
    assert found(laptops, "show me Chromebooks") == [("os", "chromeos")]
    assert found(laptops, "2-in-1s under 1200") == [("convertible", "yes"), ("budget", 1200)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I want a hybird", [("powertrain", "hybrid")]),
        ("any recalls on the camery?", [("product", "toyota-camry-2025")]),
        ("is the teluride any good?", [("product", "kia-telluride-2025")]),
        ("tell me about the ioniq5", [("product", "hyundai-ioniq-5-2025")]),
        ("an electirc pickup", [("powertrain", "electric"), ("body", "pickup")]),
        ("how reliable is the Silverdo?", [("product", "chevrolet-silverado-1500-2025")]),
    ],
)
def test_misspellings_of_catalog_words_are_corrected(vehicles, text, expected):
    assert found(vehicles, text) == expected


@pytest.mark.parametrize(
    "text",
    ["can I trust your rankings?", "I'd like something sporty", "I want to escape the city"],
)
def test_ordinary_english_words_never_become_catalog_terms(vehicles, text):
    assert found(vehicles, text) == []


def test_real_model_names_the_catalog_lacks_are_not_corrected_into_its_own(vehicles):
    # the VW Taos (in the catalog now) is no misspelled 'tacos' (a plural made of Tacoma's alias
    # 'Taco'); a mild hybrid ('MHEV') is no plug-in hybrid ('PHEV')
    taos = found(vehicles, "any recalls on the VW Taos?")
    assert ("product", "volkswagen-taos-2025") in taos
    assert not [v for _, v in taos if "tacoma" in str(v)]
    assert found(vehicles, "is an MHEV worth it?") == []


def test_an_uncertain_spelling_is_asked_about_with_the_message_corrected(vehicles):
    [entity] = vehicles.extract("any recalls on the teluryde?")
    assert entity.entity == "suggestion" and entity.text == "teluryde"
    assert entity.value == {
        "id": "kia-telluride-2025",
        "name": "Kia Telluride",
        "text": "any recalls on the Kia Telluride?",
    }


def test_a_misspelled_word_inside_a_longer_product_name(laptops):
    assert found(laptops, "compare the MacBook Air 13 and the Surface Laptp 7") == [
        ("product", "apple-macbook-air-13-m4-2025"),
        ("product", "microsoft-surface-laptop-13-8-7th-edition-2024"),
    ]


@pytest.mark.parametrize(
    "a, b, distance",
    [("hybird", "hybrid", 1), ("camery", "camry", 1), ("teluryde", "telluride", 2), ("a", "a", 0)],
)
def test_edit_distance_counts_a_swap_of_two_letters_as_one(a, b, distance):
    assert edit_distance(a, b) == distance


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a 3-row SUV", [("rows", 3), ("body", "suv")]),
        ("I need three rows", [("rows", 3)]),
        ("an SUV with a third row", [("body", "suv"), ("rows", 3)]),
        ("something with third-row seating", [("rows", 3)]),
        ("we need a 3rd row for the kids", [("rows", 3)]),
    ],
)
def test_seat_rows(vehicles, text, expected):
    assert found(vehicles, text) == expected


@pytest.mark.parametrize(
    "text, seats",
    [
        ("we're a family of five", 5),
        ("I have 3 kids", 5),  # counted with the two adults category.yml declares
        ("it needs to seat 6 people", 6),
        ("there are six of us", 6),
        ("something for 2 adults and 3 kids", 5),
        ("two kids, looking for a hybrid SUV", 4),
    ],
)
def test_party_sizes_become_seats(vehicles, text, seats):
    assert ("seats", seats) in found(vehicles, text)


@pytest.mark.parametrize(
    "text, budget",
    [
        ("my budget is 40 grand", 40000),
        ("under forty thousand", 40000),
        ("something around 30k", 30000),
        ("35k tops", 35000),
        ("between 30 and 40k", 40000),
        ("somewhere between 25k and 30k", 30000),
    ],
)
def test_price_phrasing(vehicles, text, budget):
    assert found(vehicles, text) == [("budget", budget)]


@pytest.mark.parametrize(
    "text, budget",
    [
        ("between 800 and 1200", 1200),
        ("around a thousand dollars", 1000),
        ("no more than twelve hundred dollars", 1200),
    ],
)
def test_price_phrasing_in_a_second_category(laptops, text, budget):
    assert found(laptops, text) == [("budget", budget)]


def test_hints_imply_a_priority_and_say_so(vehicles, laptops):
    assert roles(vehicles, "we have a dog") == [("priority", "cargo", "hint")]
    assert roles(vehicles, "I have a long daily commute") == [("priority", "fuel_economy", "hint")]
    assert roles(vehicles, "strollers and car seats") == [
        ("priority", "cargo", "hint"),
        ("priority", "cargo", "hint"),
    ]
    assert roles(laptops, "I travel a lot for work") == [("priority", "portability", "hint")]


def test_a_correction_states_the_need_again(vehicles):
    assert found(vehicles, "actually make it 50k") == [("budget", 50000)]
    assert found(vehicles, "I said SUV, not truck") == [("body", "suv"), ("body", "suv")]


@pytest.mark.parametrize(
    "text, removed",
    [
        ("forget the budget", ["budget"]),
        ("no budget limit", ["budget"]),
        ("drop the powertrain requirement", ["powertrain"]),
        ("I don't need AWD anymore", ["awd"]),
        ("the drivetrain doesn't matter", ["drivetrain", "awd"]),
        ("forget the budget and the powertrain", ["budget", "powertrain"]),
        ("any powertrain is fine by me", ["powertrain"]),
        ("no need to tow anymore", ["towing"]),
    ],
)
def test_removals_set_the_need_to_any(vehicles, text, removed):
    assert sorted(found(vehicles, text)) == sorted((need, "any") for need in removed)


def test_no_preference_and_no_more_than_are_no_removals(vehicles):
    assert found(vehicles, "no particular budget") == []
    assert found(vehicles, "no more than 40k") == [("budget", 40000)]


@pytest.mark.parametrize(
    "text, need, values",
    [
        ("anything but electric", "powertrain", ["gas", "hybrid", "plug_in_hybrid"]),
        ("no EVs please", "powertrain", ["gas", "hybrid", "plug_in_hybrid"]),
        ("I want to avoid plug-in hybrids", "powertrain", ["gas", "hybrid", "electric"]),
        (
            "a 7-seater that isn't a minivan",
            "body",
            ["sedan", "hatchback", "coupe", "wagon", "suv", "pickup"],
        ),
    ],
)
def test_negated_values_leave_the_others(vehicles, text, need, values):
    assert (need, values) in found(vehicles, text)


def test_negated_brands_are_excluded(vehicles, laptops):
    assert roles(vehicles, "no Teslas") == [("brand", "Tesla", "excluded")]
    assert roles(vehicles, "not interested in Fords or Chevys") == [
        ("brand", "Ford", "excluded"),
        ("brand", "Chevrolet", "excluded"),
    ]
    assert roles(vehicles, "are you biased toward Chevy?") == [("brand", "Chevrolet", None)]
    assert found(laptops, "anything but a Mac") == [("os", ["windows", "chromeos"])]


def test_several_values_of_one_need_combine(vehicles):
    assert found(vehicles, "a hybrid or electric SUV")[:2] == [
        ("powertrain", ["hybrid", "electric"]),
        ("powertrain", ["hybrid", "electric"]),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("most fuel-efficient 7-seater", [("sort", "highest mpg_combined"), ("seats", 7)]),
        (
            "cheapest EV with 250 miles",
            [("sort", "lowest msrp_usd"), ("powertrain", "electric"), ("range", 250)],
        ),
        (
            "safest SUV under 40k",
            [("sort", "highest nhtsa_overall"), ("body", "suv"), ("budget", 40000)],
        ),
        ("which truck tows the most", [("body", "pickup"), ("sort", "highest towing_lb")]),
        ("least expensive AWD SUV", [("sort", "lowest msrp_usd"), ("awd", "yes"), ("body", "suv")]),
    ],
)
def test_superlatives_and_direct_questions(vehicles, text, expected):
    assert found(vehicles, text) == expected


def test_superlatives_in_a_second_category(laptops):
    assert found(laptops, "the lightest laptop") == [("sort", "lowest weight_lb")]
    assert found(laptops, "biggest screen Windows laptop") == [
        ("sort", "highest screen_in"),
        ("os", "windows"),
    ]


PHRASING = """
phrasing:
  superlatives:
    mpg: {highest: [thriftiest]}
  party: {need: seats, before: [crew of], children: [kids], adults: 1}
  hints:
    economy: [commute]
"""


def test_every_phrasing_word_comes_from_the_category(tmp_path):
    plain = EntityRecognizer(build_lexicon(load(write_catalog(tmp_path / "plain"))))
    assert found(plain, "a thriftiest car for my commute, crew of 6, 3 kids") == []
    declared = write_catalog(tmp_path / "declared", TINY_CATEGORY + textwrap.dedent(PHRASING))
    recognizer = EntityRecognizer(build_lexicon(load(declared)))
    assert found(recognizer, "the thriftiest one for my commute") == [
        ("sort", "highest mpg"),
        ("priority", "economy"),
    ]
    assert found(recognizer, "a crew of 6") == [("seats", 6)]
    assert found(recognizer, "I have 3 kids") == [("seats", 4)]  # one adult, as declared


@pytest.mark.parametrize(
    "phrasing, field",
    [
        ("phrasing: {superlatives: {body: {highest: [x]}}}", "phrasing.superlatives.body"),
        ("phrasing: {superlatives: {mpg: {up: [x]}}}", "phrasing.superlatives.mpg"),
        ("phrasing: {party: {need: body}}", "phrasing.party.need"),
        ("phrasing: {party: {need: seats, adults: -1, before: [x]}}", "phrasing.party.adults"),
        ("phrasing: {ordinals: [body]}", "phrasing.ordinals"),
        ("phrasing: {hints: {comfort: [sofa]}}", "phrasing.hints.comfort"),
        ("phrasing: {colours: {}}", "phrasing.colours"),
    ],
)
def test_a_bad_phrasing_declaration_names_its_field(tmp_path, phrasing, field):
    from knowledge.errors import CatalogError

    folder = write_catalog(tmp_path / "bad", TINY_CATEGORY + phrasing + "\n")
    with pytest.raises(CatalogError) as raised:
        load(folder)
    assert any(p.field == field and "[E122]" in p.message for p in raised.value.problems)
