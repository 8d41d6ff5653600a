"""A second category (laptops) works with zero code change: load, recommend, compare, nothing-fits."""

import pytest

from knowledge.catalog import Catalog
from knowledge.compare import compare
from knowledge.loader import CATALOGS_DIR, load
from knowledge.matching import recommend
from knowledge.needs import build_profile


@pytest.fixture(scope="module")
def laptops() -> Catalog:
    return load(CATALOGS_DIR / "laptops")


def test_laptop_catalog_loads_with_its_own_attributes(laptops):
    assert laptops.category.id == "laptops"
    assert "ram_gb" in laptops.category.attributes and "msrp_usd" not in laptops.category.attributes
    assert len(laptops) >= 5 and len(laptops.brands) >= 4


def test_laptop_recommendation_respects_needs(laptops):
    profile = build_profile(laptops.category, {"budget": 1300, "os": "windows"}, ["battery"])
    advice = recommend(laptops, profile)
    assert advice.matches
    for match in advice.matches:
        assert match.product.value("price_usd") <= 1300 and match.product.value("os") == "windows"
        assert any("within your budget" in r.text for r in match.reasons)


def test_laptop_nothing_fits_and_compare(laptops):
    advice = recommend(laptops, build_profile(laptops.category, {"budget": 300, "os": "macos"}))
    assert advice.nothing_fits and advice.nothing_fits.nearest
    assert any(
        "over your budget" in f.text for m in advice.nothing_fits.nearest for f in m.failures
    )
    first, second = laptops.products[:2]
    assert compare(laptops, [first, second]).rows
