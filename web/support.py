"""The support console's JSON API (/api/support/...), staff only.

- GET  queue                          waiting and claimed conversations with wait times and their
                                      colour (ok, long, late), the waiting count, recent ends
- GET  conversations/{id}             the time-ordered transcript (messages, internal notes, who
                                      did what, the rating), handoff summary, products discussed,
                                      who is typing
- POST conversations/{id}/claim       take a waiting conversation (409 if someone else was faster)
- POST conversations/{id}/reply       {"text": ...}: a staff message, delivered live to the shopper
- POST conversations/{id}/hand-back   resume the bot, with a short bot message
- POST conversations/{id}/close       end the support chat: resume the bot, with a closing message
                                      that asks the shopper for a rating

Notes, typing, canned replies and the transcript download are in web.console.

Replying, handing back and closing need the handoff to be claimed by the same staff name. Closing
also resumes the bot: a shopper who writes again after a person has left should get an answer, not
silence. "Hand back" means the person passed the conversation to the advisor to continue; "close"
means the support case is done. Both are recorded in the queue (status returned / closed), and
every claim, reply, hand back and close in the audit trail under the name of who did it.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from aiohttp import web

from stores.interface import (
    CLAIMED,
    WAITING,
    AuditStore,
    HandoffStore,
    NoteStore,
    RatingStore,
    TurnStore,
    TypingStore,
)
from web import transcript
from web.auth import STAFF, VIA, Guard, staff_only
from web.rasa_api import RasaClient, RasaError, bot_message, staff_message

MAX_STAFF_CHARS = 1000
CONVERSATION_ID = re.compile(r"^[\w.@:-]{1,128}$")
QUEUE = web.AppKey("support_queue", HandoffStore)
LOG = web.AppKey("turn_log", TurnStore)
RASA = web.AppKey("rasa", RasaClient)
AUDIT = web.AppKey("audit", AuditStore)
NOTES = web.AppKey("notes", NoteStore)
RATINGS = web.AppKey("ratings", RatingStore)
TYPING = web.AppKey("typing", TypingStore)
# Wait-time colours in the queue: under 2 minutes ok, under 5 long, else late.
WAIT_LEVELS = ((120.0, "ok"), (300.0, "long"))
LATE = "late"

JOINED = "{name} from the support team has joined the chat."
HANDED_BACK = (
    "You're back with the advisor. Ask me anything about the options, or ask for a person again "
    "at any time."
)
CLOSED = (
    "{name} has closed this support chat. The advisor is back if you need anything else, and you "
    "can ask for a person again at any time."
)


def error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def conversation_id(request: web.Request) -> str:
    value = request.match_info["conversation_id"]
    if not CONVERSATION_ID.match(value):
        raise web.HTTPBadRequest(text="Not a conversation id.")
    return value


def wait_level(seconds: float) -> str:
    for limit, level in WAIT_LEVELS:
        if seconds < limit:
            return level
    return LATE


def _catalog_names() -> dict[str, str]:
    from knowledge.loader import get_catalog

    try:
        return {pid: p.full_name for pid, p in get_catalog().by_id.items()}
    except Exception:  # noqa: BLE001 - names are a nicety; ids still identify the products
        return {}


def products_discussed(turns: list[dict[str, Any]], summary: dict[str, Any]) -> list[dict]:
    names = _catalog_names()
    found: dict[str, dict[str, Any]] = {}
    for turn in turns:
        for product in turn["products"]:
            pid = product.get("id")
            if pid:
                entry = found.setdefault(pid, {"id": pid, "name": names.get(pid, pid), "how": []})
                if product.get("kind") and product["kind"] not in entry["how"]:
                    entry["how"].append(product["kind"])
    for product in summary.get("products_shown") or []:
        pid = product.get("id")
        if pid and pid not in found:
            found[pid] = {"id": pid, "name": product.get("name") or pid, "how": ["shown"]}
    return list(found.values())


def public(handoff: dict[str, Any] | None, now: float | None = None) -> dict[str, Any] | None:
    if handoff is None:
        return None
    now = time.time() if now is None else now
    summary = handoff.get("summary") or {}
    last = (summary.get("last_messages") or [{}])[-1]
    wait = handoff.get("wait_seconds")
    if wait is None:
        until = handoff.get("claimed_ts") or (
            now if handoff["status"] == WAITING else handoff.get("closed_ts") or now
        )
        wait = max(0.0, until - handoff["created_ts"])
    return {
        "id": handoff["id"],
        "conversation_id": handoff["conversation_id"],
        "status": handoff["status"],
        "created_ts": handoff["created_ts"],
        "wait_seconds": round(wait, 1),
        "wait_level": wait_level(wait),
        "claimed_by": handoff.get("claimed_by"),
        "claimed_ts": handoff.get("claimed_ts"),
        "closed_ts": handoff.get("closed_ts"),
        "needs": summary.get("needs"),
        "last_message": last.get("text"),
        "unanswered": (summary.get("unanswered") or {}).get("text"),
        "summary": summary,
    }


async def conversation_view(app: web.Application, cid: str) -> dict[str, Any] | None:
    """Everything the console shows of one conversation; None if it is unknown."""
    handoff, turns, notes, audit, ratings, typing = await asyncio.gather(
        asyncio.to_thread(app[QUEUE].current, cid),
        asyncio.to_thread(app[LOG].conversation, cid),
        asyncio.to_thread(app[NOTES].notes, cid),
        asyncio.to_thread(app[AUDIT].for_conversation, cid),
        asyncio.to_thread(app[RATINGS].ratings, None, None, cid),
        asyncio.to_thread(app[TYPING].typing, cid),
    )
    if handoff is None and not turns:
        return None
    summary = (handoff or {}).get("summary") or {}
    return {
        "conversation_id": cid,
        "handoff": public(handoff),
        "handoff_raw": handoff,
        "transcript": transcript.timeline(turns, notes, audit, ratings),
        "products": products_discussed(turns, summary),
        "typing": typing,
    }


async def held_by(request: web.Request, cid: str) -> web.Response | None:
    """None if the request's staff member holds the conversation, else the error."""
    handoff = await asyncio.to_thread(request.app[QUEUE].current, cid)
    if handoff is None:
        return error(404, "This conversation is not in the support queue.")
    if handoff["status"] != CLAIMED:
        return error(409, f"This conversation is {handoff['status']}; claim it first.")
    if handoff["claimed_by"] != request[STAFF]:
        return error(409, f"{handoff['claimed_by']} is handling this conversation.")
    return None


