"""A product manager on /insights in Debian's chromium: an empty log says how to get data and sample
data is shown as such; headline figures beside the window before; a small window still shows
opportunities (the minimum adapts, and says so); replies to the bot are never quoted; the drill-down
from an opportunity to its conversations and a transcript, where a conversation is tagged as staff
traffic and drops out; the weekly trend with one week and with many; the exposure flags explained;
bad input gets the page with the message. Saves docs/insights.png with ADVISOR_SCREENSHOTS=docs.

Only the web app runs (python -m web on a turn log of the test's own): the insights read the log,
not Rasa."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ops.stack import ROOT, free_port
from tests.web.conftest import log_in, screenshot, screenshot_path

pytestmark = pytest.mark.e2e

T0 = 1_767_571_200.0  # 2026-01-05, a Monday
DAY = 86400.0
BUDGET_QUESTION = {
    "response": "utter_ask_budget",
    "text": "What's your budget (starting price)?",
    "buttons": [{"title": "No limit", "payload": "no preference"}],
}


@dataclass
class Site:
    web_url: str
    staff_token: str
    turn_log: Path
    sample_log: Path


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web app exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the web app at {url} did not answer in {timeout} s")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The web app alone, on an empty turn log, with sample data made by advisor simulate."""
    from click.testing import CliRunner

    from advisor.mining_commands import simulate_cmd

    folder = tmp_path_factory.mktemp("insights")
    data = folder / "data"
    env = dict(
        os.environ,
        ADVISOR_DATA_DIR=str(data),
        ADVISOR_TURN_LOG=str(data / "turns.db"),
        ADVISOR_SECRETS_FILE=str(folder / ".secrets"),
        ADVISOR_STAFF_TOKEN="staff-" + uuid.uuid4().hex,
        ADVISOR_API_TOKEN="api-" + uuid.uuid4().hex,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    made = CliRunner().invoke(simulate_cmd, ["--conversations", "1500", "--seed", "5"], env=env)
    assert made.exit_code == 0, made.output
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "--port", str(port), "--rasa-url", "http://127.0.0.1:9"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "web.log", "wb"),  # noqa: SIM115 - the child keeps it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield Site(url, env["ADVISOR_STAFF_TOKEN"], data / "turns.db", data / "sample-turns.db")
    finally:
        process.terminate()
        process.wait(timeout=30)


def seed_real_log(path: Path) -> None:
    """A few dozen shoppers in one week: planted needs, a feature, replies to the bot."""
    from stores.turnlog import TurnLog

    pickup = {"body": ["pickup"], "powertrain": ["electric"], "budget": 42000}
    turns = []
    for n in range(40):
        cid, ts = f"real-{n:03d}", T0 + 2 * DAY + n * 900
        turns.append({"conversation_id": cid, "message_id": "m1", "ts": ts, "text": "hi",
                      "responses": [BUDGET_QUESTION]})  # fmt: skip
        if n < 6:  # a planted unmet need, stated after the budget question's quick reply
            turns.append({"conversation_id": cid, "message_id": "m2", "ts": ts + 30,
                          "text": "no preference", "needs": {"budget": 42000}})  # fmt: skip
            turns.append({"conversation_id": cid, "message_id": "m3", "ts": ts + 60,
                          "text": "an electric pickup please", "needs": pickup})  # fmt: skip
        elif n < 10:
            turns.append({"conversation_id": cid, "message_id": "m2", "ts": ts + 30,
                          "text": "I wish it had a heated windshield"})  # fmt: skip
        else:
            turns.append({"conversation_id": cid, "message_id": "m2", "ts": ts + 30,
                          "text": "an SUV", "needs": {"body": ["suv"]},
                          "products": [{"id": "toyota-rav4-hybrid-2025", "kind": "recommended",
                                        "fit": 0.6}]})  # fmt: skip
    with TurnLog(path) as log:
        log.write_turns(turns)


def open_insights(new_context, site: Site, query: str = ""):
    context = new_context(viewport={"width": 1280, "height": 1000})
    page = log_in(context, site, "Pat", next_page="/insights")
    if query:
        page.goto(f"{site.web_url}/insights?{query}")
    return page


def test_an_empty_log_says_how_to_get_data_and_sample_data_says_what_it_is(site, new_context):
    page = open_insights(new_context, site)
    note = page.locator("p.note")
    expect(note).to_contain_text("No conversations have been logged yet")
    expect(note).to_contain_text("Sample data is ready")
    expect(page.locator("p.sample")).to_have_count(0)
    page.select_option("select[name=data]", "sample")
    page.click(".insights-bar button[type=submit]")
    assert "data=sample" in page.url
    expect(page.locator("p.sample")).to_contain_text("SAMPLE DATA: simulated conversations")
    expect(page.locator("table.headline tr[data-key=conversations] .value")).not_to_have_text(
        "no data"
    )
    expect(page.locator("blockquote").first).to_be_visible()


