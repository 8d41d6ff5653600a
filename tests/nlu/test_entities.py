"""The catalog-driven spaCy recogniser on the real catalogs: products, brands, values, quantities."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.entities import EntityRecognizer, recognizer_for
from knowledge.lexicon import Lexicon, build_lexicon
from knowledge.loader import DEFAULT_CATALOG, load

LAPTOPS = Path(DEFAULT_CATALOG).parent / "laptops"


@pytest.fixture(scope="module")
def vehicles(vehicles):
    """The recogniser for the session's vehicles catalog (built once per process)."""
    return recognizer_for(vehicles)


def found(recognizer, text):
    return [(e.entity, e.value) for e in recognizer.extract(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("under $40k", [("budget", 40000)]),
        ("less than 35,000 dollars", [("budget", 35000)]),
        ("my budget is 40 grand", [("budget", 40000)]),
        (
            "an electric pickup under 60,000",
            [("powertrain", "electric"), ("body", "pickup"), ("budget", 60000)],
        ),
        ("at least 7 seats", [("seats", 7)]),
        ("seven seats please", [("seats", 7)]),
        ("300+ miles of range", [("range", 300)]),
        ("tow 5000 lbs", [("towing", 5000)]),
        ("it must tow 5,000lbs", [("towing", 5000)]),
        ("at least 35 mpg", [("mpg", 35)]),
        ("30 cu ft of cargo", [("cargo", 30)]),
        ("a 5-star safety rating", [("safety", 5)]),
    ],
)
def test_quantities_with_units(vehicles, text, expected):
    assert found(vehicles, text) == expected


def test_several_constraints_in_one_message(vehicles):
    assert found(vehicles, "I want a 7-seat hybrid SUV under $45k") == [
        ("seats", 7),
        ("powertrain", "hybrid"),
        ("body", "suv"),
        ("budget", 45000),
    ]


def test_entity_offsets_point_into_the_original_text(vehicles):
    text = "Honda CRV vs Toyota rav 4 vs mazda cx5 under $45k"
    for entity in vehicles.extract(text):
        assert text[entity.start : entity.end] == entity.text
    assert [e.text for e in vehicles.extract(text)] == [
        "Honda CRV",
        "Toyota rav 4",
        "mazda cx5",
        "$45k",
    ]


@pytest.mark.parametrize(
    "text, product",
    [
        ("CR-V", "honda-cr-v-2025"),
        ("crv", "honda-cr-v-2025"),
        ("Chevy Equinox EV", "chevrolet-equinox-ev-2025"),
        ("Ioniq 5", "hyundai-ioniq-5-2025"),
        ("ioniq5", "hyundai-ioniq-5-2025"),
        ("RAV4 Prime", "toyota-rav4-plug-in-hybrid-2025"),
        ("vw id4", "volkswagen-id-4-2024"),
        ("Tesla Model Y", "tesla-model-y-2024"),
    ],
)
def test_products_by_model_alias_and_brand_alias(vehicles, text, product):
    assert found(vehicles, f"tell me about the {text}") == [("product", product)]


def test_longest_name_wins(vehicles):
    assert found(vehicles, "RAV4 Hybrid") == [("product", "toyota-rav4-hybrid-2025")]
    assert found(vehicles, "Equinox EV or Equinox") == [
        ("product", "chevrolet-equinox-ev-2025"),
        ("product", "chevrolet-equinox-2025"),
    ]


def test_common_word_models_need_a_capital_or_the_brand(vehicles):
    assert found(vehicles, "I want to escape the city") == []
    assert found(vehicles, "Is the Escape any good?") == [("product", "ford-escape-2025")]
    assert found(vehicles, "ford escape") == [("product", "ford-escape-2025")]
    assert found(vehicles, "I live in Colorado and need AWD") == [("awd", "yes")]


def test_brands_plural_and_aliases(vehicles):
    assert found(vehicles, "no Teslas") == [("brand", "Tesla")]
    assert found(vehicles, "anything but a Chevy") == [("brand", "Chevrolet")]
    assert found(vehicles, "not VW") == [("brand", "Volkswagen")]


def test_values_by_synonym_and_plural(vehicles):
    assert found(vehicles, "trucks or minivans") == [
        ("body", ["pickup", "minivan"]),
        ("body", ["pickup", "minivan"]),
    ]
    assert found(vehicles, "a plug-in hybrid crossover") == [
        ("powertrain", "plug_in_hybrid"),
        ("body", "suv"),
    ]
    assert found(vehicles, "4x4") == [("awd", "yes")]


def test_priorities_and_longest_match_over_values(vehicles):
    # 'gas mileage' is a priority, not the 'gas' powertrain
    assert found(vehicles, "good gas mileage and a big trunk") == [
        ("priority", "fuel_economy"),
        ("priority", "cargo"),
    ]


def test_numbers_that_fit_no_need_are_ignored(vehicles):
    assert found(vehicles, "2025 Civic") == [("product", "honda-civic-2025")]
    assert found(vehicles, "I drove 3 hours") == []
    assert found(vehicles, "") == []


def test_lexicon_round_trips_through_json(vehicles):
    lexicon = vehicles.lexicon
    again = Lexicon.from_dict(json.loads(json.dumps(lexicon.to_dict())))
    assert again == lexicon


def test_a_second_category_needs_no_code_change():
    laptops = EntityRecognizer(build_lexicon(load(LAPTOPS)))
    assert found(laptops, "a 2-in-1 with 16GB RAM under $1200") == [
        ("convertible", "yes"),
        ("ram", 16),
        ("budget", 1200),
    ]


def test_a_product_added_to_the_catalog_is_recognised_after_rebuilding(vehicles, tmp_path):
    catalog = tmp_path / "vehicles"
    shutil.copytree(Path(DEFAULT_CATALOG), catalog)
    assert found(vehicles, "the Zephyrette Roadster") == []  # the same catalog before the change
    (catalog / "products" / "zz-test.yml").write_text(
        """
products:
  - id: test-zephyrette-roadster-2025
    brand: Zephyrette
    model: Roadster
    year: 2025
    values: {body_type: coupe, powertrain: gas, seats: 2}
    sources: [https://example.org/roadster]
    as_of: 2025-01-01
"""
    )
    after = EntityRecognizer(build_lexicon(load(catalog)))
    assert found(after, "the Zephyrette Roadster") == [("product", "test-zephyrette-roadster-2025")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("we want something with 8 seats under 55k", [("seats", 8), ("budget", 55000)]),
        ("something for 5 people under 30000", [("seats", 5), ("budget", 30000)]),
        ("under thirty thousand", [("budget", 30000)]),
        ("forty-five thousand dollars", [("budget", 45000)]),
        ("the warranty is 60,000 miles", [("priority", "warranty")]),
    ],
)
def test_each_number_goes_to_the_need_its_evidence_names(vehicles, text, expected):
    assert found(vehicles, text) == expected


def test_lower_case_common_word_models_next_to_a_cue(vehicles):
    assert found(vehicles, "civic vs elantra") == [
        ("product", "honda-civic-2025"),
        ("product", "hyundai-elantra-2025"),
    ]
    assert found(vehicles, "any complaints about the pilot?") == [("product", "honda-pilot-2025")]


def test_a_word_that_names_a_limit_is_no_priority(vehicles):
    assert found(vehicles, "no particular budget") == []
    assert found(vehicles, "show me less pricey ones") == [("priority", "price")]
