"""The support console as an agent uses it, in real browsers with two contexts (a shopper and an
agent), on the real stack: a named account, alerts for a new handoff (tab title, badge, sound,
desktop notification), the summary, typing both ways on the side path, canned replies, internal
notes, confirmations, the time-ordered transcript and its download, the rating after a close,
and a quiet conversation leaving the queue as abandoned."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from advisor.cli import cli
from stores.shared import open_audit_store, open_rating_store
from stores.turnlog import TurnLog
from tests.e2e.conftest import api
from tests.web.conftest import (
    PHONE,
    bot_rows,
    open_chat,
    say,
    screenshot,
    screenshot_path,
    session_id,
    settled_count,
)

pytestmark = pytest.mark.e2e

NOT_UNDERSTOOD = "xqzv blorf wumpus?"
NOTE = "Prefers a follow-up by e-mail; no calls."
SWEEP_WAIT = 60_000  # ms: the web app sweeps abandoned handoffs every 15 s

# Record what the console asks of the browser's notification and audio APIs (the real ones
# show nothing in a headless browser).
RECORD_ALERTS = """
window.__notifications = [];
window.Notification = class {
  constructor(title, options) { window.__notifications.push({title: title, body: options.body}); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
window.__tones = 0;
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return realOscillator.call(this);
};
"""


def add_account(stack, name: str) -> str:
    """`advisor staff add NAME` on the stack's stores; returns the printed secret."""
    result = CliRunner().invoke(cli, ["staff", "add", name, "--db", str(stack.turn_log)])
    assert result.exit_code == 0, result.output
    return re.search(r"^ {4}(\S+)$", result.output, re.M).group(1)


def agent_page(context, stack, name: str):
    secret = add_account(stack, name)
    page = context.new_page()
    page.goto(f"{stack.web_url}/login?next=/support")
    page.fill("input[name=name]", name)
    page.fill("input[name=secret]", secret)
    page.click("button[type=submit]")
    expect(page.locator("#me")).to_have_text(f"Signed in as {name}")
    return page


def ask_for_a_person(shopper) -> str:
    say(shopper, "can I talk to a real person?")
    expect(shopper.locator("#handoff")).to_contain_text("Waiting for a person")
    return session_id(shopper)


def transcript_texts(page) -> list[str]:
    return page.locator("#transcript li .text").all_inner_texts()


def test_an_agent_is_alerted_and_works_a_handoff_from_claim_to_rating(stack, new_context):
    agent_context = new_context(viewport={"width": 1280, "height": 1000})
    agent_context.add_init_script(RECORD_ALERTS)
    agent = agent_page(agent_context, stack, "Dana")
    agent.check("#sound")
    agent.click("#desktop")
    expect(agent.locator("#desktop")).to_have_text("Desktop notifications on")
    tones_before = agent.evaluate("window.__tones")

    shopper = open_chat(new_context(viewport=PHONE), stack)
    say(shopper, "hi")
    say(shopper, "I want a hybrid SUV under 45k")
    expect(shopper.locator(".cards .card").first).to_be_visible()
    answers = settled_count(bot_rows(shopper))
    say(shopper, NOT_UNDERSTOOD)
    expect(bot_rows(shopper)).to_have_count(answers + 1)
    conversation = ask_for_a_person(shopper)

    # -- alerted within a poll: title, badge, sound, desktop notification, wait colour
    item = agent.locator(f'#queue li[data-conversation="{conversation}"]')
    expect(item).to_be_visible()
    expect(item).to_have_class(re.compile(r"\bwait-ok\b"))
    waiting = agent.locator("#queue li.waiting").count()
    expect(agent).to_have_title(re.compile(r"^\(\d+\) Support console"))
    expect(agent.locator("#queue-count")).to_have_text(re.compile(r"^\d+$"))
    assert int(agent.locator("#queue-count").inner_text()) >= 1 and waiting >= 1
    notes = agent.evaluate("window.__notifications")
    assert any(NOT_UNDERSTOOD in (n["body"] or "") for n in notes), notes
    assert agent.evaluate("window.__tones") > tones_before, "the sound played"

    # -- the summary: no greeting, the whole recommendation, the unanswered question
    item.locator("button").click()
    expect(agent.locator("#summary-needs")).to_contain_text("hybrid")
    expect(agent.locator("#summary-unanswered-text")).to_have_text(f"“{NOT_UNDERSTOOD}”")
    expect(agent.locator("#summary-messages")).not_to_contain_text("I'm a shopping advisor")
    recommended = next(
        r["text"]
        for t in TurnLog(stack.turn_log).conversation(conversation)
        for r in t["responses"]
        if t["products"] and "meet" in r["text"]
    )
    assert len(recommended) > 300, "long enough that the old summary cut it"
    shown = agent.locator("#summary-recommendation-text").text_content()
    assert shown == recommended

    # -- claim; typing both ways, never a message
    agent.click("#claim")
    expect(agent.locator("#detail-state")).to_have_text("You are handling this conversation")
    expect(shopper.locator(".row.staff .bubble").first).to_contain_text("Dana")
    messages_before = bot_rows(shopper).count()
    shopper.locator("#input").press_sequentially("Do you also have", delay=40)
    expect(agent.locator("#shopper-typing")).to_be_visible()
    agent.locator("#reply-text").press_sequentially("Let me", delay=40)
    expect(shopper.locator("#staff-typing")).to_have_text("Dana is typing…")
    screenshot(shopper, "support-typing-shopper")
    agent.fill("#reply-text", "")
    shopper.fill("#input", "")
    expect(agent.locator("#shopper-typing")).to_be_hidden()

    # -- canned replies, by click and by Alt+2
    agent.locator(".canned-reply", has_text="Greeting").click()
    expect(agent.locator("#reply-text")).to_have_value(re.compile(r"^Hi, I'm Dana from the"))
    agent.fill("#reply-text", "")
    agent.locator("#reply-text").press("Alt+2")
    expect(agent.locator("#reply-text")).to_have_value(re.compile(r"^Let me check that"))
    agent.click("#reply-send")
    expect(shopper.locator(".row.staff .bubble", has_text="Let me check that")).to_be_visible()
    expect(shopper.locator("#staff-typing")).to_be_hidden()

    # -- an internal note the shopper never sees
    agent.fill("#note-text", NOTE)
    agent.click("#note-add")
    expect(agent.locator("#transcript li.note")).to_contain_text(NOTE)

    # the console with a live handoff, for the README: a second shopper waiting meanwhile
    other = open_chat(new_context(viewport=PHONE), stack)
    say(other, "I need a minivan for a family of six")
    ask_for_a_person(other)
    shopper.locator("#input").press_sequentially("Thanks, and", delay=40)
    expect(agent.locator("#shopper-typing")).to_be_visible()
    expect(agent.locator(f'#queue li[data-conversation="{session_id(other)}"]')).to_be_visible()
    agent.locator("#transcript").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    agent.screenshot(path=screenshot_path("support-console.png"), full_page=True)
    shopper.fill("#input", "")

    # -- Close asks first; Cancel keeps the chat
    agent.click("#close")
    expect(agent.locator("#confirm")).to_be_visible()
    expect(agent.locator("#confirm-text")).to_contain_text("Close this support chat?")
    agent.click("#confirm-cancel")
    expect(agent.locator("#confirm")).to_be_hidden()
    expect(agent.locator("#detail-state")).to_have_text("You are handling this conversation")
    agent.click("#close")
    agent.click("#confirm-ok")
    expect(shopper.locator(".bubble", has_text="Dana has closed this support chat")).to_be_visible()
    expect(agent.locator("#detail-state")).to_contain_text("Ended: closed by Dana")
    assert bot_rows(shopper).count() > messages_before
    assert NOTE not in shopper.locator("#messages").inner_text(), "notes stay internal"
    events = api(stack, "GET", f"/conversations/{conversation}/tracker")["events"]
    assert not any(NOTE in (e.get("text") or "") for e in events)
    assert not any(e.get("event") == "user" and "Do you also" in e.get("text", "") for e in events)

    # -- the transcript is in time order after Close
    texts = transcript_texts(agent)
    order = [
        "Dana claimed the conversation",
        "Dana from the support team has joined the chat.",
        "Let me check that",
        NOTE,
        "Dana closed the conversation",
        "Dana has closed this support chat",
    ]
    at = [next(i for i, t in enumerate(texts) if line in t) for line in order]
    assert at == sorted(at), texts

    # -- the shopper rates the chat; the rating reaches the log and the console
    rating = shopper.locator("#rating")
    expect(rating).to_contain_text("How was your chat with Dana?")
    rating.locator('button[data-score="4"]').click()
    rating.locator("textarea").fill("Quick and clear")
    screenshot(shopper, "support-rating")
    rating.locator("button[type=submit]").click()
    expect(shopper.locator(".bubble", has_text="Thank you for rating")).to_be_visible()
    expect(agent.locator("#transcript li.rating")).to_contain_text("4 out of 5")
    with open_rating_store(stack.turn_log) as ratings:
        [kept] = ratings.ratings(conversation_id=conversation)
    assert (kept["score"], kept["comment"], kept["staff"]) == (4, "Quick and clear", "Dana")
    shopper.reload()
    expect(shopper.locator("#connection")).to_have_text("online")
    shopper.wait_for_timeout(1000)
    expect(shopper.locator("#rating")).to_have_count(0)

    # -- the transcript download, in the same order
    with agent.expect_download() as download:
        agent.click("#download")
    text = download.value.path().read_text()
    assert f"Conversation {conversation}" in text
    lines = ["-- Dana claimed", "staff (Dana): Let me check", f"internal note (Dana): {NOTE}",
             "-- Dana closed", "advisor: Dana has closed", "rating: The shopper rated the chat 4"]  # fmt: skip
    positions = [text.index(line) for line in lines]
    assert positions == sorted(positions)

    # -- who did what
    with open_audit_store(stack.turn_log) as audit:
        done = [(e["action"], e["actor"], e["via"]) for e in audit.for_conversation(conversation)]
    assert done == [
        ("claim", "Dana", "account"),
        ("reply", "Dana", "account"),
        ("note", "Dana", "account"),
        ("close", "Dana", "account"),
    ]


def test_hand_back_asks_first_and_resumes_the_bot(stack, new_context):
    agent = agent_page(new_context(), stack, "Rene")
    shopper = open_chat(new_context(viewport=PHONE), stack)
    conversation = ask_for_a_person(shopper)
    agent.locator(f'#queue li[data-conversation="{conversation}"] button').click()
    agent.click("#claim")
    expect(agent.locator("#detail-state")).to_have_text("You are handling this conversation")
    agent.click("#hand-back")
    expect(agent.locator("#confirm-text")).to_contain_text("Hand this conversation back")
    agent.click("#confirm-ok")
    expect(shopper.locator(".bubble", has_text="You're back with the advisor")).to_be_visible()
    expect(shopper.locator("#rating")).to_have_count(0)  # only a close asks for a rating
    expect(agent.locator("#transcript")).to_contain_text("Rene handed the conversation back")


def backdate(stack, conversation: str, seconds: float) -> None:
    """Make the conversation's handoff and messages `seconds` older, as if time had passed."""
    connection = sqlite3.connect(stack.turn_log)
    try:
        with connection:
            connection.execute(
                "UPDATE handoffs SET created_ts = created_ts - ? WHERE conversation_id = ?",
                (seconds, conversation),
            )
            connection.execute(
                "UPDATE turns SET ts = ts - ? WHERE conversation_id = ?", (seconds, conversation)
            )
    finally:
        connection.close()


def test_a_quiet_conversation_turns_late_then_leaves_the_queue_as_abandoned(stack, new_context):
    agent = agent_page(new_context(), stack, "Ivo")
    shopper = open_chat(new_context(viewport=PHONE), stack)
    conversation = ask_for_a_person(shopper)
    item = agent.locator(f'#queue li[data-conversation="{conversation}"]')
    expect(item).to_have_class(re.compile(r"\bwait-ok\b"))

    backdate(stack, conversation, 6 * 60)
    expect(item).to_have_class(re.compile(r"\bwait-late\b"))
    screenshot(agent, "support-wait-late")

    backdate(stack, conversation, 24 * 3600)
    started = time.monotonic()
    expect(item).to_have_count(0, timeout=SWEEP_WAIT)
    ended = agent.locator(f'#recent li[data-conversation="{conversation}"]')
    expect(ended).to_contain_text("abandoned")
    expect(
        shopper.locator(".bubble", has_text="Nobody from the support team could join")
    ).to_be_visible()
    expect(shopper.locator("#handoff")).to_be_hidden()
    assert time.monotonic() - started < SWEEP_WAIT / 1000
    with open_audit_store(stack.turn_log) as audit:
        [entry] = audit.for_conversation(conversation)
    assert (entry["action"], entry["actor"]) == ("abandon", "system")
    assert entry["detail"]["idle_seconds"] >= 24 * 3600

    say(shopper, "how do you rank?")
    expect(shopper.locator(".row.bot .bubble", has_text="published rules").last).to_be_visible()
