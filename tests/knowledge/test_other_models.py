"""Real products the catalog lacks: recognised from the catalog's generated name list (data, not
code), said so honestly, a product with a like name offered as what it is, and the most similar
products by the shopper's needs or by what the name implies. On a hand-made catalog and list whose
every answer the tests know, and on the vehicles with the list generated from EPA's file."""

from __future__ import annotations

import textwrap

import pytest

from knowledge.catalog import name_key
from knowledge.importing.names import model_names, names_text, read_names_spec
from knowledge.importing.rows import read_table
from knowledge.loader import CATALOGS_DIR, load
from knowledge.needs import NeedsProfile, build_profile
from knowledge.no_data import no_data_text, similar_text, unknown_answer
from knowledge.other_models import (
    name_index,
    namesakes,
    read_name_list,
    unknown_mentions,
)
from tests.conftest import TINY_CATEGORY, write_catalog
from tests.knowledge.test_real_sources import shared_file

PRODUCTS = """
products:
  - {id: a-metro-x, brand: BrandA, model: Metro Crossover, year: 2025,
     values: {price: 30000, seats: 5, mpg: 30, body: suv, drive: [fwd, awd]},
     sources: [https://example.org/a], as_of: 2025-06-01}
  - {id: b-peak-sport, brand: BrandB, model: Peak Sport, year: 2025,
     values: {price: 28000, seats: 5, mpg: 28, body: suv, drive: [awd]},
     sources: [https://example.org/b], as_of: 2025-06-01}
  - {id: b-sedan, brand: BrandB, model: Glide, year: 2025,
     values: {price: 24000, seats: 5, mpg: 38, body: sedan, drive: [fwd]},
     sources: [https://example.org/c], as_of: 2025-06-01}
  - {id: c-sedan, brand: BrandC, model: Vista, year: 2025,
     values: {price: 26000, seats: 5, mpg: 41, body: sedan, drive: [fwd]},
     sources: [https://example.org/d], as_of: 2025-06-01}
"""
NAMES = """
source: {name: A hand-made list, label: test}
brands:
- {brand: BrandA}
- {brand: BrandB}
- {brand: BrandD}
- {brand: Acme, common: true}
models:
- {brand: BrandA, model: Metro, implies: {body: [sedan]}, class: Midsize Cars, size: 3}
- {brand: BrandB, model: Peak, implies: {body: [suv]}, class: Large Utility, size: 4}
- {brand: BrandB, model: Peak Sport, implies: {body: [suv]}, class: Small Utility, size: 2}
- {brand: BrandB, model: Glide, implies: {body: [sedan]}, class: Midsize Cars, size: 3}
- {brand: BrandD, model: Roadster, implies: {body: [sedan]}, class: Midsize Cars, size: 3}
- {brand: BrandD, model: Table, common: true, implies: {body: [suv]}}
- {brand: BrandD, model: X1, needs_brand: true, implies: {body: [suv]}}
"""


@pytest.fixture(scope="module")
def cars(tmp_path_factory):
    folder = write_catalog(
        tmp_path_factory.mktemp("names") / "cars", TINY_CATEGORY, {"all.yml": PRODUCTS}
    )
    (folder / "sources" / "names").mkdir(parents=True)
    (folder / "sources" / "names" / "list.yml").write_text(textwrap.dedent(NAMES))
    return load(folder)


def names(catalog, text: str) -> list[str]:
    return [m.name for m in unknown_mentions(catalog, text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("any recalls on the BrandB Peak?", ["BrandB Peak"]),
        ("is the Peak any good", ["BrandB Peak"]),
        ("tell me about the Peak Sport", []),  # a catalog product, and no part of its name
        ("the Glide or the Vista?", []),  # in the catalog (and on the list)
        ("I like the BrandD Roadster and the Metro", ["BrandD Roadster", "BrandA Metro"]),
        ("do you have BrandD cars?", ["BrandD"]),  # a brand with no product here
        ("what about Acme?", ["Acme"]),  # an English word, capitalised mid-sentence
        ("acme quality", []),
        ("a table for four", []),  # an English word model needs a capital letter or its brand
        ("what about the Table", ["BrandD Table"]),
        ("the BrandD Table", ["BrandD Table"]),
        ("an X1 please", []),  # a short name needs its brand
        ("a BrandD X1 please", ["BrandD X1"]),
    ],
)
def test_unknown_names_come_from_the_list_never_from_the_catalog(cars, text, found):
    assert names(cars, text) == found


