"""What a shopper's page missed while it was closed: the messages pushed into the conversation
from outside a turn (staff replies, the join, hand-back and closing notes), which reach only the
sockets open at that moment.

GET /api/chat/{conversation_id}/pushed -> {"messages": [{"id", "text", "sender"?, "handoff"?}]}

The conversation id is the shopper's secret (128 random bits the widget made), as it is for the
chat socket; nothing is returned for an id of any other shape. Only conversations that were ever
in the support queue can have pushed messages, so no other id reaches the Rasa server (where a
lookup would create an empty conversation). Each conversation may ask RATE_LIMIT times a minute.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from rasa_plugins.input_limits import SESSION_ID, RateLimiter
from web.rasa_api import RasaError
from web.support import QUEUE, RASA, error

RATE_LIMIT = 20
RATE = web.AppKey("chat_catch_up_rate", RateLimiter)


def pushed_messages(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The conversation's pushed bot messages, oldest first, as the chat socket sends them."""
    messages = []
    for event in tracker.get("events") or []:
        metadata = event.get("metadata") or {}
        if event.get("event") != "bot" or not event.get("text") or not metadata.get("message_id"):
            continue
        if not (metadata.get("staff") or metadata.get("handoff")):
            continue
        message: dict[str, Any] = {"id": str(metadata["message_id"]), "text": event["text"]}
        if metadata.get("staff"):
            message["sender"] = {
                "role": "staff",
                "name": str(metadata.get("staff_name") or "Support"),
            }
        if metadata.get("handoff"):
            message["handoff"] = str(metadata["handoff"])
        messages.append(message)
    return messages


def routes() -> list[web.RouteDef]:
    async def pushed(request: web.Request) -> web.Response:
        cid = request.match_info["conversation_id"]
        if not SESSION_ID.match(cid):
            return error(404, "No such conversation.")
        if not request.app[RATE].allow(cid):
            return error(429, "Too many requests for this conversation: wait a minute.")
        handoff = await asyncio.to_thread(request.app[QUEUE].current, cid)
        if handoff is None:
            return web.json_response({"messages": []}, headers={"Cache-Control": "no-store"})
        try:
            tracker = await request.app[RASA].tracker(cid)
        except RasaError as failure:
            return error(502, f"Cannot read the conversation: {failure}")
        return web.json_response(
            {"messages": pushed_messages(tracker)}, headers={"Cache-Control": "no-store"}
        )

    return [web.get("/api/chat/{conversation_id}/pushed", pushed)]
