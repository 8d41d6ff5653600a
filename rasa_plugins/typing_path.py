"""The chat channel's side path: typing signals in both directions and the Redis manager that
carries pushes between Rasa servers. Nothing on this path is a message, so nothing reaches the
conversation's tracker or the turn log.

- The shopper's page emits `typing` ({"typing": bool}) on its socket. The channel takes it only
  from a socket that joined a conversation, at most TYPING_RATE times a minute, and writes it to
  the typing store (stores.interface.TypingStore, in the stores' database), where the support
  console reads it, whichever Rasa server the socket is on.
- The web app posts a staff member's typing to POST /webhooks/socketio/typing (Authorization:
  Bearer <the Rasa API token>; {"conversation_id", "name", "typing"}); the channel emits
  `typing` ({"role": "staff", "name", "typing"}) to the conversation's room.
- With $ADVISOR_SOCKET_REDIS_URL set, the socket.io server uses python-socketio's
  AsyncRedisManager, so an emit on one Rasa server reaches a socket on any other: this side path,
  and the staff replies and notes the web app pushes through the HTTP API's tracker events
  (execute_side_effects with output_channel=socketio), reach the shopper wherever they are
  connected. Without it, each server reaches its own sockets (one server, as `advisor run`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
from collections.abc import Callable
from typing import Any

import socketio
from sanic import Blueprint, response
from sanic.request import Request

from rasa_plugins.input_limits import RateLimiter

logger = logging.getLogger(__name__)

REDIS_ENV = "ADVISOR_SOCKET_REDIS_URL"
REDIS_CHANNEL = "advisor-socketio"
TYPING_EVENT = "typing"
TYPING_RATE = 40  # signals per socket per minute (the page sends one every few seconds)
CONVERSATION_ID = re.compile(r"^[\w.@:-]{1,128}$")
NAME_CHARS = 40


def use_redis_manager(sio: socketio.AsyncServer, url: str | None = None) -> bool:
    """Join this socket.io server to the others through Redis ($ADVISOR_SOCKET_REDIS_URL);
    False (and nothing changed) when no URL is set. Called before any socket connects."""
    url = url if url is not None else os.environ.get(REDIS_ENV, "")
    if not url:
        return False
    manager = socketio.AsyncRedisManager(url, channel=REDIS_CHANNEL)
    sio.manager = manager
    manager.set_server(sio)
    sio.manager_initialized = False
    logger.info("chat sockets shared between Rasa servers through Redis at %s", _safe(url))
    return True


def _safe(url: str) -> str:
    """The URL without a password, for the log."""
    return re.sub(r"//[^@/]*@", "//***@", url)


class ShopperTyping:
    """Takes the shopper's `typing` signals into the typing store (never raising into the
    socket server: a failed write is one warning line, and the chat goes on)."""

    def __init__(self, store: Callable[[], Any]) -> None:
        self.store = store
        self.rate = RateLimiter(TYPING_RATE, 60.0)
        self._warned = False

    async def __call__(self, conversation_id: str | None, sid: str, data: Any) -> None:
        if conversation_id is None or not isinstance(data, dict):
            return
        typing = data.get("typing")
        if not isinstance(typing, bool) or not self.rate.allow(sid):
            return
        try:
            typing_store = self.store()
            await asyncio.to_thread(typing_store.set_typing, conversation_id, "shopper", typing)
        except Exception as error:  # noqa: BLE001 - typing is a nicety; the chat goes on
            if not self._warned:
                logger.warning("shopper typing not recorded: %s: %s", type(error).__name__, error)
                self._warned = True


async def relay_staff_typing(
    sio: socketio.AsyncServer,
    namespace: str | None,
    expected_token: str,
    authorization: str,
    body: Any,
) -> tuple[int, dict[str, Any]]:
    """Check a staff typing signal from the web app and emit it to the conversation's room;
    (HTTP status, answer)."""
    scheme, _, given = (authorization or "").partition(" ")
    if (
        scheme.lower() != "bearer"
        or not expected_token
        or not hmac.compare_digest(given.strip().encode(), expected_token.encode())
    ):
        return 401, {"error": "The Rasa API token is required."}
    body = body if isinstance(body, dict) else {}
    conversation_id, name, typing = (body.get(k) for k in ("conversation_id", "name", "typing"))
    if not isinstance(conversation_id, str) or not CONVERSATION_ID.match(conversation_id):
        return 400, {"error": "Not a conversation id."}
    if not isinstance(typing, bool) or not isinstance(name, str):
        return 400, {"error": 'Send {"conversation_id": str, "name": str, "typing": bool}.'}
    signal = {"role": "staff", "name": name.strip()[:NAME_CHARS], "typing": typing}
    await sio.emit(TYPING_EVENT, signal, room=conversation_id, namespace=namespace)
    return 200, {"ok": True}


def add_staff_typing_route(
    blueprint: Blueprint,
    sio: socketio.AsyncServer,
    namespace: str | None,
    token: Callable[[], str],
) -> None:
    """POST /webhooks/socketio/typing: show a staff member's typing in the shopper's chat."""

    @blueprint.route("/typing", methods=["POST"])
    async def staff_typing(request: Request) -> response.HTTPResponse:
        try:
            body = request.json
        except Exception:  # noqa: BLE001 - Sanic raises its own error for a body that is not JSON
            body = None
        status, answer = await relay_staff_typing(
            sio, namespace, token(), request.headers.get("Authorization") or "", body
        )
        return response.json(answer, status=status)
