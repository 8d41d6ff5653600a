"""'Cheaper', 'bigger', 'smaller' and cost to own, driven by the roles each category declares, on the
vehicles and laptop catalogs and a tiny hand-made one; and the checks on those declarations."""

from __future__ import annotations

import pytest

from knowledge.catalog import Catalog
from knowledge.loader import CATALOGS_DIR, load, validate
from knowledge.matching import eligible, recommend
from knowledge.needs import Constraint, NeedsProfile, build_profile
from knowledge.ownership import cost_answer, cost_to_own
from knowledge.refine import bigger, cheaper, smaller, unavailable_text
from tests.conftest import TINY_CATEGORY, write_catalog

ROLES = """
roles:
  price: price
  size:
    - {attribute: seats, step: 1, up_to: 8}
  energy:
    - {attribute: mpg, measure: efficiency, unit: gallon}
ownership:
  years: 4
  usage: {amount: 10000, label: miles a year}
  energy_prices:
    gallon: {price: 4.00, label: a gallon, source: "https://example.org/fuel", as_of: 2025-06-01}
  excludes: insurance
"""


@pytest.fixture(scope="module")
def laptops() -> Catalog:
    return load(CATALOGS_DIR / "laptops")


def shown(catalog: Catalog, *ids: str) -> list:
    return [catalog.by_id[i] for i in ids]


# -- cheaper ---------------------------------------------------------------------------------------


def test_cheaper_vehicles_goes_below_the_cheapest_shown(vehicles):
    products = shown(vehicles, "toyota-corolla-2025", "toyota-camry-2025")
    result = cheaper(vehicles, NeedsProfile(), products)
    assert result.found and result.profile.get("budget") == Constraint("budget", 22325 - 1)


def test_cheaper_laptops_uses_the_laptop_price(laptops):
    products = shown(laptops, "apple-macbook-pro-14-m4-2024", "apple-macbook-air-15-m4-2025")
    profile = cheaper(laptops, build_profile(laptops.category, {"os": "macos"}), products).profile
    assert profile.get("budget").value == 1199 - 1 and profile.get("os")


def test_cheaper_without_prices_shown_lowers_the_budget_or_stresses_price(vehicles, laptops):
    unpriced = shown(laptops, "dell-xps-13-9350-2024")
    with_budget = build_profile(laptops.category, {"budget": 1500})
    assert cheaper(laptops, with_budget, unpriced).profile.get("budget").value == 1350
    assert cheaper(vehicles, NeedsProfile(), []).profile.priorities == ("price",)
    assert cheaper(laptops, NeedsProfile(), unpriced).profile.priorities == ("price",)


def test_cheaper_with_nothing_cheaper_keeps_the_needs_and_says_so(vehicles):
    sedans = build_profile(vehicles.category, {"body": "sedan"})
    cheapest = min(
        (p for p in vehicles if p.value("body_type") == "sedan" and p.value("msrp_usd")),
        key=lambda p: p.value("msrp_usd"),
    )
    result = cheaper(vehicles, sedans, [cheapest])
    assert (
        not result.found and result.profile == sedans
    )  # no budget $1 below: no false nothing-fits
    assert unavailable_text(vehicles, result) == (
        f"Nothing cheaper than the {cheapest.full_name} (${cheapest.value('msrp_usd'):,}) meets "
        "your needs (sedan), so I've kept the list: those are still your best matches."
    )


def test_cheaper_without_a_price_role_cannot_serve(tiny_catalog):
    assert cheaper(tiny_catalog, NeedsProfile(), list(tiny_catalog)) is None


# -- bigger and smaller ----------------------------------------------------------------------------


def test_bigger_vehicles_adds_a_seat_up_to_eight_then_stresses_cargo(vehicles):
    five = shown(vehicles, "toyota-corolla-2025")
    assert bigger(vehicles, NeedsProfile(), five).profile.get("seats") == Constraint("seats", 6)
    eight = [p for p in vehicles if p.value("seats") == 8][:1]
    assert bigger(vehicles, NeedsProfile(), eight).profile.priorities == ("cargo",)
    assert bigger(vehicles, NeedsProfile(), []).profile.priorities == ("cargo",)


