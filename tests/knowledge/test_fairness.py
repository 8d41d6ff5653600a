"""Brand-blind by construction: brand labels and the house brand never move a ranking."""

import itertools
import random
from dataclasses import replace

import pytest

from knowledge.catalog import Catalog
from knowledge.fairness import exposure_audit
from knowledge.matching import recommend
from knowledge.needs import build_profile


def profiles(catalog):
    category = catalog.category
    bodies = [None, "suv", "sedan", "pickup", "minivan"]
    powertrains = [None, "hybrid", "electric", "gas"]
    budgets = [None, 30000, 45000, 70000]
    priorities = [(), ("fuel_economy",), ("cargo", "safety"), ("price",)]
    for body, power, budget, prio in itertools.product(bodies, powertrains, budgets, priorities):
        needs = {
            k: v for k, v in {"body": body, "powertrain": power, "budget": budget}.items() if v
        }
        yield build_profile(category, needs, prio)


def ranking(catalog, profile):
    advice = recommend(catalog, profile, top=10)
    if advice.nothing_fits:
        return ["miss:" + m.product.id for m in advice.nothing_fits.nearest]
    return [m.product.id for m in advice.matches]


def with_brands(catalog: Catalog, brand_of: dict[str, str]) -> Catalog:
    products = tuple(replace(p, brand=brand_of[p.id]) for p in catalog.products)
    return Catalog(catalog.category, products, catalog.source)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_swapping_brand_labels_leaves_every_ranking_unchanged(vehicles, seed):
    brands = [p.brand for p in vehicles.products]
    random.Random(seed).shuffle(brands)
    swapped = with_brands(
        vehicles, {p.id: b for p, b in zip(vehicles.products, brands, strict=True)}
    )
    assert any(p.brand != q.brand for p, q in zip(vehicles.products, swapped.products, strict=True))
    for profile in profiles(vehicles):
        assert ranking(swapped, profile) == ranking(vehicles, profile)


@pytest.mark.parametrize("house", [None, "Chevrolet", "Toyota", "Tesla", "Rivian"])
def test_house_brand_changes_no_ranking(vehicles, house):
    category = replace(vehicles.category, house_brand=house)
    other = Catalog(category, vehicles.products, vehicles.source)
    for profile in profiles(vehicles):
        assert ranking(other, profile) == ranking(vehicles, profile)


def test_exposure_audit_compares_shown_share_with_eligible_share(tiny_catalog):
    category = tiny_catalog.category
    batch = [build_profile(category, {"body": "suv"}), build_profile(category, {"body": "sedan"})]
    audit = {row.brand: row for row in exposure_audit(tiny_catalog, batch, top=1)}
    # suv: eligible a-big, c-big, c-mid; top-1 is c-mid (cheapest). sedan: a-small, b-small; top-1 a-small.
    assert (audit["BrandA"].shown, audit["BrandA"].eligible) == (1, 2)
    assert (audit["BrandB"].shown, audit["BrandB"].eligible) == (0, 1)
    assert (audit["BrandC"].shown, audit["BrandC"].eligible) == (1, 2)
    assert audit["BrandB"].shown_share == 0 and audit["BrandB"].eligible_share == pytest.approx(0.2)
    assert audit["BrandC"].gap == pytest.approx(0.5 - 0.4)
    assert audit["BrandB"].flag(tolerance=0.1) == "under-exposed"
    assert audit["BrandA"].flag(tolerance=0.15) == "fair"
    assert audit["BrandC"].flag(tolerance=0.05) == "over-exposed"
    assert sum(r.shown_share for r in audit.values()) == pytest.approx(1)


def test_exposure_audit_over_the_vehicle_catalog_covers_every_eligible_brand(vehicles):
    audit = exposure_audit(vehicles, list(profiles(vehicles))[:60])
    assert sum(r.eligible_share for r in audit) == pytest.approx(1)
    assert {r.brand for r in audit} <= set(vehicles.brands)
