"""The support console's API without real servers (a fake Rasa HTTP API, real SQLite stores):
named accounts and the first start, who did what, the time-ordered transcript and its download,
notes, typing, canned replies, wait colours, ratings and abandoned handoffs."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from rasa_plugins.event_broker import TurnAssembler
from stores.shared import (
    audit_store,
    rating_store,
    staff_store,
    turn_store,
    typing_store,
)
from tests.web.test_app import STAFF_TOKEN, bearer, run
from web import abandon, support

SHOPPER = "0123456789abcdef0123456789abcdef"
API = f"/api/support/conversations/{SHOPPER}"


async def log_in(client, name: str, secret: str, status: int = 303):
    client.session.cookie_jar.clear()
    response = await client.post(
        "/login", data={"name": name, "secret": secret}, allow_redirects=False
    )
    assert response.status == status, await response.text()
    return response


async def me(client):
    response = await client.get("/api/support/me")
    return response.status, await response.json()


def broker_records(client, posted, since: int = 0) -> int:
    """Feed what the app posted to Rasa into the turn log, as Rasa's event broker would (with
    the time Rasa stamps on each event); returns how many posts were fed."""
    path = client.server.app[support.LOG].path
    assembler = TurnAssembler(turn_store(path))
    for post in posted[since:]:
        for event in post.get("events", []):
            assembler.handle({"sender_id": post["conversation"], "timestamp": time.time(), **event})
            time.sleep(0.002)
    return len(posted)


def test_first_start_takes_the_shared_token_until_an_account_exists(tmp_path):
    async def scenario(client, posted, queue):
        page = await (await client.get("/login")).text()
        assert "First start" in page
        await log_in(client, "Kim", STAFF_TOKEN)
        assert await me(client) == (200, {"name": "Kim", "via": "first start"})
        kim = client.session.cookie_jar.filter_cookies(client.make_url("/"))["advisor_staff"].value
        assert STAFF_TOKEN not in kim

        accounts = staff_store(tmp_path / "turns.db")
        secret = await asyncio.to_thread(accounts.add_account, "Alex")
        status, body = await me(client)
        assert status == 401 and "accounts exist now" in body["error"]
        refused = await log_in(client, "Kim", STAFF_TOKEN, status=401)
        assert "Wrong name or secret" in await refused.text()
        assert "First start" not in await refused.text()
        assert (await log_in(client, "Alex", secret + "x", status=401)).status == 401

        await log_in(client, "alex", secret)
        assert await me(client) == (200, {"name": "Alex", "via": "account"})
        alex = client.session.cookie_jar.filter_cookies(client.make_url("/"))["advisor_staff"].value
        await client.post("/logout", allow_redirects=False)
        assert (await me(client))[0] == 401
        replayed = await client.get("/api/support/me", headers={"Cookie": f"advisor_staff={alex}"})
        assert replayed.status == 401, "the session ended on the server, not only in the browser"
        assert "ended" in (await replayed.json())["error"]

        api = await client.get("/api/support/me", headers=bearer("Robot"))
        assert (await api.json()) == {"name": "Robot", "via": "api token"}
        logins = [
            (e["action"], e["actor"], e["via"])
            for e in audit_store(tmp_path / "turns.db").entries()
        ]
        assert logins[::-1] == [
            ("login", "Kim", "first start"),
            ("login", "Alex", "account"),
            ("logout", "Alex", "account"),
        ]

    asyncio.run(run(scenario)(tmp_path))


def test_a_removed_account_or_a_reset_secret_ends_the_session(tmp_path):
    async def scenario(client, posted, queue):
        accounts = staff_store(tmp_path / "turns.db")
        secret = accounts.add_account("Alex")
        await log_in(client, "Alex", secret)
        assert (await me(client))[0] == 200
        new = accounts.reset_secret("Alex")
        assert (await me(client))[0] == 401
        await log_in(client, "Alex", new)
        accounts.remove_account("Alex")
        assert (await me(client))[0] == 401

    asyncio.run(run(scenario)(tmp_path))


def test_every_action_is_recorded_and_the_transcript_is_in_time_order(tmp_path):
    async def scenario(client, posted, queue):
        secret = staff_store(tmp_path / "turns.db").add_account("Alex")
        await log_in(client, "Alex", secret)
        log = turn_store(tmp_path / "turns.db")
        asked = time.time() - 5
        log.write_turn(
            {
                "conversation_id": SHOPPER,
                "message_id": "m1",
                "text": "can I talk to a person?",
                "ts": asked,
                "responses": [{"response": None, "text": "I've asked a person.", "ts": asked + 1}],
            }
        )
        queue.enqueue(SHOPPER, {"needs": "hybrid"})
        assert (await client.post(API + "/claim")).status == 200
        fed = broker_records(client, posted)
        assert (await client.post(API + "/reply", json={"text": "Hi, Alex here."})).ok
        fed = broker_records(client, posted, fed)
        assert (await client.post(API + "/notes", json={"text": "Prefers e-mail"})).ok
        assert (await client.post(API + "/close")).ok
        broker_records(client, posted, fed)

        view = await (await client.get(API)).json()
        lines = [(e["role"], e.get("who"), e["text"]) for e in view["transcript"]]
        assert lines == [
            ("shopper", None, "can I talk to a person?"),
            ("advisor", None, "I've asked a person."),
            ("system", "Alex", "Alex claimed the conversation"),
            ("staff", "Alex", "Alex from the support team has joined the chat."),
            ("staff", "Alex", "Hi, Alex here."),
            ("note", "Alex", "Prefers e-mail"),
            ("system", "Alex", "Alex closed the conversation"),
            ("advisor", None, support.CLOSED.format(name="Alex")),
        ]
        actions = [
            (e["action"], e["actor"], e["via"])
            for e in audit_store(tmp_path / "turns.db").for_conversation(SHOPPER)
        ]
        assert actions == [
            ("claim", "Alex", "account"),
            ("reply", "Alex", "account"),
            ("note", "Alex", "account"),
            ("close", "Alex", "account"),
        ]

        download = await client.get(API + "/transcript.txt")
        assert download.status == 200
        assert download.headers["Content-Disposition"] == (
            f'attachment; filename="transcript-{SHOPPER}.txt"'
        )
        text = await download.text()
        order = [
            "shopper: can I talk to a person?",
            "-- Alex claimed the conversation --",
            "staff (Alex): Hi, Alex here.",
            "internal note (Alex): Prefers e-mail",
            "-- Alex closed the conversation --",
            "advisor: Alex has closed this support chat.",
        ]
        positions = [text.index(line) for line in order]
        assert positions == sorted(positions)
        assert "Stated needs: hybrid" in text and "Downloaded by Alex" in text

    asyncio.run(run(scenario)(tmp_path))


def test_notes_never_reach_the_shopper(tmp_path):
    async def scenario(client, posted, queue):
        queue.enqueue(SHOPPER, {})
        kept = await client.post(API + "/notes", json={"text": "VIP"}, headers=bearer("Kim"))
        assert kept.status == 200 and posted == [], "nothing went to Rasa"
        for body in ({"text": ""}, {"text": "x" * 2001}, ["VIP"]):
            refused = await client.post(API + "/notes", json=body, headers=bearer("Kim"))
            assert refused.status == 400, body
        unknown = "/api/support/conversations/nobody/notes"
        assert (await client.post(unknown, json={"text": "x"}, headers=bearer())).status == 404
        view = await (await client.get(API, headers=bearer())).json()
        assert [(e["role"], e["who"], e["text"]) for e in view["transcript"]] == [
            ("note", "Kim", "VIP")
        ]

    asyncio.run(run(scenario)(tmp_path))


def test_typing_goes_both_ways_on_the_side_path_and_is_never_a_turn(tmp_path):
    async def scenario(client, posted, queue):
        queue.enqueue(SHOPPER, {})
        typing_store(tmp_path / "turns.db").set_typing(SHOPPER, "shopper", True)  # the channel
        seen = await (await client.get(API + "/typing", headers=bearer())).json()
        assert [t["role"] for t in seen["typing"]] == ["shopper"]

        early = await client.post(API + "/typing", json={"typing": True}, headers=bearer())
        assert early.status == 409, "only the person handling it types to the shopper"
        await client.post(API + "/claim", headers=bearer())
        shown = await client.post(API + "/typing", json={"typing": True}, headers=bearer())
        assert shown.status == 200
        assert posted[-1] == {
            "typing": {"conversation_id": SHOPPER, "name": "Alex", "typing": True}
        }
        seen = await (await client.get(API, headers=bearer())).json()
        assert [(t["role"], t["name"]) for t in seen["typing"]] == [
            ("shopper", None),
            ("staff", "Alex"),
        ]
        bad = await client.post(API + "/typing", json={"typing": "yes"}, headers=bearer())
        assert bad.status == 400
        assert turn_store(tmp_path / "turns.db").conversation(SHOPPER) == []
        assert all("typing" not in str(p.get("events")) for p in posted)

    asyncio.run(run(scenario)(tmp_path))


CANNED = """
replies:
  - {title: Hello, text: "Hi, I'm {agent}."}
  - {title: Bye, text: "Bye!"}
