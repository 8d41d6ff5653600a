"""Honest gaps: a question about a figure not on file is answered with that fact and where to
check it; a product kept out only by a missing figure is named after the matches ("might also
fit"), never hidden and never ranked among them; a missing priority figure is said on the card."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from actions.render_payload import advice_payload
from advisor.cli import cli
from knowledge.facts import (
    fact_answer,
    fact_citations,
    mentioned_attributes,
)
from knowledge.gaps import might_fit_lines
from knowledge.loader import load, validate
from knowledge.matching import recommend
from knowledge.needs import build_profile
from knowledge.ownership import cost_answer, cost_to_own
from knowledge.render import render_advice
from tests.conftest import TINY_CATEGORY, TINY_PRODUCTS, write_catalog

PRICED = TINY_CATEGORY + "\nroles: {price: price}\n"
SITES = """
makers:
  BrandA: {site: "https://www.branda.example/", press: ["https://news.branda.example/"]}
  BrandC: {site: "https://www.brandc.example/"}
lookups:
  mpg: {label: "the test agency's site", url: "https://fuel.example.gov/"}
"""


@pytest.fixture
def shop(tmp_path):
    products = TINY_PRODUCTS.replace(
        "sources: [https://example.org/a-big]", "sources: [https://www.branda.example/big]"
    )
    root = write_catalog(tmp_path / "cars", PRICED, {"all.yml": products})
    (root / "sources").mkdir()
    (root / "sources" / "sites.yml").write_text(textwrap.dedent(SITES))
    return load(root)


def advise(catalog, needs, priorities=(), **kw):
    return recommend(catalog, build_profile(catalog.category, needs, priorities), **kw)


def test_a_product_kept_out_only_by_a_missing_figure_might_also_fit(shop):
    advice = advise(shop, {"mpg": 30})
    assert [m.product.id for m in advice.matches] == ["a-small", "b-small"]
    assert [(i.product.id, i.missing) for i in advice.might_fit] == [("c-mid", ("mpg",))]
    text = render_advice(shop, advice)
    assert text.endswith("Might also fit, but I have no fuel economy on file: BrandC Middle.")
    assert text.index("2. ") < text.index("Might also fit")  # after the matches, never among them


def test_products_that_fail_on_a_figure_on_file_are_not_said_to_might_fit(shop):
    advice = advise(shop, {"mpg": 30, "seats": 6})
    assert advice.nothing_fits is not None and advice.might_fit == ()


def test_might_also_fit_follows_nothing_fits_too(shop):
    advice = advise(shop, {"mpg": 45, "body": "suv"})
    assert advice.nothing_fits is not None
    assert [i.product.id for i in advice.might_fit] == ["c-mid"]
    assert render_advice(shop, advice).splitlines()[-1].startswith("Might also fit, but I have no")


def test_a_ruled_out_brand_never_comes_back_as_might_fit(shop):
    profile = build_profile(shop.category, {"mpg": 30}).excluding("BrandC")
    assert recommend(shop, profile).might_fit == ()


def test_the_line_names_a_few_and_counts_the_rest(vehicles):
    advice = advise(vehicles, {"body": "suv", "budget": 30000})
    items = advice.might_fit
    assert len(items) > 4, "the shipped catalog has SUVs without a starting price"
    [line] = might_fit_lines(items)
    names = ", ".join(i.product.name for i in items[:3])
    assert line == (
        f"Might also fit, but I have no starting MSRP on file: {names} and {len(items) - 3} more."
    )
    everything = might_fit_lines(items, shown=None)[0]
    assert all(i.product.name in everything for i in items) and "more" not in everything
    scores = [i.score for i in items]
    assert scores == sorted(scores, reverse=True)


def test_the_cards_payload_carries_every_item_and_what_is_missing(shop):
    payload = advice_payload(shop, advise(shop, {"mpg": 30}))
    assert payload["type"] == "product_cards"
    part = payload["might_also_fit"]
    assert part["count"] == 1 and part["text"] == [
        "Might also fit, but I have no fuel economy on file: BrandC Middle."
    ]
    [group] = part["groups"]
    assert (group["missing"], group["shown"], group["more"]) == ("fuel economy", 1, 0)
    [item] = group["items"]
    assert item["id"] == "c-mid" and item["missing"] == ["mpg"]
    assert item["check"] == {
        "url": "https://fuel.example.gov/",
        "label": "the test agency's site",
        "as_of": None,
    }
    nothing = advice_payload(shop, advise(shop, {"mpg": 45, "body": "suv"}))
    assert nothing["type"] == "nothing_fits" and nothing["might_also_fit"]["count"] == 1


def test_a_missing_priority_figure_is_said_on_the_card(shop):
    payload = advice_payload(shop, advise(shop, {"body": "suv"}))
    cards = {c["id"]: c for c in payload["items"]}
    assert cards["c-mid"]["missing"] == ["no figure on file for fuel economy"]
    assert cards["c-big"]["missing"] == []


def test_recommend_json_and_the_full_list_on_request(vehicles):
    runner = CliRunner()
    args = ["recommend", "--body", "suv", "--budget", "30000"]
    data = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    part = data["might_also_fit"]
    assert part["count"] > 3 and part["groups"][0]["more"] == part["count"] - 3
    full = runner.invoke(cli, [*args, "--might-fit", "all"]).output
    assert "more." not in full.splitlines()[-1]
    assert runner.invoke(cli, [*args, "--might-fit", "some"]).exit_code == 2


def test_a_missing_figure_is_answered_plainly_with_the_makers_page(shop):
    product = shop.by_id["a-big"]
    bare = product.__class__(**{**product.__dict__, "values": {}, "figures": {}})
    answer = fact_answer(shop, bare, ["price"])
    assert answer == (
        "I have no price on file for the 2025 BrandA Big; BrandA's site lists current prices: "
        "https://www.branda.example/big."
    )
    [cited] = fact_citations(shop, bare, ["price"])
    assert (cited.url, cited.label) == ("https://www.branda.example/big", "BrandA")


def test_a_missing_figure_points_to_the_place_declared_for_it_or_the_makers_site(shop):
    answer = fact_answer(shop, shop.by_id["c-mid"], ["mpg", "seats"])
    assert answer == (
        "2025 BrandC Middle: Seats: 5 seats (source: example.org, as of 2025-06-01: "
        "https://example.org/c-mid). I have no fuel economy on file for the 2025 BrandC Middle; "
        "the test agency's site has the current figures: https://fuel.example.gov/."
    )
    assert "Body" not in answer  # never a dump of other facts


def test_without_a_declared_maker_the_answer_still_says_plainly_what_is_missing(shop):
    product = shop.by_id["b-small"]
    bare = product.__class__(**{**product.__dict__, "values": {}, "figures": {}})
    assert (
        fact_answer(shop, bare, ["price"]) == "I have no price on file for the 2025 BrandB Compact."
    )


@pytest.mark.parametrize(
    ("question", "attributes"),
    [
        ("how much is the Honda Odyssey?", ["msrp_usd"]),
        ("how much does the Honda Pilot cost?", ["msrp_usd"]),
        ("what does the Kona go for", ["msrp_usd"]),
        ("price of the Sienna?", ["msrp_usd"]),
        ("how much can the F-150 tow?", ["towing_lb"]),
        ("how many seats does the Telluride have?", ["seats"]),
    ],
)
def test_price_questions_that_do_not_name_the_price_ask_for_it(vehicles, question, attributes):
    assert mentioned_attributes(vehicles, question) == attributes


def test_the_shipped_catalog_answers_a_price_gap_with_the_makers_site(vehicles):
    product = next(p for p in vehicles.products if p.value("msrp_usd") is None)
    answer = fact_answer(vehicles, product, mentioned_attributes(vehicles, "how much is it?"))
    assert answer.startswith(f"I have no starting MSRP on file for the {product.full_name}; ")
    assert f"{product.brand}'s site lists current prices: https://" in answer


def test_cost_to_own_without_a_price_says_where_to_find_it(vehicles):
    product = next(p for p in vehicles.products if p.value("msrp_usd") is None)
    text = cost_answer(cost_to_own(vehicles, product), vehicles)
    # the price is not a line of the cost to own (depreciation is), so the total stands; the
    # missing price is said with where to find it, never left out silently
    assert f"\nI have no starting MSRP on file for the {product.full_name}; " in text
    assert f"{product.brand}'s site lists current prices: https://" in text


def test_every_brand_of_the_shipped_catalog_has_a_maker_site(vehicles):
    report = validate()
    assert not [w for w in report.warnings if "[W122]" in str(w)]


def test_a_brand_without_a_maker_site_is_warned_about(shop):
    report = validate(shop.source)
    [warning] = [w for w in report.warnings if "[W122]" in str(w)]
    assert "'BrandB'" in str(warning) and warning.field == "makers"


def test_a_malformed_maker_entry_is_an_error_naming_the_brand(shop):
    sites = f"{shop.source}/sources/sites.yml"
    with open(sites, "w") as out:
        out.write("makers:\n  BrandB: {press: [https://b.example/]}\n")
    report = validate(shop.source)
    assert any("makers: 'BrandB' needs site" in str(p) for p in report.problems)
