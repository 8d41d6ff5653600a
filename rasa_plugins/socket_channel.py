"""Rasa's socket.io channel, fixed and limited for the web widget (loaded by the Rasa server from
bot/credentials.yml as `rasa_plugins.socket_channel.AdvisorSocketIO`; its name stays "socketio").

What differs from rasa.core.channels.socketio:
- Custom payloads reach the browser as `{"custom": {...}}`. Rasa 3.6 passes a custom payload to
  `AsyncServer.emit(event, **payload)`, which raises on any key other than emit's own arguments
  (so `{"type": "product_cards", ...}` would fail the whole turn).
- Text from a person (bot events whose metadata has `"staff": true`, posted through the HTTP API)
  carries `"sender": {"role": "staff", "name": ...}`, and hand-back messages carry `"handoff"`, so
  the widget can show who is talking.
- A socket may only talk in the conversation it joined: `session_request` accepts only ids of
  the widget's shape (32 hex digits, rasa_plugins/input_limits.py; anything else gets a fresh id) and
  each message goes to the socket's own conversation, whatever session id the message names.
- A shopper message longer than MAX_MESSAGE_CHARS, one sent before joining a conversation, or one
  over the per-conversation rate limit is refused with a visible reply instead of reaching the bot.
- Browsers may open the socket only from the allowed origins ($ADVISOR_ALLOWED_ORIGINS, else the
  server's own origin; Rasa's channel accepts every origin), and a packet may not exceed
  MAX_REQUEST_BYTES.
- A side path for typing signals, both ways, that never becomes a message, and the Redis manager
  that carries pushes between Rasa servers ($ADVISOR_SOCKET_REDIS_URL): rasa_plugins/typing_path.py.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint

from rasa_plugins import typing_path
from rasa_plugins.input_limits import (
    MAX_MESSAGE_CHARS,
    MAX_REQUEST_BYTES,
    SESSION_ID,
    TOO_FAST,
    TOO_LONG,
    allowed_origins,
    rate_limiter,
)

logger = logging.getLogger(__name__)

NO_SESSION = "Please reload the page: this chat has no session yet."


def sender_of(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Who is talking, any handoff status and, for a message pushed from outside a turn, its id
    (the page catches up on those it missed by id: web/chat_catch_up.py)."""
    extra: dict[str, Any] = {}
    if kwargs.get("staff"):
        extra["sender"] = {"role": "staff", "name": str(kwargs.get("staff_name") or "Support")}
    if kwargs.get("handoff"):
        extra["handoff"] = str(kwargs["handoff"])
    if extra and kwargs.get("message_id"):
        extra["id"] = str(kwargs["message_id"])
    return extra


def _typing_store():
    from stores.shared import typing_store

    return typing_store()


@lru_cache(maxsize=1)
def _api_token() -> str:
    """The Rasa API token the launcher started this server with (rasa_plugins.launch)."""
    from advisor.settings import api_token

    return api_token()


class AdvisorSocketIOOutput(SocketIOOutput):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        extra = sender_of(kwargs)
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, **extra})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = text.strip().split("\n\n") or [text]
        messages: list[dict[str, Any]] = [{"text": p, **sender_of(kwargs)} for p in parts]
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons
        ]
        for message in messages:
            await self._send_message(recipient_id, message)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class AdvisorSocketIO(SocketIOInput):
    """SocketIOInput with the output above and a length limit on shopper messages."""

    def get_output_channel(self) -> AdvisorSocketIOOutput | None:
        if self.sio is None:
            return super().get_output_channel()  # warns, returns None
        return AdvisorSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint: SocketBlueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        sio.eio.cors_allowed_origins = allowed_origins()
        sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES
        typing_path.use_redis_manager(sio)
        joined: dict[str, str] = {}  # socket id -> the conversation it joined
        rate = rate_limiter("socket")  # in Redis when scaled: one limit for N servers
        shopper_typing = typing_path.ShopperTyping(_typing_store)
        typing_path.add_staff_typing_route(blueprint, sio, self.namespace, _api_token)

        async def refuse(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text, "refused": True}, room=sid)

        # The handlers below replace the parent's for the same events.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SESSION_ID.match(asked) else None
            session_id = session_id or uuid.uuid4().hex
            if self.session_persistence:
                previous = joined.get(sid)
                if previous and previous != session_id:
                    sio.leave_room(sid, previous)
                sio.enter_room(sid, session_id)
            joined[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            joined.pop(sid, None)

        @sio.on(typing_path.TYPING_EVENT, namespace=self.namespace)
        async def typing(sid: str, data: Any) -> None:
            await shopper_typing(joined.get(sid), sid, data)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            text = data.get("message")
            text = text if isinstance(text, str) else ""
            if len(text) > MAX_MESSAGE_CHARS:
                await refuse(sid, TOO_LONG)
                return
            if self.session_persistence:
                sender_id = joined.get(sid)
                if sender_id is None:
                    await refuse(sid, NO_SESSION)
                    return
            else:
                sender_id = sid
            if not rate.allow(sender_id):
                await refuse(sid, TOO_FAST)
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            await on_new_message(
                UserMessage(
                    text,
                    AdvisorSocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )

        return blueprint
