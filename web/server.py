"""The web app: the shopper chat (/), the support console (/support), insights (/insights).

The shopper's browser talks to the Rasa server's socket.io channel directly (its URL is put into the
page); the support console talks to this app, which talks to Rasa's HTTP API with the API token, so
that token never reaches a browser. Staff pages need the staff token (web.auth).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from advisor.settings import shipped_canned_replies
from knowledge.loader import get_catalog
from rasa_plugins.input_limits import RateLimiter
from stores.shared import (
    audit_store,
    handoff_store,
    note_store,
    rating_store,
    staff_store,
    turn_store,
    typing_store,
)
from web import abandon, auth, chat_catch_up, chat_rating, console, insights, pages, support
from web.canned import CannedFile
from web.rasa_api import RasaClient
from web.welcome import chat_page, rules_context

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    rasa_url: str  # Rasa's HTTP API, as this app reaches it
    rasa_token: str
    staff_token: str
    turn_log: Path
    socket_url: str = ""  # Rasa's socket.io, as the shopper's browser reaches it (default rasa_url)
    canned_replies: Path | None = None  # default: the shipped web/canned_replies.yml
    abandon_hours: float = 24.0  # a waiting handoff this quiet leaves the queue
    sample_log: Path | None = None  # advisor simulate's log (default: beside the turn log)
    database: str = ""  # where the stores are (a path or postgresql://...); default: turn_log

    @property
    def stores(self) -> str:
        return self.database or str(self.turn_log)

    @property
    def browser_socket_url(self) -> str:
        return (self.socket_url or self.rasa_url).rstrip("/")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def shopper_csp(socket_url: str) -> str:
    origin = origin_of(socket_url)
    websocket = origin.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {origin} {websocket}; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    )


STAFF_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        if error.status >= 400 and not error.text:
            error.text = error.reason
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", STAFF_CSP)
    if request.path.startswith(("/api/", "/insights")) or request.path in ("/support", "/login"):
        response.headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response
    return response


@web.middleware
async def same_origin_posts(request: web.Request, handler) -> web.StreamResponse:
    """Refuse state-changing requests sent from another site's page (defence in depth next to the
    SameSite=Strict cookie)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            return web.Response(status=403, text="Cross-site request refused.")
    return await handler(request)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[security_headers, same_origin_posts]
    )
    where = settings.stores
    guard = auth.Guard(settings.staff_token, staff_store(where), audit_store(where))
    app[support.QUEUE] = handoff_store(where)
    app[support.LOG] = turn_store(where)
    app[support.AUDIT] = audit_store(where)
    app[support.NOTES] = note_store(where)
    app[support.RATINGS] = rating_store(where)
    app[support.TYPING] = typing_store(where)
    app[support.RASA] = RasaClient(settings.rasa_url, settings.rasa_token)
    app[console.CANNED] = CannedFile(settings.canned_replies or shipped_canned_replies())
    app[abandon.AFTER] = settings.abandon_hours * 3600.0
    app[abandon.SESSIONS] = staff_store(where)
    app[insights.TURN_LOG_PATH] = (
        settings.database if "://" in settings.database else Path(settings.stores)
    )
    app[insights.SAMPLE_LOG_PATH] = Path(
        settings.sample_log or Path(settings.turn_log).with_name("sample-turns.db")
    )
    app[chat_catch_up.RATE] = RateLimiter(chat_catch_up.RATE_LIMIT, 60.0)
    app[chat_rating.RATE] = RateLimiter(chat_rating.RATE_LIMIT, 60.0)

    shop = get_catalog()
    index = chat_page(shop, settings.browser_socket_url)
    index_csp = shopper_csp(settings.browser_socket_url)
    rules = pages.render("rules.html", **rules_context(shop))
    console_page = pages.render("support.html")

    async def shopper_page(request: web.Request) -> web.Response:
        return web.Response(
            text=index, content_type="text/html", headers={"Content-Security-Policy": index_csp}
        )

    async def rules_page(request: web.Request) -> web.Response:
        return web.Response(text=rules, content_type="text/html")

    @auth.staff_only(guard)
    async def support_page(request: web.Request) -> web.Response:
        return web.Response(text=console_page, content_type="text/html")

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def cleanup(app: web.Application) -> None:
        await app[support.RASA].close()  # the stores are the process's, closed at exit

    app.on_startup.append(abandon.start)
    app.on_shutdown.append(abandon.stop)
    app.on_cleanup.append(cleanup)
    app.add_routes(
        [
            web.get("/", shopper_page),
            web.get("/how-we-rank", rules_page),
            web.get("/support", support_page),
            web.get("/healthz", health),
            *auth.routes(guard),
            *support.routes(guard),
            *console.routes(guard),
            *insights.routes(guard),
            *chat_catch_up.routes(),
            *chat_rating.routes(),
            web.static("/static", STATIC, follow_symlinks=False),
        ]
    )
    return app