def test_bigger_goes_one_size_at_a_time_nearest_first(vehicles):
    suvs = build_profile(vehicles.category, {"body": "suv"})
    five = [p for p in vehicles if p.value("body_type") == "suv" and p.value("seats") == 5][:3]
    first = bigger(vehicles, suvs, five)
    assert first.profile.get("seats").value == 6 and first.near.target == 6
    shown_first = recommend(vehicles, first.profile, near=first.near).matches
    seats = sorted({p.value("seats") for p in vehicles if p.value("body_type") == "suv"})
    next_size = min(s for s in seats if s > 5)
    # the nearest size first; when fewer of it meet the needs than are shown, the next size follows
    first_seats = [m.product.value("seats") for m in shown_first]
    nearest = len([p for p in eligible(vehicles, first.profile) if p.value("seats") == next_size])
    k = min(nearest, len(first_seats))
    assert k > 0 and first_seats[:k] == [next_size] * k and first_seats == sorted(first_seats)
    second = bigger(vehicles, first.profile, [m.product for m in shown_first])
    shown_second = recommend(vehicles, second.profile, near=second.near).matches
    after = min(s for s in seats if s > max(first_seats))
    assert shown_second[0].product.value("seats") == after


def test_bigger_laptops_asks_for_a_screen_an_inch_larger(laptops):
    products = shown(laptops, "apple-macbook-air-13-m4-2025", "dell-xps-13-9350-2024")
    limited = build_profile(laptops.category, {"screen_max": 14})
    profile = bigger(laptops, limited, products).profile
    assert profile.get("screen_min").value == pytest.approx(14.6)
    assert profile.get("screen_max") is None  # a 14-inch cap would contradict it
    assert bigger(laptops, NeedsProfile(), []) is None  # nothing shown, no size without a step


def test_smaller_laptops_caps_the_screen_at_the_next_size_down(laptops):
    products = shown(laptops, "apple-macbook-pro-14-m4-2024", "apple-macbook-air-15-m4-2025")
    result = smaller(laptops, NeedsProfile(), products)
    below = max(p.value("screen_in") for p in laptops if p.value("screen_in") < 14.2)
    # no laptop is a whole inch below the 14.2-inch one: the next size there is
    assert result.found and result.profile.get("screen_max").value == pytest.approx(below)
    wide = shown(laptops, "apple-macbook-air-15-m4-2025")
    asked = build_profile(laptops.category, {"screen_min": 15})
    stepped = smaller(laptops, asked, wide).profile
    assert stepped.get("screen_max").value == pytest.approx(14.3)
    assert stepped.get("screen_min") is None  # a 15-inch floor would contradict it


def test_smaller_vehicles_drops_the_seat_floor_or_cannot_serve(vehicles):
    seven = [p for p in vehicles if p.value("seats") == 7][:2]
    asked = build_profile(vehicles.category, {"seats": 7, "body": "suv"})
    profile = smaller(vehicles, asked, seven).profile
    assert profile.get("seats") is None and profile.get("body")
    assert smaller(vehicles, NeedsProfile(), seven) is None  # no upper limit on any size


def test_tiny_catalog_roles_drive_the_same_functions(tmp_path):
    catalog = load(write_catalog(tmp_path / "roles", TINY_CATEGORY + ROLES))
    result = cheaper(catalog, NeedsProfile(), shown(catalog, "a-big"))
    assert result.profile.get("budget").value == 44999
    assert bigger(catalog, NeedsProfile(), shown(catalog, "a-big")).profile.get("seats").value == 8
    assert bigger(catalog, NeedsProfile(), shown(catalog, "c-big")) is None  # 9 > up_to 8
    cheapest = shown(catalog, "a-small")
    assert not cheaper(catalog, NeedsProfile(), cheapest).found


# -- cost to own -----------------------------------------------------------------------------------


def test_cost_to_own_energy_follows_the_vehicles_epa_figure(vehicles):
    gas = vehicles.by_id["toyota-corolla-2025"]
    energy = cost_to_own(vehicles, gas).lines[-1]
    assert energy.id == "energy"
    assert energy.per_year == pytest.approx(15000 / 35 * 3.151)


