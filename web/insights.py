"""/insights (staff only): the mining report of analysis.report over a date window, its CSV, and the
drill-down from an opportunity to its conversations and from there to one transcript.

Each request opens the turn log and mines it again, so a refresh shows the latest conversations
without restarting anything. `?data=sample` reads the sample log `advisor simulate` writes (never
the real one) and says so on every page. Bad query input gets the page back with the message
next to the form (status 400) and the whole log shown instead; an empty log gets a note on how to
get data. A transcript page can tag its conversation as test, load-test or staff traffic, which the
page then leaves out unless asked to include it.

The miners (analysis.opportunities.mine), the report's variables (analysis.report.report_context)
and the CSV (analysis.report_text.render_csv) are the mining modules' public functions; the pages
(web/templates/insights*.html) extend the report's template or the insights frame.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

from stores.interface import TRAFFIC
from web import pages
from web.auth import STAFF, Guard, staff_only

if TYPE_CHECKING:
    from analysis.opportunities import MiningResult, Opportunity

TURN_LOG_PATH = web.AppKey("turn_log_path", object)  # a SQLite Path or a postgresql:// URL
SAMPLE_LOG_PATH = web.AppKey("sample_log_path", Path)
MAX_MIN_SHOPPERS = 1000
MAX_LISTED = 200  # conversations listed on an opportunity's page
SAMPLE = "sample"
DAY = timedelta(days=1)


class Window:
    """since/until (inclusive days, UTC), min_shoppers (blank: chosen for the window), the kinds
    of tagged traffic to include, and which log (`data=sample`), from the query string. Anything
    wrong is collected in `errors` and its part falls back to the default."""

    def __init__(self, query: Any) -> None:
        self.errors: list[str] = []
        self.typed = {k: query.get(k, "") for k in ("since", "until", "min_shoppers")}
        self.since = self._day(query.get("since"), "From")
        self.until = self._day(query.get("until"), "To")
        if self.since and self.until and self.until < self.since:
            self.errors.append(
                f"'To' ({self.until}) is before 'From' ({self.since}): showing the whole log."
            )
            self.since = self.until = None
        raw = (query.get("min_shoppers") or "").strip()
        self.min_shoppers: int | None = None
        if raw:
            if raw.isdigit() and 1 <= int(raw) <= MAX_MIN_SHOPPERS:
                self.min_shoppers = int(raw)
            else:
                self.errors.append(
                    f"Min. shoppers must be a whole number from 1 to {MAX_MIN_SHOPPERS} (or blank "
                    f"to choose it for the window), not {raw[:40]!r}."
                )
        self.include = tuple(k for k in TRAFFIC if k in query.getall("include", []))
        unknown = [k for k in query.getall("include", []) if k not in TRAFFIC]
        if unknown:
            self.errors.append(
                f"Unknown kind of traffic {unknown[0][:40]!r}; the kinds: {TRAFFIC}."
            )
        data = query.get("data", "")
        self.data = SAMPLE if data == SAMPLE else ""
        if data not in ("", SAMPLE):
            self.errors.append(f"'data' is '{SAMPLE}' or nothing, not {data[:40]!r}.")

    def _day(self, value: str | None, name: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"'{name}' must be a date like 2026-01-31, not {value[:40]!r}.")
            return None

    def epochs(self) -> tuple[float | None, float | None]:
        since = _start(self.since) if self.since else None
        until = _start(self.until + DAY) if self.until else None
        return since, until

    def params(self, **changes: Any) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.min_shoppers is not None:
            params["min_shoppers"] = str(self.min_shoppers)
        if self.include:
            params["include"] = list(self.include)
        if self.data:
            params["data"] = self.data
        params.update(changes)
        return {k: v for k, v in params.items() if v not in (None, "", [])}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes), doseq=True)

    def label(self) -> str:
        since = self.since.isoformat() if self.since else "start"
        until = self.until.isoformat() if self.until else "now"
        return f"{since}_to_{until}"


def _start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def _day_of(ts: float) -> date:
    return datetime.fromtimestamp(ts, timezone.utc).date()


class Links:
    """The drill-down addresses the report's tables print (analysis/templates/report_tables)."""

    def __init__(self, window: Window) -> None:
        self.window = window

    def opportunity(self, o: Opportunity) -> str:
        return "/insights/opportunity?" + self.window.query(kind=o.kind, key=o.key)

    def conversation(self, conversation_id: str, then: str = "") -> str:
        data = f"?{urlencode({'data': self.window.data})}" if self.window.data else ""
        return f"/insights/conversation/{quote(conversation_id, safe='')}{then}{data}"

    def traffic(self, conversation_id: str) -> str:
        """Where the transcript's tag form posts."""
        return self.conversation(conversation_id, "/traffic")

    def concept(self, change) -> str:
        """The concept test of a need cluster's smallest change (web.insights_concept)."""
        from web.insights_concept import concept_href

        return concept_href(self.window, change)


def log_path(app: web.Application, window: Window) -> Path | str:
    return app[SAMPLE_LOG_PATH] if window.data == SAMPLE else app[TURN_LOG_PATH]


def log_exists(path: Path | str) -> bool:
    """Whether there is a log to read: a SQLite file that exists, or a database server's (the
    PostgreSQL stores make their tables when first opened)."""
    return isinstance(path, str) or path.exists()


def log_range(path: Path | str) -> tuple[float, float] | None:
    """The first and last turn's times of the log, or None when it holds none (or is missing)."""
    from stores.shared import turn_store

    if not log_exists(path):
        return None
    store = turn_store(path)
    latest = store.recent(1)
    first = next(iter(store.iter_turns()), None)
    return (first["ts"], latest[-1]["ts"]) if latest and first else None


