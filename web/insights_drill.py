"""The insights drill-down (staff only): an opportunity's conversations, one conversation's transcript,
and tagging a conversation as traffic that is not a real shopper.

GET  /insights/opportunity?kind=unmet&key=...&since=...   the conversations behind one opportunity
GET  /insights/conversation/{id}?data=sample              one transcript, as the turn log holds it
POST /insights/conversation/{id}/traffic  kind=staff      tag it (test, loadtest, staff, shopper)

An opportunity is found again by mining the same window (its kind and key name it), so the list is
exactly the shoppers the report counted. In a transcript, the messages that only answer the bot
(analysis.initiative) are marked, since those are never quoted. Everything shown comes from the
log and is escaped by the templates.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from stores.interface import TRAFFIC
from web import pages
from web.auth import STAFF
from web.insights import (
    INSIGHTS_HEADERS,
    MAX_LISTED,
    SAMPLE,
    Links,
    Window,
    log_exists,
    log_path,
    mine_window,
)

TAGS = (*TRAFFIC, "shopper")


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def summary(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """One line about a conversation for the opportunity's list."""
    shopper = [t for t in turns if t["role"] == "shopper"]
    stated = next((t["text"] for t in shopper if t.get("needs") and t["text"]), "")
    return {
        "last": when(turns[-1]["ts"]) if turns else "",
        "messages": len(shopper),
        "first": stated or (shopper[0]["text"] if shopper else ""),
    }


def transcript(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The turns as the page shows them, each shopper message marked when it only answers the
    bot (never quoted)."""
    from analysis.features import FeatureExtractor
    from analysis.initiative import REASON, Initiative
    from knowledge.loader import get_catalog

    catalog = get_catalog()
    initiative = Initiative(catalog, FeatureExtractor(catalog).has_request)
    rows = []
    for turn in turns:
        reason = initiative.see(turn)
        rows.append(
            {
                "when": when(turn["ts"]),
                "role": turn["role"],
                "text": turn["text"],
                "intent": turn.get("intent") or "",
                "only_answers": REASON[reason] if reason else "",
                "needs": "; ".join(
                    f"{k}: {_text(v)}" for k, v in (turn.get("needs") or {}).items()
                ),
                "responses": [r.get("text", "") for r in turn.get("responses") or ()],
                "products": [
                    f"{p.get('id')} ({p.get('kind')})" for p in turn.get("products") or ()
                ],
                "flags": [f for f in ("fallback", "handoff", "paused") if turn.get(f)],
            }
        )
    return rows


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def routes(guarded) -> list[web.RouteDef]:
    @guarded
    async def opportunity(request: web.Request) -> web.Response:
        window = Window(request.query)
        kind, key = request.query.get("kind", ""), request.query.get("key", "")
        path = log_path(request.app, window)
        if window.errors or not log_exists(path):
            raise web.HTTPBadRequest(text=" ".join(window.errors) or "No such log.")
        result = await asyncio.to_thread(mine_window, path, window)
        found = next((o for o in result.opportunities if (o.kind, o.key) == (kind, key)), None)
        if found is None:
            html = pages.render(
                "insights_missing.html",
                staff=request[STAFF],
                what=f"No opportunity {kind} {key!r} in this window.",
                back="/insights?" + window.query(),
                sample=window.data == SAMPLE,
            )
            return web.Response(
                text=html, status=404, content_type="text/html", headers=INSIGHTS_HEADERS
            )
        from stores.shared import turn_store

        store = turn_store(path)
        listed = found.conversations[:MAX_LISTED]
        summaries = await asyncio.to_thread(
            lambda: [(cid, summary(store.conversation(cid))) for cid in listed]
        )
        html = pages.render(
            "insights_opportunity.html",
            staff=request[STAFF],
            o=found,
            conversations=summaries,
            more=len(found.conversations) - len(listed),
            links=Links(window),
            back="/insights?" + window.query(),
            sample=window.data == SAMPLE,
        )
        return web.Response(text=html, content_type="text/html", headers=INSIGHTS_HEADERS)

    @guarded
    async def conversation(request: web.Request) -> web.Response:
        window = Window(request.query)
        cid = request.match_info["cid"]
        path = log_path(request.app, window)
        from stores.shared import turn_store

        turns = (
            await asyncio.to_thread(turn_store(path).conversation, cid) if log_exists(path) else []
        )
        if not turns:
            html = pages.render(
                "insights_missing.html",
                staff=request[STAFF],
                what=f"No conversation {cid!r} in the {'sample' if window.data else 'turn'} log.",
                back="/insights?" + window.query(),
                sample=window.data == SAMPLE,
            )
            return web.Response(
                text=html, status=404, content_type="text/html", headers=INSIGHTS_HEADERS
            )
        store = turn_store(path)
        html = pages.render(
            "insights_conversation.html",
            staff=request[STAFF],
            cid=cid,
            rows=await asyncio.to_thread(transcript, turns),
            tagged=store.tagged_traffic().get(cid) or "shopper",
            tags=TAGS,
            action=Links(window).traffic(cid),
            back="/insights?" + window.query(),
            sample=window.data == SAMPLE,
        )
        return web.Response(text=html, content_type="text/html", headers=INSIGHTS_HEADERS)

    @guarded
    async def tag(request: web.Request) -> web.Response:
        window = Window(request.query)
        cid = request.match_info["cid"]
        kind = (await request.post()).get("kind", "")
        if kind not in TAGS:
            raise web.HTTPBadRequest(text=f"kind is one of {TAGS}, not {str(kind)[:40]!r}.")
        path = log_path(request.app, window)
        from stores.shared import turn_store

        store = turn_store(path)
        if not log_exists(path) or not store.conversation(cid):
            raise web.HTTPNotFound(text=f"No conversation {cid!r}.")
        store.tag_traffic(cid, None if kind == "shopper" else kind)
        raise web.HTTPSeeOther(Links(window).conversation(cid))

    return [
        web.get("/insights/opportunity", opportunity),
        web.get("/insights/conversation/{cid}", conversation),
        web.post("/insights/conversation/{cid}/traffic", tag),
    ]
