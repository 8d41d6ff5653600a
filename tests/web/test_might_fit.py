"""The widget names what might also fit after the cards, and lists every one on a click, each with
where to check the missing figure."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PHONE, open_chat, say

pytestmark = pytest.mark.e2e


def test_what_might_also_fit_is_named_and_listed_in_full_on_request(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    say(page, "I want an SUV under $30k")  # answered at once (no question splits these matches)
    expect(page.locator(".cards .card").first).to_be_visible()
    box = page.locator(".might-fit").last
    expect(box.locator("p").first).to_contain_text(
        "Might also fit, but I have no starting MSRP on file:"
    )
    expect(box.locator("p").first).to_contain_text(re.compile(r"and \d+ more\."))
    summary = box.locator("summary").first
    expected = int(re.search(r"Show all (\d+)", summary.inner_text()).group(1))
    summary.click()
    items = box.locator("details ul").first.locator("li")
    expect(items).to_have_count(expected)
    expect(items.first.locator("a")).to_have_attribute("href", re.compile(r"^https://"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