def mine_window(path: Path | str, window: Window) -> MiningResult:
    """The MiningResult for the window (blocking: run it in a thread)."""
    from analysis.opportunities import mine
    from analysis.ratings import StoreRatings
    from knowledge.loader import get_catalog
    from stores.shared import handoff_store, rating_store, turn_store

    since, until = window.epochs()
    return mine(
        turn_store(path),
        get_catalog(),
        since,
        until,
        window.min_shoppers,
        include_traffic=frozenset(window.include),
        handoffs=handoff_store(path),
        ratings=StoreRatings(rating_store(path)),
    )


def presets(window: Window, span: tuple[float, float] | None) -> list[dict[str, Any]]:
    """Quick windows ending on the log's last day, each compared with the one before."""
    if span is None:
        return []
    last = _day_of(span[1])
    out = []
    for label, days in (("Last 7 days", 7), ("Last 28 days", 28)):
        since, until = last - timedelta(days=days - 1), last
        query = window.query(since=since.isoformat(), until=until.isoformat())
        active = (window.since, window.until) == (since, until)
        out.append({"label": label, "href": f"/insights?{query}", "active": active})
    everything = urlencode({k: v for k, v in window.params(since="", until="").items()}, doseq=True)
    out.append({"label": "Whole log", "href": f"/insights?{everything}",
                "active": not window.since and not window.until})  # fmt: skip
    return out


def empty_note(window: Window, span, sample_exists: bool) -> str:
    if span is not None:
        if window.since or window.until:
            return (
                f"No conversations in this window; the log holds {_day_of(span[0])} to "
                f"{_day_of(span[1])}. Choose 'Whole log' or another window."
            )
        return ""
    if window.data == SAMPLE:
        return (
            "There is no sample data yet. Make some with `advisor simulate`: it writes simulated "
            "conversations to a log of their own (never the real one), shown here as sample data."
        )
    hint = (
        " Sample data is ready: choose 'Sample data' above."
        if sample_exists
        else " To see what this page shows, make sample data with `advisor simulate` (a log of "
        "its own, never mixed with this one) and choose 'Sample data' above."
    )
    return (
        "No conversations have been logged yet: they appear here as shoppers chat on the site "
        "(every message goes to the turn log)." + hint
    )


def clusters_window(path: Path, window: Window, min_shoppers: int) -> tuple[list, Any]:
    """The need clusters and the top one's concept test (blocking: run it in a thread)."""
    from analysis.concept_view import clusters_and_concepts
    from knowledge.loader import get_catalog
    from stores.shared import turn_store

    since, until = window.epochs()
    return clusters_and_concepts(
        turn_store(path), get_catalog(), since, until, min_shoppers=min_shoppers
    )


def render_page(
    request: web.Request, result: MiningResult, window: Window, span, clusters=None
) -> str:
    """The report of `result` with the window form, presets and notes at the top of its body,
    the need clusters and the concept form."""
    from analysis.report import report_context
    from knowledge.loader import get_catalog
    from web.insights_concept import form_choices

    sample_exists = request.app[SAMPLE_LOG_PATH].exists()
    note = empty_note(window, span, sample_exists) if not result.turns else ""
    found, concepts = clusters if clusters is not None else (None, None)
    return pages.render(
        "insights.html",
        **report_context(result, note=note, links=Links(window), clusters=found, concepts=concepts),
        **form_choices(get_catalog()),
        window=window,
        staff=request[STAFF],
        max_min_shoppers=MAX_MIN_SHOPPERS,
        presets=presets(window, span),
        traffic_kinds=[(k, k in window.include) for k in TRAFFIC],
        sample_exists=sample_exists,
    )


def routes(guard: Guard) -> list[web.RouteDef]:
    from web import insights_concept, insights_drill

    guarded = staff_only(guard)

    @guarded
    async def insights(request: web.Request) -> web.Response:
        window = Window(request.query)
        path = log_path(request.app, window)
        span = await asyncio.to_thread(log_range, path)
        clusters = None
        if log_exists(path):
            result = await asyncio.to_thread(mine_window, path, window)
            if result.turns:
                clusters = await asyncio.to_thread(
                    clusters_window, path, window, result.min_shoppers
                )
        else:  # no sample log yet: nothing to open (opening would make an empty file)
            from analysis.opportunities import MiningResult

            result = MiningResult.empty(sample=window.data == SAMPLE)
        html = render_page(request, result, window, span, clusters)
        status = 400 if window.errors else 200
        return web.Response(
            text=html, status=status, content_type="text/html", headers=INSIGHTS_HEADERS
        )

    @guarded
    async def insights_csv(request: web.Request) -> web.Response:
        window = Window(request.query)
        if window.errors:
            raise web.HTTPBadRequest(text=" ".join(window.errors))
        from analysis.report_text import render_csv

        path = log_path(request.app, window)
        if not log_exists(path):
            raise web.HTTPNotFound(text="No conversations logged yet.")
        result = await asyncio.to_thread(mine_window, path, window)
        return web.Response(
            text=render_csv(result),
            content_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="opportunities_{window.label()}.csv"'
            },
        )

    return [
        web.get("/insights", insights),
        web.get("/insights.csv", insights_csv),
        *insights_drill.routes(guarded),
        *insights_concept.routes(guarded),
    ]


# The report is one self-contained document with inline CSS and SVG; no scripts at all.
INSIGHTS_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
}
