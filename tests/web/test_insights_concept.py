"""/insights/concept without a browser: the form's result (marked hypothetical), CSV and JSON,
bad input back with the message, staff only; /insights shows the need clusters and the form."""

from __future__ import annotations

import asyncio
import json

from ops.scenario import VEHICLE_SEGMENTS
from ops.simulate import simulate
from stores.turnlog import TurnLog
from tests.web.test_app import bearer, run

QUERY = "from_product=ford-maverick-2025&attr1=towing_lb&value1=6500&buy_share=0.1"


def seed(path, vehicles) -> None:
    with TurnLog(path) as log:
        simulate(log, vehicles, 600, seed=3, planted_segments=VEHICLE_SEGMENTS)


def test_the_concept_form_gives_the_concept_test(tmp_path, vehicles):
    seed(tmp_path / "turns.db", vehicles)

    async def scenario(client, posted, queue):
        page = await client.get(f"/insights/concept?{QUERY}", headers=bearer())
        text = await page.text()
        assert page.status == 200, text
        assert "concept (hypothetical, not a real product)" in text
        assert "2025 Ford Maverick XL with 6,500 lb maximum towing (concept)" in text
        assert "share of won shoppers who buy: 10.0% (given)" in text
        assert "Maximum towing one level worse" in text
        data = json.loads(
            await (
                await client.get(f"/insights/concept?{QUERY}&format=json", headers=bearer())
            ).text()
        )
        assert data["hypothetical"] and data["concepts"][0]["new_demand"] > 0
        csv = await (
            await client.get(f"/insights/concept?{QUERY}&format=csv", headers=bearer())
        ).text()
        assert csv.startswith("concept,hypothetical,section")
        bad = await client.get(
            "/insights/concept?from_product=ford-maverick-2025&attr1=towing_lb&value1=lots&buy_share=2",
            headers=bearer(),
        )
        bad_text = await bad.text()
        assert bad.status == 400 and "buy share must be a share from 0 to 1" in bad_text
        for query, said in (
            ("attr1=drivetrains&value1=%5B", "is not a value it can have"),  # '[' is no YAML
            ("attr1=towing_lb&value1=6500&price=nan", "price must be a number, 0 or more"),
            ("attr1=towing_lb&value1=6500&shoppers_per_year=inf", "must be a number, 0 or more"),
        ):
            wrong = await client.get(
                f"/insights/concept?from_product=ford-maverick-2025&{query}", headers=bearer()
            )
            assert wrong.status == 400 and said in await wrong.text(), query
        assert (await client.get(f"/insights/concept?{QUERY}")).status in (302, 303, 401)
        insights = await (await client.get("/insights", headers=bearer())).text()
        assert "Need clusters" in insights and 'action="/insights/concept"' in insights
        assert "Test this concept" in insights

    asyncio.run(run(scenario)(tmp_path))