"""


def test_canned_replies_come_from_an_editable_file(tmp_path):
    canned = tmp_path / "canned.yml"
    canned.write_text(CANNED)

    async def scenario(client, posted, queue):
        async def replies():
            return await (await client.get("/api/support/canned", headers=bearer("Kim"))).json()

        first = await replies()
        assert first == {
            "replies": [
                {"title": "Hello", "text": "Hi, I'm Kim.", "shortcut": "Alt+1"},
                {"title": "Bye", "text": "Bye!", "shortcut": "Alt+2"},
            ],
            "error": None,
        }
        later = time.time() + 10
        canned.write_text(CANNED + '  - {title: Later, text: "Back soon, {agent}"}\n')
        os.utime(canned, (later, later))
        assert [r["title"] for r in (await replies())["replies"]] == ["Hello", "Bye", "Later"]
        canned.write_text('replies:\n  - {title: Oops, text: "Hi {shopper}"}\n')
        os.utime(canned, (later + 10, later + 10))
        broken = await replies()
        assert f"{canned}: reply 1 ('Oops'), field 'text'" in broken["error"]
        assert "{shopper}" in broken["error"]
        assert len(broken["replies"]) == 3, "the last good replies stay"

    asyncio.run(run(scenario, canned_replies=canned)(tmp_path))


def test_the_queue_counts_the_waiting_and_colours_their_waits(tmp_path):
    async def scenario(client, posted, queue):
        now = time.time()
        queue.enqueue("fresh", {}, now=now - 30)
        queue.enqueue("long", {}, now=now - 200)
        queue.enqueue("late", {}, now=now - 400)
        queue.enqueue("claimed", {}, now=now - 50)
        queue.claim("claimed", "Kim")
        listed = await (await client.get("/api/support/queue", headers=bearer())).json()
        assert listed["waiting"] == 3
        levels = {h["conversation_id"]: h["wait_level"] for h in listed["open"]}
        assert levels == {"fresh": "ok", "long": "long", "late": "late", "claimed": "ok"}

    asyncio.run(run(scenario)(tmp_path))


@pytest.mark.parametrize(
    ("seconds", "level"), [(0, "ok"), (119, "ok"), (120, "long"), (299, "long"), (300, "late")]
)
def test_wait_levels(seconds, level):
    assert support.wait_level(seconds) == level


def test_a_quiet_waiting_handoff_is_abandoned_recorded_and_the_bot_resumed(tmp_path):
    async def scenario(client, posted, queue):
        app = client.server.app
        now = time.time()
        day = app[abandon.AFTER]
        assert day == 24 * 3600
        log = turn_store(tmp_path / "turns.db")
        for cid, ago in (("quiet", day + 60), ("wrote-lately", 60), ("claimed", day + 60)):
            queue.enqueue(cid, {}, now=now - day - 120)
            log.write_turn(
                {"conversation_id": cid, "message_id": "m1", "text": "hi", "ts": now - ago}
            )
        queue.claim("claimed", "Kim")
        assert await abandon.sweep(app, now) == ["quiet"]
        assert await abandon.sweep(app, now) == [], "once"
        assert queue.current("quiet")["status"] == "abandoned"
        assert queue.current("wrote-lately")["status"] == "waiting"
        assert queue.current("claimed")["status"] == "claimed"
        [entry] = audit_store(tmp_path / "turns.db").for_conversation("quiet")
        assert (entry["action"], entry["actor"], entry["via"]) == ("abandon", "system", "system")
        assert entry["detail"]["idle_seconds"] == day + 60
        [post] = posted
        assert post["conversation"] == "quiet" and post["events"][0] == {"event": "resume"}
        assert post["events"][1]["metadata"]["handoff"] == "abandoned"
        listed = await (await client.get("/api/support/queue", headers=bearer())).json()
        assert "quiet" not in [h["conversation_id"] for h in listed["open"]]
        assert listed["recent"][0]["status"] == "abandoned"

        accounts = staff_store(tmp_path / "turns.db")
        accounts.start_session("Old", None, now=now - 3 * 86400)
        typing_store(tmp_path / "turns.db").set_typing("quiet", "shopper", True, now=now - 60)
        await abandon.tidy(app)
        assert accounts.purge_sessions() == 0, "the sweep deleted the expired session"
        assert typing_store(tmp_path / "turns.db").purge() == 0, "and the lapsed signal"

    asyncio.run(run(scenario)(tmp_path))


def test_a_closed_chat_is_rated_once_by_its_shopper(tmp_path):
    async def scenario(client, posted, queue):
        rating = f"/api/chat/{SHOPPER}/rating"
        assert (await (await client.get(rating)).json()) == {"pending": False, "staff": None}
        assert (await client.post(rating, json={"score": 5})).status == 404
        queue.enqueue(SHOPPER, {})
        await client.post(API + "/claim", headers=bearer("Kim"))
        await client.post(API + "/close", headers=bearer("Kim"))
        pending = await (await client.get(rating)).json()
        assert pending == {"pending": True, "staff": "Kim", "handoff": queue.current(SHOPPER)["id"]}
        for body in ({"score": 0}, {"score": "5"}, {"score": 3, "comment": "x" * 501}, [5]):
            assert (await client.post(rating, json=body)).status == 400, body
        kept = await client.post(rating, json={"score": 4, "comment": "Quick, thanks"})
        assert kept.status == 200
        assert (await client.post(rating, json={"score": 1})).status == 409
        assert (await (await client.get(rating)).json())["pending"] is False
        summary = rating_store(tmp_path / "turns.db").summary()
        assert summary["count"] == 1 and summary["by_staff"][0]["staff"] == "Kim"
        view = await (await client.get(API, headers=bearer())).json()
        assert (
            view["transcript"][-1]["text"]
            == "The shopper rated the chat 4 out of 5: “Quick, thanks”"
        )
        assert (await client.get("/api/chat/shopper-1/rating")).status == 404

    asyncio.run(run(scenario)(tmp_path))
