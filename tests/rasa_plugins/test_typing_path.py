"""The chat channel's side path for typing: the shopper's signal goes to the typing store, never
to the bot; a staff member's is emitted to the conversation's room only with the API token; and
the socket server joins the others through Redis when told to."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from rasa_plugins import typing_path
from rasa_plugins.socket_channel import AdvisorSocketIO
from stores.shared import typing_store
from stores.turnlog import PATH_ENV

MINE = "a" * 32


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "turns.db"
    monkeypatch.setenv(PATH_ENV, str(path))
    monkeypatch.delenv(typing_path.REDIS_ENV, raising=False)
    return path


def channel():
    received = []

    async def on_new_message(message):
        received.append(message)

    socket = AdvisorSocketIO(session_persistence=True)
    socket.blueprint(on_new_message)
    emitted = []

    async def emit(event, data=None, room=None, **kwargs):
        emitted.append((event, room, data))

    socket.sio.emit = emit
    socket.sio.enter_room = lambda *args, **kwargs: None
    return socket, socket.sio.handlers["/"], received, emitted


def test_the_shoppers_typing_goes_to_the_store_and_never_to_the_bot(db):
    _, handlers, received, _ = channel()

    async def scenario():
        await handlers["typing"]("sid-1", {"typing": True})  # not joined yet: ignored
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        await handlers["typing"]("sid-1", {"typing": "yes"})  # not a flag: ignored
        await handlers["typing"]("sid-1", {"typing": True})

    asyncio.run(scenario())
    assert [t["role"] for t in typing_store(db).typing(MINE)] == ["shopper"]
    assert received == [], "no message reached the bot"

    asyncio.run(handlers["typing"]("sid-1", {"typing": False}))
    assert typing_store(db).typing(MINE) == []


def test_a_flood_of_typing_signals_is_capped(db, monkeypatch):
    _, handlers, _, _ = channel()
    writes = []
    store = typing_store(db)
    monkeypatch.setattr(store, "set_typing", lambda *args, **kwargs: writes.append(args))

    async def scenario():
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        for _ in range(typing_path.TYPING_RATE + 10):
            await handlers["typing"]("sid-1", {"typing": True})

    asyncio.run(scenario())
    assert len(writes) == typing_path.TYPING_RATE


def test_an_unwritable_store_costs_one_warning_and_no_error(db, monkeypatch, caplog):
    _, handlers, _, _ = channel()

    def broken(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(typing_store(db), "set_typing", broken)

    async def scenario():
        await handlers["session_request"]("sid-1", {"session_id": MINE})
        for _ in range(3):
            await handlers["typing"]("sid-1", {"typing": True})

    asyncio.run(scenario())
    warnings = [r for r in caplog.records if "typing not recorded" in r.message]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    ("authorization", "body", "status"),
    [
        ("", {"conversation_id": MINE, "name": "Alex", "typing": True}, 401),
        ("Bearer wrong", {"conversation_id": MINE, "name": "Alex", "typing": True}, 401),
        ("Bearer api-token", {"conversation_id": "bad id!", "name": "Alex", "typing": True}, 400),
        ("Bearer api-token", {"conversation_id": MINE, "name": "Alex", "typing": 1}, 400),
        ("Bearer api-token", None, 400),
        ("Bearer api-token", {"conversation_id": MINE, "name": "Alex", "typing": True}, 200),
    ],
)
def test_staff_typing_reaches_the_room_only_with_the_api_token(authorization, body, status):
    socket, _, _, emitted = channel()
    answer = asyncio.run(
        typing_path.relay_staff_typing(socket.sio, None, "api-token", authorization, body)
    )
    assert answer[0] == status
    if status == 200:
        assert emitted == [("typing", MINE, {"role": "staff", "name": "Alex", "typing": True})]
    else:
        assert emitted == []


def test_the_socket_server_joins_the_others_through_redis_when_told(db, monkeypatch):
    socket, *_ = channel()
    assert not isinstance(socket.sio.manager, socketio.AsyncRedisManager), "one server"
    monkeypatch.setenv(typing_path.REDIS_ENV, "redis://:secret@127.0.0.1:6399/0")
    socket, *_ = channel()
    manager = socket.sio.manager
    assert isinstance(manager, socketio.AsyncRedisManager)
    assert manager.server is socket.sio and manager.channel == typing_path.REDIS_CHANNEL
    assert not socket.sio.manager_initialized, "it starts listening with the first socket"
    assert typing_path._safe("redis://:secret@host:1/0") == "redis://***@host:1/0"
