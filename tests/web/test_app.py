"""The web app without real servers (milliseconds): staff auth, the support API against a fake
Rasa HTTP API, the insights window, and the socket.io output channel's payloads."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from rasa_plugins.input_limits import (
    MAX_MESSAGE_CHARS,
    MAX_REQUEST_BYTES,
    RATE_LIMIT_MESSAGES,
    SESSION_ID,
)
from rasa_plugins.socket_channel import AdvisorSocketIO, AdvisorSocketIOOutput
from stores.support_queue import SupportQueue
from web import auth, chat_catch_up, support
from web.server import Settings, create_app

STAFF_TOKEN = "staff-token-for-tests"
RASA_TOKEN = "rasa-token-for-tests"


def run(scenario, **overrides):
    """Run `scenario(client, rasa_events, queue)` against the app and a fake Rasa HTTP API (its
    events and typing endpoints record what they get in `rasa_events`); `overrides` change the
    app's Settings."""

    async def main(tmp):
        posted: list[dict] = []

        async def events(request: web.Request) -> web.Response:
            posted.append(
                {
                    "conversation": request.match_info["cid"],
                    "query": dict(request.query),
                    "events": await request.json(),
                }
            )
            return web.json_response({})

        async def tracker(request: web.Request) -> web.Response:
            cid = request.match_info["cid"]
            appended = [e for p in posted if p.get("conversation") == cid for e in p["events"]]
            return web.json_response({"sender_id": cid, "events": appended})

        async def typing(request: web.Request) -> web.Response:
            if request.headers.get("Authorization") != f"Bearer {RASA_TOKEN}":
                return web.json_response({"error": "token"}, status=401)
            posted.append({"typing": await request.json()})
            return web.json_response({"ok": True})

        rasa_app = web.Application()
        rasa_app.router.add_post("/conversations/{cid}/tracker/events", events)
        rasa_app.router.add_get("/conversations/{cid}/tracker", tracker)
        rasa_app.router.add_post("/webhooks/socketio/typing", typing)
        async with TestServer(rasa_app) as rasa:
            settings = Settings(
                rasa_url=str(rasa.make_url("")),
                rasa_token=RASA_TOKEN,
                staff_token=STAFF_TOKEN,
                turn_log=tmp / "turns.db",
                socket_url="http://127.0.0.1:5005",
                **overrides,
            )
            async with TestClient(TestServer(create_app(settings))) as client:
                with SupportQueue(tmp / "turns.db") as queue:
                    await scenario(client, posted, queue)

    return main


def bearer(name: str = "Alex") -> dict[str, str]:
    return {"Authorization": f"Bearer {STAFF_TOKEN}", "X-Staff-Name": name}


def test_the_shopper_page_gets_the_socket_url_and_a_strict_policy(tmp_path):
    async def scenario(client, posted, queue):
        response = await client.get("/")
        page = await response.text()
        assert response.status == 200
        assert 'content="http://127.0.0.1:5005"' in page
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "ws://127.0.0.1:5005" in policy
        assert "unsafe" not in policy
        assert (await client.get("/healthz")).status == 200
        vendor = await client.get("/static/vendor/socket.io.min.js")
        assert vendor.status == 200 and "Socket.IO v4" in (await vendor.text())[:200]

    asyncio.run(run(scenario)(tmp_path))


def test_staff_pages_need_the_token(tmp_path):
    async def scenario(client, posted, queue):
        for path in ("/support", "/insights", "/api/support/queue"):
            response = await client.get(path)
            assert response.status == 401, path
            wrong = await client.get(path, headers={"Authorization": "Bearer nope"})
            assert wrong.status == 401 and "Wrong staff token" in await wrong.text()
        ok = await client.get("/api/support/queue", headers=bearer())
        assert ok.status == 200 and (await ok.json())["staff"] == "Alex"
        assert ok.headers["Cache-Control"] == "no-store"

        refused = await client.post("/login", data={"secret": "nope", "name": "x"})
        assert refused.status == 401
        logged = await client.post(
            "/login",
            data={"secret": STAFF_TOKEN, "name": "Alex", "next": "https://evil.example/"},
            allow_redirects=False,
        )
        assert logged.status == 303 and logged.headers["Location"] == "/support"
        cookie = logged.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = await client.get("/support")
        assert page.status == 200 and "Support console" in await page.text()

    asyncio.run(run(scenario)(tmp_path))


def test_too_many_wrong_tokens_are_throttled(tmp_path):
    async def scenario(client, posted, queue):
        for _ in range(auth.FAILURES_ALLOWED):
            await client.get("/support", headers={"Authorization": "Bearer nope"})
        blocked = await client.get("/support", headers=bearer())
        assert blocked.status == 429

    asyncio.run(run(scenario)(tmp_path))


