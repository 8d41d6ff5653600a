"""The web app's pages come from Jinja2 templates (web/templates) with autoescape on: markup in
anything a page shows (the socket URL, a staff name, a login reason, what shoppers said in the
insights report) comes out as text."""

from __future__ import annotations

import asyncio

import pytest
from jinja2 import UndefinedError

from knowledge.loader import load
from stores.turnlog import TurnLog
from tests.web.test_app import bearer, run
from web import auth, pages
from web.server import Settings, create_app
from web.welcome import welcome

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PICKUP = {"body": ["pickup"], "powertrain": ["electric"], "budget": 42000}


def test_the_socket_url_is_an_attribute_value_not_markup(tmp_path):
    settings = Settings(
        rasa_url="http://127.0.0.1:5005",
        rasa_token="r",
        staff_token="s",
        turn_log=tmp_path / "turns.db",
        socket_url=f'http://rasa.example/"><{HOSTILE}',
    )
    page = pages.render(
        "chat.html",
        socket_url=settings.browser_socket_url,
        welcome=welcome(load()),
        items="vehicles",
    )
    assert HOSTILE not in page and '/"><' not in page
    assert f'content="http://rasa.example/&quot;&gt;&lt;{ESCAPED}"' in page
    assert create_app(settings)  # the app renders it once, at start


def test_the_login_reason_and_target_are_text():
    target = auth.safe_next(f'/support"><{HOSTILE}')
    body = pages.render("login.html", reason=f"reason {HOSTILE}", next=target, first_start=True)
    assert HOSTILE not in body and f"reason {ESCAPED}" in body
    assert 'name="next" value="/support"' in body  # anything but a staff page is dropped


def test_the_insights_page_shows_hostile_quotes_and_staff_names_as_text(tmp_path):
    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turns(
            {
                "conversation_id": f"c{n}",
                "message_id": "m1",
                "ts": 1_767_571_200.0 + n * 3600,
                "text": f"an electric pickup under 42k {HOSTILE}",
                "needs": PICKUP,
            }
            for n in range(4)
        )

    async def scenario(client, posted, queue):
        response = await client.get("/insights", headers=bearer(f"Mallory {HOSTILE}"))
        html = await response.text()
        assert response.status == 200
        assert HOSTILE not in html and "<script" not in html
        assert f"<span>Mallory {ESCAPED}</span>" in html
        assert f"<blockquote>an electric pickup under 42k {ESCAPED}</blockquote>" in html
        assert html.index('class="insights-bar"') < html.index("<h1>")

    asyncio.run(run(scenario)(tmp_path))


def test_every_page_renders_and_names_no_undefined_variable():
    assert "Support console" in pages.render("support.html")
    with pytest.raises(UndefinedError):
        pages.render("login.html", next="/support")  # no reason
    with pytest.raises(UndefinedError):
        pages.render("chat.html")  # no socket URL


def test_web_and_report_templates_have_distinct_names():
    """The web environment loads both folders, first match first: a web template named like a
    report template would hide it from the insights page."""
    web = set(pages.TEMPLATES.loader.loaders[0].list_templates())
    report = set(pages.TEMPLATES.loader.loaders[1].list_templates())
    assert {"chat.html", "support.html", "login.html", "insights.html"} <= web
    assert "report.html" in report and not web & report