async def record(
    request: web.Request,
    action: str,
    cid: str,
    detail: dict[str, Any] | None = None,
    now: float | None = None,
) -> None:
    """Add the request's staff action to the audit trail."""
    await asyncio.to_thread(
        request.app[AUDIT].record, action, request[STAFF], request[VIA], cid, detail, now
    )


def routes(guard: Guard) -> list[web.RouteDef]:
    guarded = staff_only(guard, api=True)
    prefix = "/api/support"

    @guarded
    async def me(request: web.Request) -> web.Response:
        return web.json_response({"name": request[STAFF], "via": request[VIA]})

    @guarded
    async def queue(request: web.Request) -> web.Response:
        store = request.app[QUEUE]
        now = time.time()
        rows, ended = await asyncio.gather(
            asyncio.to_thread(store.open_handoffs, now), asyncio.to_thread(store.recent, 10)
        )
        return web.json_response(
            {
                "now": now,
                "staff": request[STAFF],
                "via": request[VIA],
                "waiting": sum(1 for r in rows if r["status"] == WAITING),
                "open": [public(r, now) for r in rows],
                "recent": [public(r, now) for r in ended],
            }
        )

    @guarded
    async def conversation(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        view = await conversation_view(request.app, cid)
        if view is None:
            return error(404, "No such conversation.")
        view.pop("handoff_raw")
        return web.json_response({**view, "staff": request[STAFF]})

    @guarded
    async def claim(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        name = request[STAFF]
        won = await asyncio.to_thread(request.app[QUEUE].claim, cid, name)
        if not won:
            handoff = await asyncio.to_thread(request.app[QUEUE].current, cid)
            if handoff is None:
                return error(404, "This conversation is not in the support queue.")
            holder = handoff.get("claimed_by")
            if handoff["status"] == CLAIMED and holder != name:
                return error(409, f"Already claimed by {holder}.")
            return error(409, f"This conversation is {handoff['status']}.")
        joined = staff_message(JOINED.format(name=name), name)
        await record(request, "claim", cid, {"message_id": joined["metadata"]["message_id"]})
        try:
            await request.app[RASA].append(cid, [joined])
        except RasaError as failure:
            return web.json_response({"ok": True, "warning": str(failure)})
        return web.json_response({"ok": True})

    @guarded
    async def reply(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        try:
            body = await request.json()
        except ValueError:
            return error(400, 'Send JSON: {"text": "..."}.')
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return error(400, "The reply is empty.")
        text = text.strip()
        if len(text) > MAX_STAFF_CHARS:
            return error(413, f"The reply is over {MAX_STAFF_CHARS} characters.")
        refusal = await held_by(request, cid)
        if refusal is not None:
            return refusal
        message = staff_message(text, request[STAFF])
        now = time.time()
        try:
            await request.app[RASA].append(cid, [message])
        except RasaError as failure:
            return error(502, f"Not delivered: {failure}")
        await record(request, "reply", cid, {"message_id": message["metadata"]["message_id"]}, now)
        await asyncio.to_thread(request.app[TYPING].set_typing, cid, "staff", False)
        return web.json_response({"ok": True})

    async def finish(request: web.Request, status: str, message: str) -> web.Response:
        cid = conversation_id(request)
        refusal = await held_by(request, cid)
        if refusal is not None:
            return refusal
        name = request[STAFF]
        note = bot_message(message.format(name=name), handoff=status)
        now = time.time()
        try:
            await request.app[RASA].append(cid, [{"event": "resume"}, note])
        except RasaError as failure:
            return error(502, f"The bot was not resumed: {failure}")
        await asyncio.to_thread(request.app[QUEUE].finish, cid, name, status)
        await record(request, "close" if status == "closed" else "hand_back", cid, None, now)
        await asyncio.to_thread(request.app[TYPING].set_typing, cid, "staff", False)
        return web.json_response({"ok": True, "status": status})

    @guarded
    async def hand_back(request: web.Request) -> web.Response:
        return await finish(request, "returned", HANDED_BACK)

    @guarded
    async def close(request: web.Request) -> web.Response:
        return await finish(request, "closed", CLOSED)

    one = prefix + "/conversations/{conversation_id}"
    return [
        web.get(prefix + "/me", me),
        web.get(prefix + "/queue", queue),
        web.get(one, conversation),
        web.post(one + "/claim", claim),
        web.post(one + "/reply", reply),
        web.post(one + "/hand-back", hand_back),
        web.post(one + "/close", close),
    ]
