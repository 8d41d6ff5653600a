"""A product manager drives the concept form on /insights in Debian's chromium: from a need
cluster's "Test this concept" link, and by choosing a product and a figure by hand. Saves
docs/concept-test.png with ADVISOR_SCREENSHOTS=docs. Only the web app runs (the site fixture of test_insights), not Rasa."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import screenshot, screenshot_path
from tests.web.test_insights import open_insights, site  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e


def test_the_concept_form_runs_a_concept_test(site, new_context):  # noqa: F811
    page = open_insights(new_context, site, "data=sample")
    expect(page.locator("#clusters")).to_be_visible()
    expect(page.locator("table.clusters")).to_contain_text("would serve")
    page.select_option("#concept-product", "ford-maverick-2025")
    page.select_option("#concept-attr1", "towing_lb")
    page.fill("#concept-value1", "11000")
    page.fill("input[name=buy_share]", "0.1")
    page.fill("input[name=price]", "32000")
    page.click("#concept-run")
    expect(page.locator("h1")).to_have_text("Concept test")
    result = page.locator("#concept-result")
    expect(result).to_contain_text("every product in this section is a concept (hypothetical")
    expect(result).to_contain_text(
        "2025 Ford Maverick XL with 11,000 lb maximum towing at $32,000 (concept)"
    )
    expect(result).to_contain_text("share of won shoppers who buy: 10.0% (given)")
    expect(result.locator("td.new_demand")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(result.locator("table.sensitivity")).to_contain_text("Maximum towing one level worse")
    expect(result.locator("table.sensitivity")).to_contain_text("Starting MSRP -10%")
    assert page.locator("#concept-value1").input_value() == "11000"
    page.screenshot(path=screenshot_path("concept-test.png"), full_page=True)
    screenshot(page, "concept-test")
    page.click("text=Back to the insights")
    page.locator("a.try-concept").first.click()
    expect(page.locator("#concept-result")).to_contain_text("(concept)")
    expect(page.locator("#concept-result td.wins")).to_have_text(re.compile(r"^[1-9]\d*$"))