def test_cost_to_own_electric_uses_mpge_and_electricity(vehicles):
    electric = next(
        p for p in vehicles if p.value("powertrain") == "electric" and p.value("mpge_combined")
    )
    energy = cost_to_own(vehicles, electric).lines[-1]
    expected = 15000 / electric.value("mpge_combined") * 33.705 * 0.167
    assert energy.per_year == pytest.approx(expected)
    assert "per kWh" in energy.basis


def test_cost_to_own_without_an_energy_figure_gives_no_total(vehicles):
    unknown = next(
        p for p in vehicles if not p.value("mpg_combined") and not p.value("mpge_combined")
    )
    cost = cost_to_own(vehicles, unknown)
    assert cost.lines[-1].per_year is None and cost.total is None
    text = cost_answer(cost, vehicles)
    assert "no energy-use figure on file" in text
    assert "No total: energy has no figure on file" in text


def test_cost_to_own_laptops_is_not_declared(laptops):
    assert cost_to_own(laptops, laptops.products[0]) is None


def test_cost_to_own_consumption_multiplies_usage(tmp_path):
    consumption = ROLES.replace("measure: efficiency", "measure: consumption, factor: 0.001")
    catalog = load(write_catalog(tmp_path / "use", TINY_CATEGORY + consumption))
    cost = cost_to_own(catalog, catalog.by_id["a-small"])
    assert cost.lines[-1].per_year == pytest.approx(10000 * 40 * 0.001 * 4.00)
    assert cost.terms.years == 4 and "Not included: insurance." in cost_answer(cost, catalog)


# -- checking the declarations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "field", "code"),
    [
        ("price: price", "price: body", "roles.price", "[E115]"),
        ("price: price", "pricing: price", "roles.pricing", "[E115]"),
        ("step: 1, up_to: 8", "step: -1", "roles.size[0].step", "[E115]"),
        (
            "{attribute: seats, step: 1, up_to: 8}",
            "{attribute: body}",
            "roles.size[0].attribute",
            "[E115]",
        ),
        ("measure: efficiency", "measure: per_mile", "roles.energy[0].measure", "[E115]"),
        ("unit: gallon", "unit: litre", "roles.energy[0].unit", "[E115]"),
        ("years: 4", "years: four", "ownership.years", "[E116]"),
        (
            '"https://example.org/fuel"',
            "somewhere",
            "ownership.energy_prices.gallon.source",
            "[E116]",
        ),
        ("as_of: 2025-06-01", "as_of: June", "ownership.energy_prices.gallon.as_of", "[E116]"),
    ],
)
def test_bad_roles_and_ownership_are_reported_with_file_and_field(
    tmp_path, before, after, field, code
):
    assert before in ROLES
    folder = write_catalog(tmp_path / "bad", TINY_CATEGORY + ROLES.replace(before, after, 1))
    problems = validate(folder).problems
    assert [(p.message[:6], p.field) for p in problems][:1] == [(code, field)]
    assert problems[0].file.endswith("category.yml")
    assert f"field '{field}'" in str(problems[0])


@pytest.mark.parametrize(
    ("interview", "field"),
    [
        ("interview: {ask: [{need: colour, question: Which one}]}", "interview.ask[0].need"),
        ("interview: {ask: [{need: body}]}", "interview.ask[0].question"),
        (
            "interview: {ask: [{need: body, question: Q, buttons: [a, b]}]}",
            "interview.ask[0].buttons",
        ),
        (
            "interview: {ask: [{need: body, question: Q}, {need: body, question: R}]}",
            "interview.ask[1].need",
        ),
        ("interview: {examples: {hello: hi}}", "interview.examples"),
    ],
)
def test_bad_interview_is_reported_with_field(tmp_path, interview, field):
    folder = write_catalog(tmp_path / "bad", TINY_CATEGORY + interview + "\n")
    problems = validate(folder).problems
    assert [(p.message[:6], p.field) for p in problems] == [("[E117]", field)]


def test_both_shipped_catalogs_declare_their_roles(vehicles, laptops):
    assert (
        vehicles.category.roles.price == "msrp_usd" and laptops.category.roles.price == "price_usd"
    )
    assert [r.attribute for r in laptops.category.roles.size] == ["screen_in"]
    assert [q.need for q in vehicles.category.interview] == [
        "body",
        "budget",
        "powertrain",
        "seats",
    ]
    assert [q.need for q in laptops.category.interview] == ["os", "budget"]
