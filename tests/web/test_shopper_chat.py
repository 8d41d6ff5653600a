"""A shopper in a real browser at phone width: needs -> product cards -> comparison table; the
conversation survives a reload; over-long messages are refused in the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import (
    PHONE,
    bot_rows,
    open_chat,
    say,
    screenshot,
    screenshot_path,
    session_id,
)

pytestmark = pytest.mark.e2e


def test_needs_give_cards_and_a_comparison_gives_a_table(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    screenshot(page, "shopper-empty")

    say(page, "I want a hybrid SUV under 45k")
    cards = page.locator(".cards .card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    first = cards.first
    expect(first.locator("h2")).to_contain_text("1. ")
    expect(first.locator(".reasons li").first).to_be_visible()
    expect(first.locator(".facts dt").first).to_have_text("Starting MSRP")
    expect(first.locator(".sources")).to_contain_text("as of 20")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "shopper-cards")

    page.set_viewport_size({"width": 900, "height": 1000})
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    page.screenshot(path=screenshot_path("shopper-chat.png"))
    page.set_viewport_size(PHONE)

    say(page, "compare the first two")
    table = page.locator(".comparison table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_count(3)
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() >= 5
    expect(page.locator(".comparison td.best").first).to_contain_text("★")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "shopper-comparison")

    # the conversation survives a reload: same session, same messages
    before = session_id(page)
    shown = bot_rows(page).count()
    page.reload()
    expect(page.locator("#connection")).to_have_text("online")
    assert session_id(page) == before
    expect(page.locator(".comparison table")).to_be_visible()
    assert bot_rows(page).count() == shown


def test_buttons_and_the_length_limit(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    say(page, "I'm looking for a new vehicle")
    button = page.locator(".quick-reply").first  # the one question asked, with its answers
    expect(button).to_be_visible()
    title = button.inner_text()
    button.click()
    expect(page.locator(".row.user .bubble").last).to_have_text(title)
    expect(page.locator(".cards .card").first).to_be_visible()  # it narrows: matches at once

    page.fill("#input", "x" * 501)
    note = page.locator("#note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("500 characters")
    expect(page.locator("#send")).to_be_disabled()
    sent = page.locator(".row.user").count()
    page.press("#input", "Enter")
    assert page.locator(".row.user").count() == sent, "an over-long message was sent"
    screenshot(page, "shopper-too-long")
    page.fill("#input", "x" * 500)
    expect(note).to_be_hidden()
    expect(page.locator("#send")).to_be_enabled()
