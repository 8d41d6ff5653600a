"""Finding products by the names shoppers type."""

import pytest

from knowledge.errors import UnknownProductError


@pytest.mark.parametrize(
    "name", ["Big", "BrandA Big", "ba big", "2025 BrandA Big", "a-big", "BRANDA-BIG"]
)
def test_find_accepts_model_brand_alias_year_and_id(tiny_catalog, name):
    assert tiny_catalog.find(name).id == "a-big"


def test_find_accepts_product_aliases(tiny_catalog):
    assert tiny_catalog.find("BA Smally").id == "a-small"


def test_unknown_product_gets_did_you_mean(tiny_catalog):
    with pytest.raises(UnknownProductError) as caught:
        tiny_catalog.find("Compakt")
    assert caught.value.suggestions == ["BrandB Compact"]
    assert "Did you mean: BrandB Compact?" in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "model"),
    [
        ("CRV", "CR-V"),
        ("cr-v hybrid", "CR-V Hybrid"),
        ("Chevy Equinox EV", "Equinox EV"),
        ("ioniq5", "Ioniq 5"),
    ],
)
def test_vehicle_aliases(vehicles, typed, model):
    assert vehicles.find(typed).model == model


def test_last_points_at_a_product_only_as_a_reference():
    from knowledge.references import referenced

    shown = ["a", "b", "c"]
    assert referenced("tell me about the last one", shown) == ["c"]
    assert referenced("compare the first and last", shown) == ["a", "c"]
    assert referenced("how many hours does the Pro 16 last on a charge?", shown) == []
    assert referenced("how long does the warranty last", shown) == []
