"""The support console's tools beside the conversation itself (/api/support/...), staff only.

- POST conversations/{id}/notes           {"text"}: an internal note; the shopper never sees it
- GET  conversations/{id}/typing          who is typing now (the shopper, or staff)
- POST conversations/{id}/typing          {"typing": bool}: the claimer's typing, shown to the
                                          shopper through the chat channel's side path
- GET  conversations/{id}/transcript.txt  the whole transcript as a file
- GET  canned                             the canned replies (web.canned), {agent} filled in

Typing never becomes a turn: the shopper's signal goes from the chat socket to the typing store
(rasa_plugins/socket_channel.py), the staff member's from here to the store and to the Rasa
server's side path (web.rasa_api.RasaClient.typing), which emits it to the shopper's socket, on
whichever Rasa server it is when they share a Redis manager.
"""

from __future__ import annotations

import asyncio
import re
import time

from aiohttp import web

from web.auth import STAFF, Guard, staff_only
from web.canned import CannedFile
from web.rasa_api import RasaError
from web.support import (
    NOTES,
    QUEUE,
    RASA,
    TYPING,
    conversation_id,
    conversation_view,
    error,
    held_by,
    record,
)
from web.transcript import as_text

CANNED = web.AppKey("canned_replies", CannedFile)


def routes(guard: Guard) -> list[web.RouteDef]:
    guarded = staff_only(guard, api=True)
    one = "/api/support/conversations/{conversation_id}"

    @guarded
    async def add_note(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        try:
            body = await request.json()
        except ValueError:
            return error(400, 'Send JSON: {"text": "..."}.')
        text = body.get("text") if isinstance(body, dict) else None
        handoff = await asyncio.to_thread(request.app[QUEUE].current, cid)
        if handoff is None:
            return error(404, "This conversation is not in the support queue.")
        try:
            note = await asyncio.to_thread(request.app[NOTES].add_note, cid, request[STAFF], text)
        except ValueError as refused:
            return error(400, f"The note was not kept: {refused}.")
        await record(request, "note", cid, {"note_id": note["id"]}, note["ts"])
        return web.json_response({"ok": True, "note": note})

    @guarded
    async def typing_now(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        who = await asyncio.to_thread(request.app[TYPING].typing, cid)
        return web.json_response({"typing": who}, headers={"Cache-Control": "no-store"})

    @guarded
    async def staff_typing(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        try:
            body = await request.json()
        except ValueError:
            return error(400, 'Send JSON: {"typing": true}.')
        typing = body.get("typing") if isinstance(body, dict) else None
        if not isinstance(typing, bool):
            return error(400, 'Send JSON: {"typing": true} or {"typing": false}.')
        refusal = await held_by(request, cid)
        if refusal is not None:
            return refusal
        name = request[STAFF]
        await asyncio.to_thread(request.app[TYPING].set_typing, cid, "staff", typing, name)
        try:
            await request.app[RASA].typing(cid, name, typing)
        except RasaError as failure:
            return error(502, f"Not shown to the shopper: {failure}")
        return web.json_response({"ok": True})

    @guarded
    async def download(request: web.Request) -> web.Response:
        cid = conversation_id(request)
        view = await conversation_view(request.app, cid)
        if view is None:
            return error(404, "No such conversation.")
        text = as_text(cid, view["handoff_raw"], view["transcript"], request[STAFF], time.time())
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", cid)
        return web.Response(
            text=text,
            content_type="text/plain",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="transcript-{filename}.txt"'},
        )

    @guarded
    async def canned(request: web.Request) -> web.Response:
        replies = await asyncio.to_thread(request.app[CANNED].load)
        return web.json_response(
            {"replies": replies.for_agent(request[STAFF]), "error": replies.error}
        )

    return [
        web.post(one + "/notes", add_note),
        web.get(one + "/typing", typing_now),
        web.post(one + "/typing", staff_typing),
        web.get(one + "/transcript.txt", download),
        web.get("/api/support/canned", canned),
    ]
