"""Playwright (sync API) driving Debian's chromium against the shared real stack (tests/conftest.py).

Never `playwright install`: the browser is /usr/bin/chromium, installed by `make install`.
Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.stack import ROOT

SCREENSHOTS = "ADVISOR_SCREENSHOTS"  # 'docs': the browser tests refresh the README's screenshots


def screenshot_path(name: str) -> str:
    """Where a browser test saves its screenshot: docs/ (the README's) with
    ADVISOR_SCREENSHOTS=docs, else a temporary folder, so a test run leaves the checkout as it was."""
    import os
    import tempfile

    folder = (
        ROOT / "docs"
        if os.environ.get(SCREENSHOTS) == "docs"
        else Path(tempfile.gettempdir()) / "advisor-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812}
REPLY_TIMEOUT = 60_000  # ms: a Rasa turn on a busy 2-core machine
EXPECT_TIMEOUT = 20_000  # ms: how long an expectation waits (Playwright's default is 5 s)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(autouse=True)
def patient_expectations():
    """A first turn on a cold stack, or a console poll, takes seconds on a busy two-core
    machine: expectations wait for it instead of failing after Playwright's 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def new_context(browser):
    """Make isolated browser contexts (separate cookies and localStorage); all closed afterwards."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(REPLY_TIMEOUT)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_chat(context, stack):
    """The shopper page, connected to Rasa's socket.io."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(stack.web_url + "/")
    expect(page.locator("#connection")).to_have_text("online")
    return page


def session_id(page) -> str:
    return json.loads(page.evaluate("localStorage.getItem('advisor.session_id')"))


def say(page, text: str) -> None:
    """Type and send a message; wait until the page shows it."""
    from playwright.sync_api import expect

    before = page.locator(".row.user").count()
    page.fill("#input", text)
    page.press("#input", "Enter")
    expect(page.locator(".row.user")).to_have_count(before + 1)


def bot_rows(page):
    return page.locator(".row.bot, .row.staff")


def settled_count(locator, quiet_s: float = 1.5, timeout_s: float = 30.0) -> int:
    """How many elements `locator` finds once no new one has come for `quiet_s` seconds: the bot
    answers one message with several, and the later ones may still be on their way."""
    import time

    deadline = time.monotonic() + timeout_s
    count, since = locator.count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = locator.count()
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return count
    raise AssertionError(f"{locator} kept changing for {timeout_s} s")


def staff_secret(stack, name: str) -> str:
    """A secret for the staff account `name` in the stack's stores: a new account, or a new
    secret for an existing one (which ends its sessions)."""
    from stores.shared import open_staff_store

    with open_staff_store(stack.turn_log) as accounts:
        try:
            return accounts.add_account(name)
        except ValueError:
            return accounts.reset_secret(name)


def log_in(context, stack, name: str, token: str | None = None, next_page: str = "/support"):
    """Log in through the form as the staff account `name` (made or given a new secret here),
    or with `token` as the secret; returns the page (on `next_page` if it was right)."""
    secret = staff_secret(stack, name) if token is None else token
    page = context.new_page()
    page.goto(f"{stack.web_url}/login?next={next_page}")
    page.fill("input[name=name]", name)
    page.fill("input[name=secret]", secret)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page
