"""After a person closes a support chat, the shopper is asked to rate it from 1 to 5, with an
optional comment. The rating goes to the rating store, in the turn log's database (the insights
page reads it there: stores.interface.RatingStore.summary), and shows in the console's transcript.

GET  /api/chat/{conversation_id}/rating  -> {"pending": bool, "staff": name or null, "handoff"}
POST /api/chat/{conversation_id}/rating  {"score": 1-5, "comment": "..."} -> {"ok": true}

As for the catch-up request (web.chat_catch_up), the conversation id is the shopper's secret and
nothing is answered for an id of any other shape. Only the conversation's latest handoff can be
rated, only once it is closed, and only once (409 after that). Each conversation may ask
RATE_LIMIT times a minute.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from rasa_plugins.input_limits import SESSION_ID, RateLimiter
from stores.interface import CLOSED
from web.support import QUEUE, RATINGS, error

RATE_LIMIT = 20
RATE = web.AppKey("chat_rating_rate", RateLimiter)


async def _closed_handoff(request: web.Request) -> tuple[str, dict | None] | web.Response:
    cid = request.match_info["conversation_id"]
    if not SESSION_ID.match(cid):
        return error(404, "No such conversation.")
    if not request.app[RATE].allow(cid):
        return error(429, "Too many requests for this conversation: wait a minute.")
    handoff = await asyncio.to_thread(request.app[QUEUE].current, cid)
    if handoff is None or handoff["status"] != CLOSED:
        return cid, None
    return cid, handoff


def routes() -> list[web.RouteDef]:
    async def pending(request: web.Request) -> web.Response:
        found = await _closed_handoff(request)
        if isinstance(found, web.Response):
            return found
        _, handoff = found
        rated = handoff is not None and await asyncio.to_thread(
            request.app[RATINGS].rating, handoff["id"]
        )
        waiting = handoff is not None and not rated
        answer = {"pending": waiting, "staff": handoff["claimed_by"] if waiting else None}
        if waiting:
            answer["handoff"] = handoff["id"]  # the page remembers a "no thanks" per handoff
        return web.json_response(answer, headers={"Cache-Control": "no-store"})

    async def rate(request: web.Request) -> web.Response:
        found = await _closed_handoff(request)
        if isinstance(found, web.Response):
            return found
        cid, handoff = found
        try:
            body = await request.json()
        except ValueError:
            return error(400, 'Send JSON: {"score": 1 to 5, "comment": "..."}.')
        if not isinstance(body, dict):
            return error(400, 'Send JSON: {"score": 1 to 5, "comment": "..."}.')
        if handoff is None:
            return error(404, "There is no closed support chat to rate in this conversation.")
        try:
            kept = await asyncio.to_thread(
                request.app[RATINGS].rate,
                handoff["id"],
                cid,
                body.get("score"),
                body.get("comment"),
                handoff.get("claimed_by"),
            )
        except ValueError as refused:
            return error(400, f"The rating was not kept: {refused}.")
        if not kept:
            return error(409, "This support chat has been rated already. Thank you!")
        return web.json_response({"ok": True})

    path = "/api/chat/{conversation_id}/rating"
    return [web.get(path, pending), web.post(path, rate)]
