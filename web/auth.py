"""The staff token guarding /support, /insights and /api/support.

A staff member proves they hold the token either with `Authorization: Bearer <token>` (their name
in `X-Staff-Name`, else "staff") or by logging in through the form at /login, which sets an
HttpOnly, SameSite=Strict cookie. The cookie never holds the token: it holds the name and an expiry,
signed with HMAC-SHA256 keyed by the token, so changing the token logs everyone out. Tokens and
signatures are compared with hmac.compare_digest. Anything missing or wrong gets 401 with a plain
reason; too many wrong tokens from one address in a few minutes get 429.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from rasa_plugins.input_limits import RateLimiter
from web import pages

COOKIE = "advisor_staff"
SESSION_SECONDS = 12 * 3600
FAILURES_ALLOWED = 10
FAILURE_WINDOW = 300.0
NAME_CHARS = 40
STAFF = "advisor.staff"  # request key for the logged-in staff name

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Unauthorized(Exception):
    """Why a request has no valid staff credentials (shown to the caller as is)."""


def clean_name(raw: str | None) -> str:
    """A display name: printable, single spaces, at most NAME_CHARS; "staff" when empty."""
    name = re.sub(r"\s+", " ", "".join(c for c in (raw or "") if c.isprintable())).strip()
    return name[:NAME_CHARS] or "staff"


def _sign(token: str, payload: str) -> str:
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_cookie(token: str, name: str, now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + SESSION_SECONDS)
    encoded = base64.urlsafe_b64encode(clean_name(name).encode()).decode()
    payload = f"v1.{expires}.{encoded}"
    return f"{payload}.{_sign(token, payload)}"


def read_cookie(token: str, value: str, now: float | None = None) -> str:
    """The staff name in a valid session cookie; raises Unauthorized otherwise."""
    try:
        version, expires, encoded, signature = value.split(".")
        payload = f"{version}.{expires}.{encoded}"
        valid = version == "v1" and hmac.compare_digest(signature, _sign(token, payload))
        if valid and int(expires) < (time.time() if now is None else now):
            raise Unauthorized("Your staff session has expired: log in again.")
        if not valid:
            raise ValueError
        return clean_name(base64.urlsafe_b64decode(encoded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as error:
        raise Unauthorized("Your staff session is not valid: log in again.") from error


def token_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


class Guard:
    """Checks staff credentials and counts wrong tokens per client address."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the staff token must not be empty")
        self.token = token
        self._failures = RateLimiter(FAILURES_ALLOWED, FAILURE_WINDOW)

    def check_token(self, request: web.Request, given: str) -> None:
        address = request.remote or "?"
        if self._failures.full(address):
            raise web.HTTPTooManyRequests(text="Too many wrong staff tokens: wait a few minutes.")
        if not given:
            raise Unauthorized("A staff token is required.")
        if not token_matches(self.token, given):
            self._failures.count(address)
            raise Unauthorized("Wrong staff token.")

    def staff_name(self, request: web.Request) -> str:
        """The name of the staff member making `request`; raises Unauthorized."""
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, given = header.partition(" ")
            if scheme.lower() != "bearer":
                raise Unauthorized("Use 'Authorization: Bearer <staff token>'.")
            self.check_token(request, given.strip())
            return clean_name(request.headers.get("X-Staff-Name"))
        cookie = request.cookies.get(COOKIE)
        if cookie:
            return read_cookie(self.token, cookie)
        raise Unauthorized("Staff only: log in with the staff token.")


def safe_next(target: str | None) -> str:
    """Only local staff pages are valid redirect targets after login."""
    return target if target in ("/support", "/insights") else "/support"


def login_page(reason: str, next_page: str, status: int = 401) -> web.Response:
    body = pages.render("login.html", reason=reason, next=safe_next(next_page))
    return web.Response(text=body, status=status, content_type="text/html")


def staff_only(guard: Guard, api: bool = False) -> Callable[[Handler], Handler]:
    """Decorator: 401 (login form for pages, JSON for the API) unless the request is staff."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                request[STAFF] = guard.staff_name(request)
            except Unauthorized as error:
                if api:
                    return web.json_response({"error": str(error)}, status=401)
                return login_page(str(error), request.path)
            return await handler(request)

        return guarded

    return wrap


def routes(guard: Guard) -> list[web.RouteDef]:
    async def show_login(request: web.Request) -> web.Response:
        return login_page("Log in with the staff token.", request.query.get("next", ""), 200)

    async def log_in(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        next_page = safe_next(str(form.get("next") or ""))
        try:
            guard.check_token(request, str(form.get("token") or ""))
        except Unauthorized as error:
            return login_page(str(error), next_page)
        response = web.Response(status=303, headers={"Location": next_page})
        response.set_cookie(
            COOKIE,
            make_cookie(guard.token, str(form.get("name") or "")),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            path="/",
        )
        return response

    async def log_out(request: web.Request) -> web.StreamResponse:
        response = web.Response(status=303, headers={"Location": "/login"})
        response.del_cookie(COOKIE, path="/")
        return response

    return [
        web.get("/login", show_login),
        web.post("/login", log_in),
        web.post("/logout", log_out),
    ]