def test_claim_reply_hand_back_through_the_rasa_api(tmp_path):
    async def scenario(client, posted, queue):
        queue.enqueue("shopper-1", {"needs": "hybrid", "last_messages": [{"text": "help"}]})
        api = "/api/support/conversations/shopper-1"
        listed = await (await client.get("/api/support/queue", headers=bearer())).json()
        assert listed["open"][0]["conversation_id"] == "shopper-1"
        assert listed["open"][0]["wait_seconds"] >= 0

        early = await client.post(api + "/reply", headers=bearer(), json={"text": "hi"})
        assert early.status == 409, "replying needs a claim"
        assert (await client.post(api + "/claim", headers=bearer())).status == 200
        second = await client.post(api + "/claim", headers=bearer("Sam"))
        assert second.status == 409 and "Alex" in (await second.json())["error"]
        assert (
            await client.post(api + "/reply", headers=bearer("Sam"), json={"text": "x"})
        ).status == 409
        too_long = await client.post(api + "/reply", headers=bearer(), json={"text": "x" * 1001})
        assert too_long.status == 413
        assert (await client.post(api + "/reply", headers=bearer(), json={"text": "Hello!"})).ok
        foreign = await client.post(
            api + "/reply",
            headers={**bearer(), "Origin": "https://evil.example"},
            json={"text": "x"},
        )
        assert foreign.status == 403
        back = await client.post(api + "/hand-back", headers=bearer())
        assert back.status == 200 and queue.current("shopper-1")["status"] == "returned"

        assert all(p["conversation"] == "shopper-1" for p in posted)
        assert all(
            p["query"]
            == {"execute_side_effects": "true", "output_channel": "socketio", "token": RASA_TOKEN}
            for p in posted
        )
        joined, reply, resume = (p["events"] for p in posted)
        assert "Alex from the support team has joined" in joined[0]["text"]
        [staff] = reply
        assert staff["event"] == "bot" and staff["text"] == "Hello!"
        assert staff["metadata"]["staff"] is True and staff["metadata"]["staff_name"] == "Alex"
        assert staff["metadata"]["message_id"].startswith("staff-")
        assert resume[0] == {"event": "resume"}
        assert resume[1]["metadata"]["handoff"] == "returned"
        assert resume[1]["metadata"]["message_id"].startswith("pushed-")
        assert "back with the advisor" in resume[1]["text"]

        assert (
            await client.get("/api/support/conversations/bad%20id", headers=bearer())
        ).status == 400
        assert (
            await client.get("/api/support/conversations/nobody", headers=bearer())
        ).status == 404

    asyncio.run(run(scenario)(tmp_path))


def test_the_insights_window_is_validated(tmp_path):
    async def scenario(client, posted, queue):
        for query in ("since=yesterday", "since=2026-02-01&until=2026-01-01", "min_shoppers=0"):
            response = await client.get("/insights?" + query, headers=bearer())
            assert response.status == 400, query
        page = await client.get("/insights?since=2026-01-01&until=2026-01-31", headers=bearer())
        html = await page.text()
        assert page.status == 200 and 'value="2026-01-01"' in html
        assert "script-src" not in page.headers["Content-Security-Policy"]
        csv = await client.get("/insights.csv", headers=bearer())
        assert csv.status == 200 and (await csv.text()).startswith("rank,kind,opportunity")

    asyncio.run(run(scenario)(tmp_path))


def test_a_page_catches_up_on_the_pushed_messages_it_missed(tmp_path):
    shopper = "0123456789abcdef0123456789abcdef"

    async def scenario(client, posted, queue):
        pushed = f"/api/chat/{shopper}/pushed"
        assert (await (await client.get(pushed)).json()) == {"messages": []}  # never queued
        assert posted == []  # and Rasa was not asked
        assert (await client.get("/api/chat/shopper-1/pushed")).status == 404  # not a widget id

        queue.enqueue(shopper, {"needs": "hybrid"})
        api = f"/api/support/conversations/{shopper}"
        assert (await client.post(api + "/claim", headers=bearer())).status == 200
        await client.post(api + "/reply", json={"text": "Hi, Alex here"}, headers=bearer())
        await client.post(api + "/hand-back", headers=bearer())
        response = await client.get(pushed)
        assert response.headers["Cache-Control"] == "no-store"
        messages = (await response.json())["messages"]
        assert [m["text"] for m in messages] == [
            "Alex from the support team has joined the chat.",
            "Hi, Alex here",
            support.HANDED_BACK,
        ]
        assert messages[1]["sender"] == {"role": "staff", "name": "Alex"}
        assert messages[2]["handoff"] == "returned" and "sender" not in messages[2]
        assert len({m["id"] for m in messages}) == 3

        for _ in range(chat_catch_up.RATE_LIMIT):
            await client.get(pushed)
        assert (await client.get(pushed)).status == 429

    asyncio.run(run(scenario)(tmp_path))


class FakeSio:
    def __init__(self) -> None:
        self.sent: list[tuple] = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.sent.append((event, data, room))


