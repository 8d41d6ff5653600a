"""What the shopper's page says before anyone types, from the catalog in force: the greeting, who
runs the advisor and that every brand is ranked by the same published rules, that the conversation
is recorded, suggested starts; the header's operator and "how we rank"; the favicon."""

from __future__ import annotations

import asyncio

from knowledge.loader import CATALOGS_DIR, load
from tests.web.test_app import run
from web.welcome import RECORDED, welcome


def test_the_first_screen_greets_discloses_and_suggests_starts(tmp_path):
    async def scenario(client, posted, queue):
        page = await (await client.get("/")).text()
        assert "Hi! I&#x27;m a shopping advisor for vehicles." in page
        assert "This advisor is run by a Chevrolet retailer, and every brand, competitors" in page
        assert RECORDED in page
        assert page.count('class="quick-reply" data-text=') == 4
        assert 'data-text="A hybrid SUV under $40k"' in page
        assert 'data-text="How do you rank?"' in page
        header = page[page.index('<header class="chat-header">') : page.index("</header>")]
        assert "Run by a Chevrolet retailer" in header and 'href="/how-we-rank"' in header
        messages = page[page.index('<section class="messages"') : page.index("</section>")]
        assert "aria-live" not in messages  # only the announcer speaks, one new message at a time
        assert 'id="announcer" role="log" aria-live="polite"' in page

    asyncio.run(run(scenario)(tmp_path))


def test_how_we_rank_publishes_the_rules(tmp_path):
    async def scenario(client, posted, queue):
        response = await client.get("/how-we-rank")
        page = await response.text()
        assert response.status == 200
        assert "Every brand is ranked by the same published rules." in page
        assert "This advisor is run by a Chevrolet retailer." in page
        assert "low price, fuel economy, safety" in page  # the default priorities

    asyncio.run(run(scenario)(tmp_path))


def test_every_page_names_the_favicon_and_it_is_served(tmp_path):
    async def scenario(client, posted, queue):
        page = await (await client.get("/")).text()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
        icon = await client.get("/static/favicon.svg")
        assert icon.status == 200 and icon.content_type == "image/svg+xml"
        assert (await icon.text()).startswith("<svg")

    asyncio.run(run(scenario)(tmp_path))


def test_a_catalog_without_a_deployer_says_only_the_rules():
    laptops = welcome(load(CATALOGS_DIR / "laptops"))
    assert laptops.operator is None
    assert laptops.disclosure == "Every brand is ranked by the same published rules."
    assert laptops.greeting.startswith("Hi! I'm a shopping advisor for laptops.")
    assert laptops.suggestions[-1] == "How do you rank?"