def test_headline_figures_come_with_the_change_from_the_window_before(site, new_context):
    page = open_insights(new_context, site, "data=sample")
    expect(page.locator("table.headline tr[data-key=shoppers] .change")).to_have_text(
        "no earlier window"
    )
    page.click("nav.presets >> text=Last 28 days")
    expect(page.locator("nav.presets a[aria-current]")).to_have_text("Last 28 days")
    rows = page.locator("table.headline tr[data-key]")
    keys = rows.evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert {
        "conversations", "shoppers", "turns_per_conversation", "reached_recommendation",
        "reached_comparison", "reached_nothing_fits", "reached_handoff", "not_understood",
        "handoff_wait", "resolution", "satisfaction",
    } <= set(keys)  # fmt: skip
    for key in keys:
        row = page.locator(f"table.headline tr[data-key={key}]")
        expect(row.locator(".value")).not_to_have_text("no data")
        expect(row.locator(".change")).not_to_have_text("no earlier window")
    expect(page.locator("table.headline tr[data-key=conversations] .change")).to_contain_text("%")
    expect(page.locator("table.headline tr[data-key=satisfaction] .value")).to_contain_text("/ 5")
    for key in ("models", "brands", "missing_models", "blocked"):
        expect(page.locator(f"section.ranked[data-key={key}] li").first).to_contain_text("before:")
    expect(page.locator("section.ranked[data-key=blocked] li").first).to_contain_text(
        "products kept out"
    )
    # the trend over four weeks: one line per opportunity with a dot per week
    assert page.locator("svg polyline").count() >= 1
    assert page.locator("svg polyline").first.get_attribute("points").count(",") >= 4
    expect(page.locator("ul.notes li").first).to_contain_text("exposed")
    expect(page.locator("ul.notes li").first).to_contain_text("Why:")
    page.set_viewport_size({"width": 1280, "height": 1700})
    page.screenshot(path=screenshot_path("insights.png"))
    screenshot(page, "insights-sample-28-days")


def test_a_small_window_still_shows_opportunities_and_never_quotes_replies(site, new_context):
    seed_real_log(site.turn_log)
    page = open_insights(new_context, site, "since=2026-01-05&until=2026-01-11")
    expect(page.locator("p.min-shoppers")).to_contain_text("chosen for 40 shoppers")
    table = page.locator("h2:has-text('Ranked opportunities') + table")
    expect(table).to_contain_text("pickup + electric + under $45k")
    expect(table).to_contain_text("heated windshield")
    expect(page.locator("blockquote", has_text="an electric pickup please").first).to_be_visible()
    expect(page.locator("blockquote", has_text="no preference")).to_have_count(0)
    # "no preference" (6) and "an SUV" (30): both buttons of the category's interview
    expect(page.locator("p.traffic")).to_contain_text("quick replies (buttons the bot offered) 36")
    # one week: no line to draw, a dot per opportunity
    expect(page.locator("svg circle.dot").first).to_be_visible()
    assert page.locator("svg circle.dot").count() == page.locator("svg polyline").count()
    screenshot(page, "insights-one-week")


def test_the_drill_down_reaches_a_transcript_where_staff_traffic_is_tagged(site, new_context):
    page = open_insights(new_context, site, "since=2026-01-05&until=2026-01-11")
    row = page.locator("tr", has_text="heated windshield")
    expect(row.locator("a.drill")).to_have_text("4")
    row.locator("a.drill").click()
    expect(page.locator("h1")).to_contain_text("heated windshield")
    expect(page.locator("table.conversations tr")).to_have_count(5)  # a header and 4 shoppers
    page.locator("table.conversations a").first.click()
    expect(page.locator("h1")).to_contain_text("Conversation real-")
    expect(page.locator("table.transcript")).to_contain_text("I wish it had a heated windshield")
    screenshot(page, "insights-transcript")
    page.select_option("select[name=kind]", "staff")
    page.click(".tag-form button[type=submit]")
    expect(page.locator("select[name=kind]")).to_have_value("staff")
    page.click("text=Back to the insights")
    expect(page.locator("p.traffic")).to_contain_text("(1 staff)")
    row = page.locator("tr", has_text="heated windshield")
    expect(row.locator("a.drill")).to_have_text("3")
    page.check("input[name=include][value=staff]")
    page.click(".insights-bar button[type=submit]")
    expect(page.locator("tr", has_text="heated windshield").locator("a.drill")).to_have_text("4")


def test_a_transcript_marks_the_replies_that_are_never_quoted(site, new_context):
    page = open_insights(new_context, site, "since=2026-01-05&until=2026-01-11")
    page.locator("tr", has_text="pickup + electric").locator("a.drill").click()
    page.locator("table.conversations a").first.click()
    reply = page.locator("tr", has_text="no preference")
    expect(reply.locator(".only-answers")).to_have_text(
        "a quick reply (a button the bot offered): never quoted"
    )


def test_bad_input_gets_the_page_with_a_visible_message(site, new_context):
    page = open_insights(new_context, site)
    response = page.goto(f"{site.web_url}/insights?since=2026-02-01&until=2026-01-01")
    assert response.status == 400
    expect(page.locator("p.error")).to_contain_text("is before 'From'")
    expect(page.locator(".insights-bar form")).to_have_count(2)
    page.fill("input[name=min_shoppers]", "lots")
    page.click(".insights-bar button[type=submit]")
    expect(page.locator("p.error", has_text="Min. shoppers must be a whole number")).to_be_visible()
    expect(page.locator("p.error", has_text="is before 'From'")).to_be_visible()  # kept as typed
    expect(page.locator("input[name=min_shoppers]")).to_have_value("lots")
    screenshot(page, "insights-bad-input")
