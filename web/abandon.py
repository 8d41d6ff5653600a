"""Abandoned handoffs leave the queue (and the web app's other housekeeping).

A waiting handoff whose shopper has sent nothing for the set time ($ADVISOR_ABANDON_AFTER_HOURS,
default 24) ends as `abandoned`: the queue records it, the audit trail says why ("system",
"abandon", how long it was quiet), and the conversation is resumed with a note, so a shopper who
comes back finds the advisor answering and knows what happened. Claimed conversations are left
to the person holding them.

The web app sweeps every SWEEP_SECONDS. Several web app processes may sweep at once: the store
abandons a handoff only while it is waiting, so exactly one of them records and resumes it. Each
sweep also deletes expired staff sessions and lapsed typing signals, so neither table grows
with sessions nobody presents again or conversations nobody types in any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aiohttp import web

from stores.interface import WAITING, StaffStore
from web.rasa_api import RasaError, bot_message
from web.support import AUDIT, LOG, QUEUE, RASA, TYPING

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 15.0
AFTER = web.AppKey("abandon_after_seconds", float)
SWEEPER = web.AppKey("abandon_sweeper", asyncio.Task)
SESSIONS = web.AppKey("staff_sessions", StaffStore)
ABANDONED_NOTE = (
    "Nobody from the support team could join before this chat went quiet, so the request for a "
    "person has been closed. The advisor is back: ask me anything, or ask for a person again at "
    "any time."
)


async def sweep(app: web.Application, now: float | None = None) -> list[str]:
    """Abandon every waiting handoff quiet for longer than the set time; returns their ids."""
    now = time.time() if now is None else now
    after = app[AFTER]
    abandoned = []
    for handoff in await asyncio.to_thread(app[QUEUE].open_handoffs, now):
        cid = handoff["conversation_id"]
        if handoff["status"] != WAITING or now - handoff["created_ts"] < after:
            continue
        last = await asyncio.to_thread(app[LOG].last_turn, cid, "shopper")
        quiet_since = max(handoff["created_ts"], last["ts"] if last else 0.0)
        if now - quiet_since < after:
            continue
        if not await asyncio.to_thread(app[QUEUE].abandon, cid, now):
            continue  # claimed, or abandoned by another process, meanwhile
        detail = {"idle_seconds": round(now - quiet_since), "after_seconds": after}
        await asyncio.to_thread(app[AUDIT].record, "abandon", "system", "system", cid, detail, now)
        abandoned.append(cid)
        try:
            await app[RASA].append(
                cid, [{"event": "resume"}, bot_message(ABANDONED_NOTE, handoff="abandoned")]
            )
        except RasaError as failure:
            # The next session start resumes it anyway (the handoff is no longer open).
            logger.warning("abandoned handoff %s: the bot was not resumed: %s", cid, failure)
    return abandoned


async def tidy(app: web.Application) -> None:
    """Delete expired staff sessions and lapsed typing signals."""
    await asyncio.to_thread(app[SESSIONS].purge_sessions)
    await asyncio.to_thread(app[TYPING].purge)


async def keep_sweeping(app: web.Application) -> None:
    while True:
        try:
            done = await sweep(app)
            if done:
                logger.info("abandoned %d quiet handoff(s): %s", len(done), ", ".join(done))
            await tidy(app)
        except Exception:  # noqa: BLE001 - one failed sweep must not end the next ones
            logger.exception("sweeping abandoned handoffs failed")
        await asyncio.sleep(SWEEP_SECONDS)


async def start(app: web.Application) -> None:
    app[SWEEPER] = asyncio.create_task(keep_sweeping(app))


async def stop(app: web.Application) -> None:
    task = app.get(SWEEPER)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