def test_socket_output_sends_custom_payloads_and_who_is_talking():
    sio = FakeSio()
    output = AdvisorSocketIOOutput(sio, "bot_uttered")

    async def scenario():
        await output.send_response(
            "s1", {"text": "Hi", "custom": {"type": "product_cards", "items": []}}
        )
        await output.send_response(
            "s1",
            {"text": "Alex here", "staff": True, "staff_name": "Alex", "message_id": "staff-1"},
        )
        await output.send_response(
            "s1",
            {"text": "Pick", "buttons": [{"title": "A", "payload": "/a"}], "handoff": "closed"},
        )

    asyncio.run(scenario())
    payloads = [data for _, data, room in sio.sent]
    assert all(room == "s1" for _, _, room in sio.sent)
    assert payloads[0] == {"text": "Hi"}
    assert payloads[1] == {"custom": {"type": "product_cards", "items": []}}
    assert payloads[2] == {
        "text": "Alex here",
        "sender": {"role": "staff", "name": "Alex"},
        "id": "staff-1",
    }
    assert payloads[3]["quick_replies"][0]["payload"] == "/a"
    assert payloads[3]["handoff"] == "closed"
    assert json.dumps(payloads)  # all JSON-serialisable
    assert MAX_MESSAGE_CHARS == 500


MINE = "a" * 32
THEIRS = "b" * 32


def socket_channel():
    """An AdvisorSocketIO whose emits and room changes are recorded instead of sent."""
    received, emitted, rooms = [], [], []

    async def on_new_message(message):
        received.append(message)

    channel = AdvisorSocketIO(session_persistence=True)
    channel.blueprint(on_new_message)
    sio = channel.sio

    async def emit(event, data=None, room=None, **kwargs):
        emitted.append((event, room, data))

    sio.emit = emit
    sio.enter_room = lambda sid, room, **kw: rooms.append(("enter", sid, room))
    sio.leave_room = lambda sid, room, **kw: rooms.append(("leave", sid, room))
    handlers = sio.handlers["/"]
    return channel, handlers, received, emitted, rooms


def test_socket_input_refuses_long_messages_and_messages_without_a_session():
    _, handlers, received, emitted, _ = socket_channel()
    say = handlers["user_uttered"]

    async def scenario():
        await say("sid-1", {"message": "hi", "session_id": MINE})  # before session_request
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        await say("sid-1", {"message": "x" * (MAX_MESSAGE_CHARS + 1)})
        await say("sid-1", "not a dict")
        await say("sid-1", {"message": "x" * MAX_MESSAGE_CHARS, "session_id": MINE})

    asyncio.run(scenario())
    refused = [(room, data) for event, room, data in emitted if event == "bot_uttered"]
    assert [room for room, _ in refused] == ["sid-1", "sid-1"]
    assert "reload the page" in refused[0][1]["text"]
    assert "too long" in refused[1][1]["text"] and refused[1][1]["refused"]
    [message] = received
    assert message.sender_id == MINE and message.input_channel == "socketio"
    assert isinstance(message.output_channel, AdvisorSocketIOOutput)


def test_a_socket_talks_only_in_the_conversation_it_joined():
    _, handlers, received, emitted, rooms = socket_channel()

    async def scenario():
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        await handlers["session_request"]("sid-2", {"session_id": "alice"})  # not a random id
        await handlers["user_uttered"]("sid-1", {"message": "hi", "session_id": THEIRS})
        await handlers["disconnect"]("sid-1")
        await handlers["user_uttered"]("sid-1", {"message": "again", "session_id": MINE})

    asyncio.run(scenario())
    confirmed = [data for event, _, data in emitted if event == "session_confirm"]
    assert confirmed[0] == MINE
    assert confirmed[1] != "alice" and SESSION_ID.match(confirmed[1])
    assert rooms == [("enter", "sid-1", MINE), ("enter", "sid-2", confirmed[1])]
    # The message naming another conversation went to the socket's own; after the socket left,
    # it may not talk at all.
    assert [(m.sender_id, m.text) for m in received] == [(MINE, "hi")]
    assert "reload the page" in emitted[-1][2]["text"]


def test_a_conversation_over_the_rate_limit_is_refused_with_a_reply():
    _, handlers, received, emitted, _ = socket_channel()

    async def scenario():
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        for n in range(RATE_LIMIT_MESSAGES + 2):
            await handlers["user_uttered"]("sid-1", {"message": f"message {n}"})

    asyncio.run(scenario())
    assert len(received) == RATE_LIMIT_MESSAGES
    refused = [data for event, _, data in emitted if event == "bot_uttered"]
    assert len(refused) == 2 and all("faster than I can answer" in r["text"] for r in refused)


def test_socket_origins_and_packet_size_are_limited(monkeypatch):
    monkeypatch.delenv("ADVISOR_ALLOWED_ORIGINS", raising=False)
    channel, *_ = socket_channel()
    assert channel.sio.eio.cors_allowed_origins is None  # the server's own origin only
    assert channel.sio.eio.max_http_buffer_size == MAX_REQUEST_BYTES
    monkeypatch.setenv("ADVISOR_ALLOWED_ORIGINS", "http://127.0.0.1:8000, http://localhost:8000/")
    channel, *_ = socket_channel()
    assert channel.sio.eio.cors_allowed_origins == [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    ]
