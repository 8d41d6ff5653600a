"""Hostile text renders inert (shopper page and support console); staff pages refuse a missing or
wrong staff token with 401; the insights page and its CSV work for staff."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import (
    PHONE,
    bot_rows,
    log_in,
    open_chat,
    say,
    screenshot,
    session_id,
    settled_count,
    staff_secret,
)

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"
SIMULATED_CONVERSATIONS = 300
STAFF_PAGES = ("/support", "/insights", "/insights.csv", "/api/support/queue")


def test_markup_in_messages_renders_literally_and_runs_nothing(stack, new_context):
    dialogs = []
    page = open_chat(new_context(viewport=PHONE), stack)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    replies = settled_count(bot_rows(page))
    say(page, XSS)
    expect(page.locator(".row.user .bubble").last).to_have_text(XSS)
    expect(bot_rows(page)).to_have_count(replies + 1)
    assert page.locator("#messages img").count() == 0

    # the same text from staff, through the console, into the shopper's page
    say(page, "can I talk to a real person?")
    expect(page.locator("#handoff")).to_contain_text("Waiting")
    staff = log_in(new_context(), stack, XSS)
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    staff.locator(f'#queue li[data-conversation="{session_id(page)}"] button').click()
    staff.click("#claim")
    staff.fill("#reply-text", XSS)
    staff.click("#reply-send")
    expect(page.locator(".row.staff .bubble").last).to_have_text(XSS)
    expect(staff.locator("#transcript")).to_contain_text(XSS)
    page.wait_for_timeout(500)
    assert page.locator("#messages img").count() == 0
    assert staff.locator("img").count() == 0
    screenshot(page, "xss-inert")
    assert dialogs == []


def seed_simulated_conversations(path) -> None:
    """Synthetic past conversations with planted unmet needs (ops.simulate), so the report has
    opportunities, quotes and charts to show."""
    from knowledge.loader import get_catalog
    from ops.simulate import simulate
    from stores.turnlog import TurnLog

    with TurnLog(path) as log:
        simulate(log, get_catalog(), conversations=SIMULATED_CONVERSATIONS, seed=11, weeks=4)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_refuse_a_missing_or_wrong_token(stack, new_context, path):
    context = new_context()
    url = stack.web_url + path
    missing = context.request.get(url)
    assert missing.status == 401 and "log in with your name and secret" in missing.text().lower()
    wrong = context.request.get(url, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status == 401 and "Wrong staff token" in wrong.text()
    scheme = context.request.get(url, headers={"Authorization": f"Basic {stack.staff_token}"})
    assert scheme.status == 401
    forged = new_context()
    forged.add_cookies(
        [{"name": "advisor_staff", "value": "v1.9999999999.QWxleA.AAAA", "url": url}]
    )
    assert forged.request.get(url).status == 401
    right = context.request.get(url, headers={"Authorization": f"Bearer {stack.staff_token}"})
    assert right.status == 200


def test_the_login_form_refuses_a_wrong_token_and_sets_a_strict_cookie(stack, new_context):
    context = new_context()
    page = context.new_page()
    response = page.goto(stack.web_url + "/support")
    assert response.status == 401
    expect(page.locator("form input[name=secret]")).to_be_visible()
    screenshot(page, "support-401")
    response = page.goto(stack.web_url + "/insights")
    assert response.status == 401
    screenshot(page, "insights-401")

    staff_secret(stack, "Alex")  # accounts exist: the form takes accounts only
    refused = log_in(context, stack, "Mallory", token="guess")
    expect(refused.locator(".reason")).to_have_text("Wrong name or secret.")
    assert not context.cookies()
    shared = log_in(context, stack, "Mallory", token=stack.staff_token)
    expect(shared.locator(".reason")).to_have_text("Wrong name or secret.")
    assert not context.cookies(), "the shared token is for the API and the first start only"

    page = log_in(context, stack, "Alex", next_page="/insights")
    assert page.url.endswith("/insights")
    [cookie] = context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert stack.staff_token not in cookie["value"]
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".insights-bar")).to_be_visible()
    before = page.locator("h1 + p").inner_text()

    # a refresh shows conversations logged since, without restarting anything
    seed_simulated_conversations(stack.turn_log)
    page.reload()
    assert page.locator("h1 + p").inner_text() != before
    expect(page.locator("svg").first).to_be_visible()
    expect(page.locator("blockquote").first).to_be_visible()
    screenshot(page, "insights")

    page.fill("input[name=since]", "2020-01-01")
    page.click(".insights-bar button[type=submit]")
    assert "since=2020-01-01" in page.url
    csv = context.request.get(stack.web_url + "/insights.csv?since=2020-01-01")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text().splitlines()
    assert lines[0].startswith("rank,kind,opportunity") and len(lines) > 1
    bad = context.request.get(stack.web_url + "/insights?since=yesterday")
    assert bad.status == 400

    page.click("text=Log out")
    assert page.goto(stack.web_url + "/support").status == 401
