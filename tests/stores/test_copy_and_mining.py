"""A SQLite deployment moved to PostgreSQL (`advisor db copy`), and the miners reading either:
the same turns give the same results, streamed from PostgreSQL through a server-side cursor."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.db_commands import db as db_group
from advisor.mining_commands import needs_cmd, simulate_cmd
from ops.scaled import drop_schema
from stores.shared import (
    close_all,
    open_handoff_store,
    open_rating_store,
    open_staff_store,
    open_turn_store,
)
from tests.services import require_postgres


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> tuple[Path, str, str]:
    """(a simulated SQLite deployment with a staff account, its copy's URL, the secret)."""
    server = require_postgres()
    path = tmp_path_factory.mktemp("copy") / "turns.db"
    result = CliRunner().invoke(simulate_cmd, ["--db", str(path), "--conversations", "300"])
    assert result.exit_code == 0, result.output
    with open_staff_store(path) as staff:
        secret = staff.add_account("Dana")
    target = f"{server}?schema=copy_{uuid.uuid4().hex[:10]}"
    try:
        result = CliRunner().invoke(db_group, ["copy", "--from", str(path), "--to", target])
        assert result.exit_code == 0, result.output
        yield path, target, secret
    finally:
        close_all()
        drop_schema(target)


def test_every_turn_handoff_rating_and_account_is_copied(deployment) -> None:
    path, target, secret = deployment
    with open_turn_store(path) as old, open_turn_store(target) as new:
        before, after = list(old.iter_turns()), list(new.iter_turns())
        assert len(before) > 1000 and after == before
        assert new.tagged_traffic() == old.tagged_traffic() and new.is_sample()
    with open_handoff_store(path) as old, open_handoff_store(target) as new:
        assert new.handoffs_between(None, None) == old.handoffs_between(None, None)
    with open_rating_store(path) as old, open_rating_store(target) as new:
        assert new.ratings() == old.ratings()
    with open_staff_store(target) as staff:
        assert staff.verify("dana", secret)["name"] == "Dana"


def test_a_second_copy_into_the_same_schema_is_refused(deployment) -> None:
    path, target, _ = deployment
    result = CliRunner().invoke(db_group, ["copy", "--from", str(path), "--to", target])
    assert result.exit_code != 0 and "already holds rows" in result.output


def test_mining_postgresql_gives_what_mining_sqlite_gives(deployment) -> None:
    path, target, _ = deployment
    runs = [
        CliRunner().invoke(needs_cmd, [option, where, "--json"])
        for option, where in (("--db", str(path)), ("--database", target))
    ]
    assert [r.exit_code for r in runs] == [0, 0], [r.output for r in runs]
    sqlite, postgres = (json.loads(r.stdout) for r in runs)
    assert postgres == sqlite and sqlite["opportunities"]
    configured = CliRunner().invoke(needs_cmd, ["--json"], env={"ADVISOR_DATABASE": target})
    assert configured.exit_code == 0, configured.output
    assert json.loads(configured.stdout) == sqlite  # $ADVISOR_DATABASE, as a scaled run sets it


def test_concept_tests_and_clusters_on_postgresql_give_what_sqlite_gives(deployment) -> None:
    from advisor.concept_commands import clusters_cmd, concept_cmd

    path, target, _ = deployment
    with open_turn_store(path) as old, open_turn_store(target) as new:
        assert list(new.iter_stated_needs()) == list(old.iter_stated_needs())
    concept = ["--from-product", "ford-maverick-2025", "--set", "towing_lb=6500", "--json"]
    for command, arguments in ((concept_cmd, concept), (clusters_cmd, ["--json"])):
        runs = [
            CliRunner().invoke(command, [option, where, *arguments])
            for option, where in (("--db", str(path)), ("--database", target))
        ]
        assert [r.exit_code for r in runs] == [0, 0], [r.output for r in runs]
        sqlite, postgres = (json.loads(r.stdout) for r in runs)
        assert postgres == sqlite and sqlite


def test_the_insights_page_reads_the_postgresql_log(deployment, tmp_path) -> None:
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from web.server import Settings, create_app

    path, target, _ = deployment

    async def fetch(where: dict, url: str) -> str:
        settings = Settings(
            rasa_url="http://127.0.0.1:9", rasa_token="t", staff_token="staff", **where
        )
        async with TestClient(TestServer(create_app(settings))) as client:
            response = await client.get(
                url, headers={"Authorization": "Bearer staff", "X-Staff-Name": "Alex"}
            )
            assert response.status == 200, await response.text()
            return await response.text()

    window = "since=2026-01-01&until=2026-03-01"
    concept = (
        f"/insights/concept?{window}&from_product=ford-maverick-2025&attr1=towing_lb&value1=6500"
    )
    for url in (f"/insights?{window}", concept, concept + "&format=json"):
        sqlite = asyncio.run(fetch({"turn_log": path}, url))
        postgres = asyncio.run(fetch({"turn_log": tmp_path / "unused.db", "database": target}, url))
        assert postgres == sqlite, url
    assert "opportunit" in asyncio.run(fetch({"turn_log": path}, f"/insights?{window}")).lower()
    assert json.loads(sqlite)["concepts"], "the concept test ran"


def test_new_rows_after_a_copy_number_on_from_the_copied_ones(deployment) -> None:
    """(Last: it adds a turn to the copy.)"""
    path, target, _ = deployment
    with open_turn_store(path) as old, open_turn_store(target) as new:
        highest = max(t["id"] for t in old.iter_turns())
        new.write_turn({"conversation_id": "after-copy", "message_id": "m1"})
        assert new.turn("after-copy", "m1")["id"] > highest
