"""Live handoff in real browsers: a shopper asks for a person, staff claim it from the queue,
reply (the reply appears in the shopper's page live), hand back, and the bot answers again.
A second staff member cannot claim the same conversation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from stores.turnlog import TurnLog
from tests.web.conftest import PHONE, log_in, open_chat, say, screenshot, session_id

pytestmark = pytest.mark.e2e


def test_handoff_round_trip(stack, new_context):
    shopper = open_chat(new_context(viewport=PHONE), stack)
    say(shopper, "I want a hybrid SUV under 45k")
    expect(shopper.locator(".cards .card").first).to_be_visible()
    say(shopper, "can I talk to a real person?")
    banner = shopper.locator("#handoff")
    expect(banner).to_contain_text("Waiting for a person")
    expect(shopper.locator(".bubble", has_text="stay quiet")).to_be_visible()
    conversation = session_id(shopper)

    say(shopper, "are you there?")  # paused: no bot answer, but the queue and the log get it
    shopper.wait_for_timeout(1500)
    expect(shopper.locator(".row.bot").last).not_to_contain_text("are you there")

    alex = log_in(new_context(), stack, "Alex")
    assert alex.url.endswith("/support")
    item = alex.locator(f'#queue li[data-conversation="{conversation}"]')
    expect(item).to_be_visible()
    expect(item.locator(".wait")).to_have_text(re.compile(r"^waiting \d+ (s|min)"))
    expect(item.locator(".needs")).to_contain_text("$45,000")
    item.locator("button").click()
    expect(alex.locator("#summary-needs")).to_contain_text("hybrid")
    expect(alex.locator("#products li").first).to_be_visible()
    expect(alex.locator("#transcript")).to_contain_text("are you there?")
    alex.click("#claim")
    expect(alex.locator("#detail-state")).to_have_text("You are handling this conversation")
    expect(shopper.locator(".row.staff .bubble").first).to_contain_text("Alex")

    sam = log_in(new_context(), stack, "Sam")
    refused = sam.request.post(f"{stack.web_url}/api/support/conversations/{conversation}/claim")
    assert refused.status == 409 and "Alex" in refused.json()["error"]
    sam.locator(f'#queue li[data-conversation="{conversation}"] button').click()
    expect(sam.locator("#detail-state")).to_have_text("Handled by Alex")
    expect(sam.locator("#claim")).to_be_hidden()
    expect(sam.locator("#reply-form")).to_be_hidden()

    reply = "Hi, Alex here. The Sportage Hybrid is worth a test drive too."
    alex.fill("#reply-text", reply)
    alex.click("#reply-send")
    staff_bubble = shopper.locator(".row.staff .bubble", has_text="Sportage")
    expect(staff_bubble).to_have_text(reply)
    expect(shopper.locator(".row.staff .who").last).to_contain_text("Alex")
    expect(banner).to_contain_text("chatting with Alex")
    screenshot(shopper, "handoff-shopper")
    expect(alex.locator("#transcript")).to_contain_text("Sportage")
    screenshot(alex, "support-console")

    alex.click("#hand-back")
    expect(alex.locator("#confirm")).to_contain_text("Hand this conversation back")
    alex.click("#confirm-ok")
    expect(shopper.locator(".bubble", has_text="You're back with the advisor")).to_be_visible()
    expect(banner).to_be_hidden()
    expect(alex.locator("#detail-state")).to_contain_text("Ended: returned by Alex")
    say(shopper, "how do you rank?")
    expect(shopper.locator(".row.bot .bubble", has_text="published rules").last).to_be_visible()

    rows = TurnLog(stack.turn_log).conversation(conversation)
    staff = [r["text"] for r in rows if r["role"] == "staff"]
    assert reply in staff and any("has joined" in t for t in staff)
    paused = [r for r in rows if r["role"] == "shopper" and r["text"] == "are you there?"]
    assert paused and paused[0]["paused"]
    assert any(r["handoff"] for r in rows)


def test_closing_resumes_the_bot_with_a_closing_message(stack, new_context):
    shopper = open_chat(new_context(viewport=PHONE), stack)
    say(shopper, "can I talk to a real person?")
    expect(shopper.locator("#handoff")).to_contain_text("Waiting")
    conversation = session_id(shopper)
    staff = new_context(extra_http_headers={"Authorization": f"Bearer {stack.staff_token}"})
    api = f"{stack.web_url}/api/support/conversations/{conversation}"
    headers = {"X-Staff-Name": "Kim"}
    assert staff.request.post(api + "/claim", headers=headers).ok
    assert staff.request.post(api + "/hand-back").status == 409, "only the claimer may end it"
    closed = staff.request.post(api + "/close", headers=headers)
    assert closed.ok and closed.json()["status"] == "closed"
    expect(shopper.locator(".bubble", has_text="Kim has closed this support chat")).to_be_visible()
    expect(shopper.locator("#handoff")).to_be_hidden()
    say(shopper, "how do you rank?")
    expect(shopper.locator(".row.bot .bubble", has_text="published rules").last).to_be_visible()


def test_a_shopper_who_comes_back_later_sees_what_staff_wrote_meanwhile(stack, new_context):
    context = new_context(viewport=PHONE)
    shopper = open_chat(context, stack)
    say(shopper, "can I talk to a real person?")
    expect(shopper.locator("#handoff")).to_contain_text("Waiting")
    conversation = session_id(shopper)
    shopper.close()  # the shopper leaves the page, as the handoff message says they may

    staff = new_context(extra_http_headers={"Authorization": f"Bearer {stack.staff_token}"})
    api = f"{stack.web_url}/api/support/conversations/{conversation}"
    headers = {"X-Staff-Name": "Noor"}
    assert staff.request.post(api + "/claim", headers=headers).ok
    reply = "Hi, Noor here: the Sienna and the Carnival Hybrid both seat eight."
    assert staff.request.post(api + "/reply", data={"text": reply}, headers=headers).ok

    back = open_chat(context, stack)  # same browser, later
    expect(back.locator(".row.staff .bubble", has_text="Noor here")).to_have_count(1)
    expect(back.locator(".row.staff .bubble", has_text="has joined")).to_have_count(1)
    expect(back.locator("#handoff")).to_contain_text("chatting with Noor")
    screenshot(back, "handoff-caught-up")
    back.reload()  # caught-up messages are kept, never shown twice
    expect(back.locator("#connection")).to_have_text("online")
    back.wait_for_timeout(1000)
    expect(back.locator(".row.staff .bubble", has_text="Noor here")).to_have_count(1)
    assert staff.request.post(api + "/close", headers=headers).ok
    expect(back.locator(".bubble", has_text="Noor has closed this support chat")).to_be_visible()