def test_spans_the_recogniser_took_are_skipped(cars):
    text = "compare the Peak with the Roadster"
    start = text.index("Peak")
    assert names(cars, text) == ["BrandB Peak", "BrandD Roadster"]
    assert names_with_taken(cars, text, [(start, start + 4)]) == ["BrandD Roadster"]


def names_with_taken(catalog, text, taken):
    return [m.name for m in unknown_mentions(catalog, text, taken)]


def test_a_like_name_is_offered_as_what_it_is(cars):
    [peak] = unknown_mentions(cars, "recalls on the BrandB Peak")
    assert no_data_text(cars, peak) == (
        "I don't have data on the BrandB Peak. I have the BrandB Peak Sport, a different, "
        "smaller model."
    )
    [metro] = unknown_mentions(cars, "the Metro")
    [version] = namesakes(cars, metro)
    assert version.product.id == "a-metro-x" and version.version_of == "suv"
    assert no_data_text(cars, metro).endswith(
        "I have the BrandA Metro Crossover, the suv version of the Metro, but no data on its "
        "other versions."
    )


def test_the_most_similar_products_follow_the_name_or_the_stated_needs(cars):
    mentions = unknown_mentions(cars, "anything like the BrandD Roadster?")
    by_name = unknown_answer(cars, mentions, NeedsProfile())
    assert by_name.basis == "name" and by_name.implied.to_dict() == {"body": ["sedan"]}
    assert {cars.by_id[i].value("body") for i in by_name.shown} == {"sedan"}
    listing = similar_text(cars, by_name)
    assert listing.startswith("The cars most like the BrandD Roadster that I have data on (sedan):")
    assert "as you asked" not in listing  # the shopper asked for no sedan
    stated = build_profile(cars.category, {"budget": 29000})
    by_needs = unknown_answer(cars, mentions, stated)
    assert (
        by_needs.basis == "needs" and by_needs.text == "I don't have data on the BrandD Roadster."
    )


def test_a_brand_without_products_is_said_so_with_the_brands_there_are(cars):
    answer = unknown_answer(cars, unknown_mentions(cars, "any BrandD deals?"), NeedsProfile())
    assert answer.text == (
        "I don't have data on BrandD cars. I have data on these brands: BrandA, BrandB, BrandC."
    )


def test_a_catalog_without_a_list_recognises_no_unknown_names():
    laptops = load(CATALOGS_DIR / "laptops")
    assert read_name_list(laptops.source).models == ()
    assert unknown_mentions(laptops, "is the Lenovo Legion any good?") == []


# -- the vehicles and EPA's file ---------------------------------------------------------------------


def test_the_committed_list_is_what_the_epa_file_generates(vehicles):
    [declaration] = sorted((CATALOGS_DIR / "vehicles" / "sources" / "names").glob("epa.yml"))
    spec = read_names_spec(declaration, vehicles)
    epa = shared_file("epa.yml")
    entries, brands = model_names(spec, read_table(epa, spec.source).rows)
    committed = spec.output.read_text(encoding="utf-8")
    assert committed == names_text(spec, entries, brands, epa), "run `advisor kb names FILE`"
    bronco = next(e for e in entries if (e["brand"], e["model"]) == ("Ford", "Bronco"))
    assert bronco["implies"] == {"body_type": ["suv"], "powertrain": ["gas"]}


def lacking(vehicles) -> list:
    """Models on the list the catalog has no product of (whatever products it gains), named in a
    way that needs no capital letter."""
    index = name_index(vehicles)
    return [
        m
        for m in index.names.models
        if name_key(m.name) not in index.known and not m.needs_brand and not m.common
    ]


def test_every_catalog_vehicle_is_known_and_a_model_it_lacks_is_not(vehicles):
    for product in vehicles:
        assert unknown_mentions(vehicles, f"any recalls on the {product.name}?") == []
    models = lacking(vehicles)
    assert len(models) > 100
    for model in models[:: max(1, len(models) // 25)]:
        [found] = unknown_mentions(vehicles, f"any recalls on the {model.name}?")
        assert found.model == model
        answer = unknown_answer(vehicles, [found], NeedsProfile())
        assert answer.text.startswith(f"I don't have data on the {model.name}.")
        body = answer.implied.get("body")  # most like it: of the body the name implies, if any
        similar = [vehicles.by_id[m.product.id] for m in answer.similar.matches]
        assert similar and (
            body is None or all(p.value("body_type") in body.value for p in similar)
        )
