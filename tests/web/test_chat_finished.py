"""The shopper's chat in a real browser (Debian's chromium) against the real stack: the phone
layout never scrolls sideways, the first screen greets and discloses, every card offers its next
steps, sources are labelled links, button words (never payloads) are what the conversation shows,
times are local, the input grows, only new messages are announced, the keyboard reaches
everything, and axe-core finds no violation on /, /support and /insights."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from stores.turnlog import TurnLog
from tests.web.conftest import (
    REPLY_TIMEOUT,
    bot_rows,
    log_in,
    open_chat,
    say,
    screenshot_path,
    session_id,
)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=REPLY_TIMEOUT)  # a Rasa turn on a busy machine, not 5 s

PHONE = {"width": 390, "height": 844}
WIDTHS = (320, 360, 390, 430)


def sideways(page) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def assert_fits(page, what: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        assert sideways(page) <= 0, f"{what}: the page scrolls sideways at {width}px"
        wide = page.evaluate(
            """() => [...document.querySelectorAll('.card, .comparison, .nothing-fits, .cost')]
                .filter(n => n.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .length"""
        )
        assert wide == 0, f"{what}: {wide} blocks stick out at {width}px"
    page.set_viewport_size(PHONE)


def step(page, card_index: int, title: str):
    return page.locator(".cards .card").nth(card_index).locator(".steps button", has_text=title)


def visible_text(page) -> str:
    return page.evaluate("document.getElementById('messages').innerText")


def test_nothing_overflows_from_320_to_430_px(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    say(page, "I want a hybrid SUV under 45k")
    expect(page.locator(".cards .card").first).to_be_visible()
    assert_fits(page, "cards")
    step(page, 0, "Compare").click()
    expect(page.locator(".comparison table")).to_be_visible()
    assert_fits(page, "a comparison table")
    step(page, 0, "Cost to own").click()
    expect(page.locator(".cost table")).to_be_visible()
    assert_fits(page, "cost to own")
    say(page, "start over")
    say(page, "an electric pickup under 30k")
    expect(page.locator(".nothing-fits")).to_be_visible()
    assert_fits(page, "nothing fits")


def test_the_first_screen_greets_discloses_and_offers_starts(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    welcome = page.locator("#welcome")
    expect(welcome).to_contain_text("Hi! I'm a shopping advisor for vehicles.")
    expect(welcome).to_contain_text(
        "This advisor is run by a Chevrolet retailer, and every brand, competitors included, "
        "is ranked by the same published rules."
    )
    expect(welcome).to_contain_text("This conversation is recorded to improve the advice.")
    starts = page.locator("#suggestions button")
    expect(starts).to_have_count(4)
    expect(page.locator(".chat-header")).to_contain_text("Run by a Chevrolet retailer")
    expect(page.locator(".chat-header a", has_text="How we rank")).to_have_attribute(
        "href", "/how-we-rank"
    )
    page.screenshot(path=screenshot_path("phone-first-screen.png"))
    starts.filter(has_text="How do you rank?").click()
    expect(page.locator(".row.user .bubble").last).to_have_text("How do you rank?")
    expect(bot_rows(page).last).to_contain_text("same published rules")
    expect(page.locator("#suggestions")).to_be_hidden()
    rules = page.context.new_page()
    rules.goto(stack.web_url + "/how-we-rank")
    expect(rules.locator("main")).to_contain_text(
        "Every brand is ranked by the same published rules"
    )


def test_cards_offer_next_steps_and_the_conversation_shows_button_words(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    say(page, "I want a hybrid SUV under 45k")
    cards = page.locator(".cards .card")
    expect(cards.first).to_be_visible()
    for index in range(cards.count()):
        titles = cards.nth(index).locator(".steps button").all_inner_texts()
        assert titles == ["Compare", "Details", "Recalls", "Cost to own"], titles
    name = cards.first.locator("h2").inner_text().split(". ", 1)[1]
    cards.first.evaluate("card => card.scrollIntoView({block: 'start'})")
    page.screenshot(path=screenshot_path("phone-card-next-steps.png"))

    # show more: the next cards, numbered on
    more = page.locator(".quick-reply", has_text="Show more")
    expect(more).to_be_visible()
    more.click()
    expect(page.locator(".cards").nth(1).locator(".card h2").first).to_contain_text("4. ")

    # cost to own: a table with every line, a total, and terms the shopper can change
    step(page, 0, "Cost to own").click()
    expect(page.locator(".row.user .bubble").last).to_have_text(f"Cost to own the {name}")
    cost = page.locator(".cost").last
    expect(cost.locator("tr.total")).to_contain_text("$")
    for line in ("Depreciation", "Finance charges", "Insurance, fees and taxes", "Energy"):
        expect(cost.locator("tbody th").filter(has_text=re.compile("^" + line))).to_be_visible()
    expect(cost).to_contain_text("the US average for a new vehicle in AAA's study")
    expect(cost.locator("a.cite", has_text="AAA Your Driving Costs 2025").first).to_be_visible()
    cost.locator("input[name=years]").fill("7")
    cost.locator("input[name=usage]").fill("12000")
    cost.locator("button", has_text="Update").click()
    expect(page.locator(".row.user .bubble").last).to_have_text(
        f"Cost to own the {name} over 7 years at 12,000 miles a year"
    )
    expect(page.locator(".cost").last.locator("caption")).to_contain_text("7 years at 12,000")
    page.locator(".cost").last.locator("caption").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("phone-cost-to-own.png"))

    # details: every figure with its labelled source; recalls: labelled links, no raw URLs
    step(page, 0, "Details").click()
    expect(page.locator(".details .card")).to_be_visible()
    assert page.locator(".details .fact").count() > 8
    step(page, 0, "Recalls").click()
    expect(page.locator(".row.user .bubble").last).to_have_text(f"Recalls for the {name}")
    expect(bot_rows(page).last).to_contain_text("NHTSA")

    # a comparison: its bottom line, each pro and con once, sources as labels
    step(page, 0, "Compare").click()
    comparison = page.locator(".comparison").last
    expect(comparison.locator(".bottom-line")).to_contain_text("Bottom line for your needs")
    for block in comparison.locator(".pros-cons").all():
        items = block.locator("li").all_inner_texts()
        assert len(items) == len(set(items)), items
    assert "https://" not in visible_text(page), "a raw URL is shown"
    labels = page.locator("a.cite").all_inner_texts()
    assert labels and not [text for text in labels if text.startswith("http")]
    assert {"EPA", "NHTSA"} <= set(labels)

    # the turn log (read by the support console and `advisor log show`) has the words too
    with TurnLog(stack.turn_log) as log:
        said = [t["text"] for t in log.conversation(session_id(page)) if t["role"] == "shopper"]
    assert f"Cost to own the {name}" in said and not [t for t in said if t.startswith("/")]

    # a reload keeps it all, with each step still there
    shown = bot_rows(page).count()
    page.reload()
    expect(page.locator("#connection")).to_have_text("online")
    assert bot_rows(page).count() == shown
    expect(page.locator(".cards .card").first.locator(".steps button")).to_have_count(4)


def test_nothing_fits_offers_its_relaxations_as_buttons(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    say(page, "an electric pickup under 30k")
    box = page.locator(".nothing-fits")
    expect(box).to_be_visible()
    relax = box.locator(".quick-reply", has_text="Drop the budget limit")
    expect(relax).to_be_visible()
    relax.click()
    expect(page.locator(".row.user .bubble").last).to_have_text("Drop the budget limit")
    expect(page.locator(".cards .card").first).to_be_visible()


def test_times_are_the_shoppers_local_time_and_the_input_grows(stack, new_context):
    page = open_chat(new_context(viewport=PHONE, timezone_id="Asia/Tokyo", locale="en-US"), stack)
    say(page, "hi")
    expect(bot_rows(page).last.locator("time")).to_be_visible()
    stamp = page.locator(".row.user time").last
    when = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    local = when.astimezone(ZoneInfo("Asia/Tokyo"))
    hour = local.hour % 12 or 12
    assert stamp.inner_text().startswith(f"{hour}:{local.minute:02d}")

    box = page.locator("#input")
    before = box.bounding_box()["height"]
    box.fill("a longer question\n" * 5)
    assert box.bounding_box()["height"] > before * 2
    page.press("#input", "Enter")
    expect(box).to_have_value("")
    assert box.bounding_box()["height"] < before * 1.5


def test_only_new_messages_are_announced(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    assert page.locator("#messages").get_attribute("aria-live") is None
    announcer = page.locator("#announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    say(page, "I want a hybrid SUV under 45k")
    expect(page.locator(".cards .card").first).to_be_visible()
    expect(announcer.locator("p", has_text="product cards")).to_have_count(1)
    spoken = announcer.locator("p").count()
    assert 1 <= spoken <= 3  # the answer's words and its cards, not the whole conversation
    page.reload()
    expect(page.locator("#connection")).to_have_text("online")
    expect(page.locator(".cards .card").first).to_be_visible()
    assert announcer.locator("p").count() == 0  # history is shown, not read out again


def test_the_keyboard_reaches_everything(stack, new_context):
    page = open_chat(new_context(viewport=PHONE), stack)
    assert page.evaluate("document.activeElement.id") == "input"

    def tab_to(text: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Shift+Tab")
            focused = page.evaluate("document.activeElement.innerText || ''")
            if focused.strip() == text:
                return
        raise AssertionError(f"Shift+Tab never reached {text!r}")

    tab_to("A hybrid SUV under $40k")
    page.keyboard.press("Enter")
    expect(page.locator(".row.user .bubble").last).to_have_text("A hybrid SUV under $40k")
    expect(page.locator(".cards .card").first).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "input"
    tab_to("Cost to own")
    page.keyboard.press("Enter")
    expect(page.locator(".cost table")).to_be_visible()
    tab_to("Compare")
    page.keyboard.press("Enter")
    expect(page.locator(".comparison table")).to_be_visible()


def axe_violations(page) -> list[str]:
    expect(page.locator("#typing")).to_be_hidden()  # no answer still arriving
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def staff_violations(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}" for v in Axe().run(page).response["violations"]
    ]


def test_axe_finds_no_violation_on_the_chat_support_and_insights(stack, new_context):
    context = new_context(viewport=PHONE)
    page = open_chat(context, stack)
    assert axe_violations(page) == []
    say(page, "I want a hybrid SUV under 45k")
    expect(page.locator(".cards .card").first).to_be_visible()
    step(page, 0, "Cost to own").click()
    expect(page.locator(".cost table")).to_be_visible()
    step(page, 0, "Compare").click()
    expect(page.locator(".comparison table")).to_be_visible()
    assert axe_violations(page) == []
    rules = context.new_page()
    rules.goto(stack.web_url + "/how-we-rank")
    assert Axe().run(rules).response["violations"] == []

    staff = log_in(new_context(viewport={"width": 1200, "height": 900}), stack, "Alex")
    expect(staff.locator("h1")).to_have_text("Support console")
    assert staff_violations(staff) == []
    staff.goto(stack.web_url + "/insights")
    expect(staff.locator("h1").first).to_be_visible()
    assert staff_violations(staff) == []
    login = new_context().new_page()
    login.goto(stack.web_url + "/login?next=/support")
    assert staff_violations(login) == []
