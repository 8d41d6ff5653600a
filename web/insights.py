"""/insights (staff only): the mining report of analysis.report over a date window, and its CSV.

Each request opens the turn log and mines it again, so a refresh shows the latest conversations
without restarting anything. The miners (analysis.opportunities.mine), the report's variables
(analysis.report.report_context) and the CSV (advisor.mining_commands.render_csv) are the mining
module's public functions; the page (web/templates/insights.html) extends the report's template
with the window form and the download link.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

from web import pages
from web.auth import STAFF, Guard, staff_only

if TYPE_CHECKING:
    from analysis.opportunities import MiningResult

TURN_LOG_PATH = web.AppKey("turn_log_path", Path)
MAX_MIN_SHOPPERS = 1000


class Window:
    """since/until (inclusive days, UTC) and min_shoppers from the query string."""

    def __init__(self, query: Any) -> None:
        from analysis.opportunities import DEFAULT_MIN_SHOPPERS

        self.since = self._day(query.get("since"), "since")
        self.until = self._day(query.get("until"), "until")
        if self.since and self.until and self.until < self.since:
            raise web.HTTPBadRequest(text="'until' is before 'since'.")
        raw = query.get("min_shoppers") or str(DEFAULT_MIN_SHOPPERS)
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_MIN_SHOPPERS:
            raise web.HTTPBadRequest(text=f"min_shoppers must be 1 to {MAX_MIN_SHOPPERS}.")
        self.min_shoppers = int(raw)

    @staticmethod
    def _day(value: str | None, name: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise web.HTTPBadRequest(text=f"'{name}' must be a date like 2026-01-31.") from error

    def epochs(self) -> tuple[float | None, float | None]:
        def start(day: date) -> float:
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()

        since = start(self.since) if self.since else None
        until = start(self.until + timedelta(days=1)) if self.until else None
        return since, until

    def query(self) -> str:
        params = {"min_shoppers": str(self.min_shoppers)}
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        return urlencode(params)

    def label(self) -> str:
        since = self.since.isoformat() if self.since else "start"
        until = self.until.isoformat() if self.until else "now"
        return f"{since}_to_{until}"


def mine_window(path: Path, window: Window):
    """The MiningResult for the window (blocking: run it in a thread)."""
    from analysis.opportunities import mine
    from knowledge.loader import get_catalog
    from stores.shared import turn_store

    since, until = window.epochs()
    return mine(turn_store(path), get_catalog(), since, until, window.min_shoppers)


def render_page(result: MiningResult, window: Window, staff: str) -> str:
    """The report of `result` with the window form at the top of its body."""
    from analysis.report import report_context

    return pages.render(
        "insights.html",
        **report_context(result),
        window=window,
        staff=staff,
        max_min_shoppers=MAX_MIN_SHOPPERS,
    )


def routes(guard: Guard) -> list[web.RouteDef]:
    guarded = staff_only(guard)

    @guarded
    async def insights(request: web.Request) -> web.Response:
        window = Window(request.query)
        result = await asyncio.to_thread(mine_window, request.app[TURN_LOG_PATH], window)
        html = render_page(result, window, request[STAFF])
        return web.Response(text=html, content_type="text/html", headers=INSIGHTS_HEADERS)

    @guarded
    async def insights_csv(request: web.Request) -> web.Response:
        window = Window(request.query)
        from advisor.mining_commands import render_csv

        result = await asyncio.to_thread(mine_window, request.app[TURN_LOG_PATH], window)
        return web.Response(
            text=render_csv(result),
            content_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="opportunities_{window.label()}.csv"'
            },
        )

    return [web.get("/insights", insights), web.get("/insights.csv", insights_csv)]


# The report is one self-contained document with inline CSS and SVG; no scripts at all.
INSIGHTS_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
}
