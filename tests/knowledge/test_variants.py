"""A model with variants: 'the Tucson' means the variant just discussed, else the advisor asks; a
specific name, or a choice sent by a button, is taken as it is."""

from __future__ import annotations

import pytest

from knowledge.variants import read_name, variants

TUCSON = "hyundai-tucson-2024"
HYBRID = "hyundai-tucson-hybrid-2024"
PLUG_IN = "hyundai-tucson-plug-in-2025"


@pytest.mark.parametrize(
    "pid, written, expected",
    [
        (TUCSON, "Tucson", {TUCSON, HYBRID, PLUG_IN}),
        (TUCSON, "Hyundai Tucson", {TUCSON, HYBRID, PLUG_IN}),
        (TUCSON, "Tucson SE", {TUCSON}),  # an alias naming the gas model itself
        (HYBRID, "Tucson Hybrid", {HYBRID}),
        (
            "toyota-rav4-2025",
            "RAV4",
            {"toyota-rav4-2025", "toyota-rav4-hybrid-2025", "toyota-rav4-plug-in-hybrid-2025"},
        ),
        ("mazda-cx-5-2025", "CX-5", {"mazda-cx-5-2025"}),  # the CX-50 is another model
        ("toyota-camry-2025", "Camry", {"toyota-camry-2025"}),
    ],
)
def test_variants_are_the_products_whose_names_go_on_from_the_words_written(
    vehicles, pid, written, expected
):
    assert {p.id for p in variants(vehicles, vehicles.by_id[pid], written)} == expected


def test_the_variant_just_discussed_is_meant(vehicles):
    tucson = vehicles.by_id[TUCSON]
    after_the_hybrid = read_name(vehicles, tucson, "Tucson", [HYBRID, "toyota-rav4-hybrid-2025"])
    assert after_the_hybrid.meant.id == HYBRID
    after_the_gas_one = read_name(vehicles, tucson, "Tucson", [TUCSON])
    assert after_the_gas_one.meant.id == TUCSON


def test_with_no_variant_discussed_the_advisor_asks(vehicles):
    reading = read_name(vehicles, vehicles.by_id[TUCSON], "the Tucson"[4:], [])
    assert reading.meant is None
    assert {p.id for p in reading.options} == {TUCSON, HYBRID, PLUG_IN}


def test_a_specific_name_a_button_or_both_variants_named_are_taken_as_they_are(vehicles):
    tucson = vehicles.by_id[TUCSON]
    assert read_name(vehicles, tucson, None, []).meant.id == TUCSON  # a button: no words
    every = {TUCSON, HYBRID, PLUG_IN}
    both = read_name(vehicles, tucson, "Tucson", [HYBRID], also_named=every)
    assert both.meant.id == TUCSON  # 'the Tucson vs the Tucson Hybrid vs the Tucson Plug-in Hybrid'
