"""Against the real Rasa server: the HTTP API needs the token; the REST channel refuses misshapen,
over-long, oversized and too-frequent input with a 4xx and a reason; a chat socket opens only from
an allowed origin and talks only in the conversation it joined."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from rasa_plugins.input_limits import MAX_MESSAGE_CHARS, RATE_LIMIT_MESSAGES
from tests.e2e.conftest import api, new_sender, say

pytestmark = pytest.mark.e2e


def post(url: str, body: bytes, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def webhook(stack) -> str:
    return f"{stack.rasa_url}/webhooks/rest/webhook"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_the_http_api_refuses_a_missing_or_wrong_token(stack, token):
    url = f"{stack.rasa_url}/conversations/{new_sender()}/tracker"
    if token:
        url += f"?token={token}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    assert refused.value.code == 401


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"not json", 400, "must be JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b'{"message": "hi"}', 400, "'sender' must be a non-empty string"),
        (b'{"sender": 7, "message": "hi"}', 400, "'sender' must be a non-empty string"),
        (b'{"sender": "x", "message": ["hi"]}', 400, "'message' must be a string"),
        (b'{"sender": "x", "message": "hi", "metadata": 3}', 400, "'metadata' must be"),
        (json.dumps({"sender": "x" * 200, "message": "hi"}).encode(), 400, "at most 128"),
        (json.dumps({"sender": "x", "message": "y" * 501}).encode(), 413, "too long"),
    ],
)
def test_the_rest_channel_refuses_bad_input_with_a_reason(stack, body, status, reason):
    code, text = post(webhook(stack), body)
    assert (code, reason in text) == (status, True), text


def test_an_oversized_body_is_refused_and_the_server_keeps_answering(stack):
    code, _ = post(webhook(stack), b'{"sender": "x", "message": "' + b"y" * 2_000_000 + b'"}')
    assert code == 413
    assert say(stack, new_sender(), "hi")


def test_a_flood_into_one_conversation_is_refused_and_others_go_on(stack):
    flooded, other = new_sender(), new_sender()
    codes = [
        post(webhook(stack), json.dumps({"sender": flooded, "message": "thanks"}).encode())[0]
        for _ in range(RATE_LIMIT_MESSAGES + 2)
    ]
    assert codes == [200] * RATE_LIMIT_MESSAGES + [429, 429]
    code, text = post(webhook(stack), json.dumps({"sender": flooded, "message": "hi"}).encode())
    assert code == 429 and "faster than I can answer" in text
    assert say(stack, other, "hi")


def test_a_caller_cannot_pass_its_messages_off_as_another_channel(stack):
    sender = new_sender()
    body = {"sender": sender, "message": "hi", "input_channel": "socketio"}
    assert post(webhook(stack), json.dumps(body).encode())[0] == 200
    tracker = api(stack, "GET", f"/conversations/{sender}/tracker")
    assert tracker["latest_input_channel"] == "rest"


async def open_chat(stack, origin: str, session_id: str) -> tuple[socketio.AsyncClient, list]:
    """A socket.io client as the widget is one: joins `session_id`, collects bot messages.
    (Long-polling: the websocket transport of this python-engineio needs a newer aiohttp.)"""
    client = socketio.AsyncClient(reconnection=False)
    received: list = []
    confirmed = asyncio.get_running_loop().create_future()
    client.on("bot_uttered", received.append)
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.connect(stack.rasa_url, headers={"Origin": origin}, transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    assert await asyncio.wait_for(confirmed, 30) == session_id
    return client, received


async def until(condition, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("condition not met")


def test_a_chat_socket_opens_only_from_an_allowed_origin(stack):
    async def scenario():
        with pytest.raises(socketio.exceptions.ConnectionError):
            await open_chat(stack, "http://evil.example", uuid.uuid4().hex)
        client, _ = await open_chat(stack, stack.web_url, uuid.uuid4().hex)
        await client.disconnect()

    asyncio.run(scenario())


def test_a_chat_socket_cannot_read_or_write_another_conversation(stack):
    victim_id, intruder_id = uuid.uuid4().hex, uuid.uuid4().hex

    async def scenario():
        victim, victim_saw = await open_chat(stack, stack.web_url, victim_id)
        intruder, intruder_saw = await open_chat(stack, stack.web_url, intruder_id)
        await victim.emit("user_uttered", {"message": "hi", "session_id": victim_id})
        await until(lambda: victim_saw)
        seen_by_victim = len(victim_saw)
        # The intruder names the victim's conversation: the message stays in its own.
        await intruder.emit("user_uttered", {"message": "thanks", "session_id": victim_id})
        await until(lambda: intruder_saw)
        await intruder.emit("user_uttered", {"message": "x" * (MAX_MESSAGE_CHARS + 1)})
        await until(lambda: len(intruder_saw) > 1)
        await asyncio.sleep(1)
        assert len(victim_saw) == seen_by_victim
        assert intruder_saw[-1]["refused"] and "too long" in intruder_saw[-1]["text"]
        await victim.disconnect()
        await intruder.disconnect()

    asyncio.run(scenario())
    victim_texts = user_texts(api(stack, "GET", f"/conversations/{victim_id}/tracker"))
    intruder_texts = user_texts(api(stack, "GET", f"/conversations/{intruder_id}/tracker"))
    assert (victim_texts, intruder_texts) == (["hi"], ["thanks"])


def user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]
