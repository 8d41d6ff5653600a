"""/insights without a browser (milliseconds): bad input gets the page with the message, an empty
log says how to get data, sample data is its own log, the drill-down reaches a transcript, and a
transcript can tag its conversation."""

from __future__ import annotations

import asyncio
import html
import re

from stores.turnlog import TurnLog
from tests.web.test_app import bearer, run

PICKUP = {"body": ["pickup"], "powertrain": ["electric"], "budget": 42000}
T0 = 1_767_571_200.0  # 2026-01-05


def seed(path, conversations: int = 4, sample: bool = False) -> None:
    with TurnLog(path) as log:
        if sample:
            log.mark_sample()
        log.write_turns(
            {
                "conversation_id": f"c{n}",
                "message_id": "m1",
                "ts": T0 + n * 3600,
                "text": "an electric pickup under 42k",
                "needs": PICKUP,
            }
            for n in range(conversations)
        )


def test_bad_input_gets_the_page_with_the_message(tmp_path):
    async def scenario(client, posted, queue):
        page = await client.get("/insights?since=yesterday&min_shoppers=x", headers=bearer())
        text = await page.text()
        assert page.status == 400 and page.content_type == "text/html"
        assert "&#x27;From&#x27; must be a date like 2026-01-31, not &#x27;yesterday&#x27;." in text
        assert "Min. shoppers must be a whole number" in text
        assert 'value="yesterday"' in text and '<form method="get" action="/insights">' in text
        backwards = await client.get(
            "/insights?since=2026-02-01&until=2026-01-01", headers=bearer()
        )
        assert backwards.status == 400 and "showing the whole log" in await backwards.text()

    asyncio.run(run(scenario)(tmp_path))


def test_an_empty_log_says_how_to_get_data(tmp_path):
    async def scenario(client, posted, queue):
        text = await (await client.get("/insights", headers=bearer())).text()
        assert "No conversations have been logged yet" in text and "advisor simulate" in text
        sample = await (await client.get("/insights?data=sample", headers=bearer())).text()
        assert "There is no sample data yet" in sample
        assert not (tmp_path / "sample-turns.db").exists()  # looking made no file

    asyncio.run(run(scenario)(tmp_path))


def test_sample_data_is_its_own_log_and_says_so(tmp_path):
    seed(tmp_path / "sample-turns.db", sample=True)

    async def scenario(client, posted, queue):
        real = await (await client.get("/insights", headers=bearer())).text()
        assert "Sample data is ready" in real and "SAMPLE DATA" not in real
        sample = await (await client.get("/insights?data=sample", headers=bearer())).text()
        assert "SAMPLE DATA: simulated conversations" in sample
        assert "pickup + electric + under $45k" in sample

    asyncio.run(run(scenario)(tmp_path))


def test_the_drill_down_reaches_a_transcript_that_can_be_tagged(tmp_path):
    seed(tmp_path / "turns.db")

    async def scenario(client, posted, queue):
        page = await (await client.get("/insights", headers=bearer())).text()
        [link] = re.findall(r'href="(/insights/opportunity\?[^"]+)"', page)
        listed = await client.get(html.unescape(link), headers=bearer())
        text = await listed.text()
        assert listed.status == 200 and "Conversations (4)" in text
        conversations = re.findall(r'href="(/insights/conversation/[^"]+)"', text)
        assert len(conversations) == 4 and conversations[0].endswith("/c3")  # the latest first
        transcript = await (await client.get(conversations[0], headers=bearer())).text()
        assert "an electric pickup under 42k" in transcript and "Counted as" in transcript
        tagged = await client.post(
            conversations[0] + "/traffic", data={"kind": "staff"}, headers=bearer(),
            allow_redirects=False,
        )  # fmt: skip
        assert tagged.status == 303 and tagged.headers["Location"] == conversations[0]
        after = await (await client.get("/insights", headers=bearer())).text()
        assert "Left out: conversations tagged as not real shoppers (1 staff)." in after
        included = await (await client.get("/insights?include=staff", headers=bearer())).text()
        assert "Left out" not in included
        bad = await client.post(conversations[0] + "/traffic", data={"kind": "x"}, headers=bearer())
        assert bad.status == 400
        missing = await client.get("/insights/conversation/nope", headers=bearer())
        assert missing.status == 404 and "No conversation" in await missing.text()
        gone = await client.get("/insights/opportunity?kind=unmet&key=zz", headers=bearer())
        assert gone.status == 404

    asyncio.run(run(scenario)(tmp_path))


def test_the_drill_down_pages_need_the_staff_token(tmp_path):
    seed(tmp_path / "turns.db")

    async def scenario(client, posted, queue):
        for path in ("/insights/opportunity?kind=unmet&key=x", "/insights/conversation/c1"):
            assert (await client.get(path)).status == 401, path
        assert (
            await client.post("/insights/conversation/c1/traffic", data={"kind": "staff"})
        ).status == 401

    asyncio.run(run(scenario)(tmp_path))
