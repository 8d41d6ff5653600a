"""Who may use /support, /insights and /api/support, and who they are.

- **Staff accounts** (`advisor staff add NAME`): a staff member logs in at /login with their name
  and secret and gets a session: an HttpOnly, SameSite=Strict cookie holding a random token, of
  which the store keeps only a hash (stores.interface.StaffStore). A session ends at log-out, after
  two hours without a request or twelve hours after log-in, and when its account is removed or
  its secret reset. What they do is recorded under their account's name.
- **The shared staff token** ($ADVISOR_STAFF_TOKEN) remains for API use, `Authorization: Bearer
  <token>` with the actor's name in `X-Staff-Name` (recorded as via "api token"), and for the
  first start: while no account exists, the login form takes the token as the secret with a
  typed name, so the console can be used before anyone has run `advisor staff add`. Once an
  account exists, those first-start sessions end and the form takes accounts only.

Tokens are compared with hmac.compare_digest; anything missing or wrong gets 401 with a plain
reason; ten wrong secrets or tokens from one address in five minutes get 429. Log-ins and
log-outs go to the audit trail.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from rasa_plugins.input_limits import rate_limiter
from stores import desk_rules
from stores.interface import AuditStore, StaffStore
from web import pages

COOKIE = "advisor_staff"
SESSION_SECONDS = desk_rules.SESSION_SECONDS
FAILURES_ALLOWED = 10
FAILURE_WINDOW = 300.0
NAME_CHARS = desk_rules.NAME_CHARS
STAFF = "advisor.staff"  # request key: the staff member's name
VIA = "advisor.staff_via"  # request key: how they were identified (stores.desk_rules.VIA)
ACCOUNT, FIRST_START, API_TOKEN = "account", "first start", "api token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Unauthorized(Exception):
    """Why a request has no valid staff credentials (shown to the caller as is)."""


def clean_name(raw: str | None) -> str:
    """A display name from a header or form: printable, single spaces, at most NAME_CHARS;
    "staff" when nothing is left."""
    text = re.sub(r"\s+", " ", "".join(c for c in (raw or "") if c.isprintable())).strip()
    try:
        return desk_rules.clean_name(text[:NAME_CHARS])
    except ValueError:
        return "staff"


def token_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


TRUSTED_PROXIES_ENV = "ADVISOR_TRUSTED_PROXIES"


def client_address(request: web.Request) -> str:
    """The client's address: the connection's, or the last X-Forwarded-For hop when the
    connection comes from a proxy named in $ADVISOR_TRUSTED_PROXIES (comma-separated addresses,
    e.g. the balancer's); a header from anyone else is ignored, so it cannot dodge the throttle."""
    remote = request.remote or "?"
    trusted = {a.strip() for a in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if a.strip()}
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in trusted and forwarded:
        return forwarded.split(",")[-1].strip() or remote
    return remote


class Guard:
    """Checks staff credentials, counts wrong secrets per client address, keeps sessions."""

    def __init__(self, token: str, accounts: StaffStore, audit: AuditStore) -> None:
        if not token:
            raise ValueError("the staff token must not be empty")
        self.token = token
        self.accounts = accounts
        self.audit = audit
        self._failures = rate_limiter("staff-login", FAILURES_ALLOWED, FAILURE_WINDOW)

    def _throttle(self, request: web.Request) -> None:
        if self._failures.full(client_address(request)):
            raise web.HTTPTooManyRequests(text="Too many wrong staff secrets: wait a few minutes.")

    def _failed(self, request: web.Request) -> None:
        self._failures.count(client_address(request))

    def check_token(self, request: web.Request, given: str) -> None:
        self._throttle(request)
        if not given:
            raise Unauthorized("A staff token is required.")
        if not token_matches(self.token, given):
            self._failed(request)
            raise Unauthorized("Wrong staff token.")

    async def identify(self, request: web.Request) -> tuple[str, str]:
        """(name, via) of the staff member making `request`; raises Unauthorized."""
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, given = header.partition(" ")
            if scheme.lower() != "bearer":
                raise Unauthorized("Use 'Authorization: Bearer <staff token>'.")
            self.check_token(request, given.strip())
            return clean_name(request.headers.get("X-Staff-Name")), API_TOKEN
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise Unauthorized("Staff only: log in with your name and secret.")
        session = await asyncio.to_thread(self.accounts.session, cookie)
        if session is None:
            raise Unauthorized("Your staff session has ended or expired: log in again.")
        if session["account"] is None:
            if await asyncio.to_thread(self.accounts.has_accounts):
                await asyncio.to_thread(self.accounts.end_session, cookie)
                raise Unauthorized(
                    "Staff accounts exist now: log in with your own name and secret."
                )
            return session["name"], FIRST_START
        return session["account"], ACCOUNT

    async def log_in(self, request: web.Request, name: str, secret: str) -> tuple[str, str, str]:
        """(session token, name, via) for a right name and secret; raises Unauthorized."""
        self._throttle(request)
        account = await asyncio.to_thread(self.accounts.verify, name, secret)
        if account is not None:
            token = await asyncio.to_thread(
                self.accounts.start_session, account["name"], account["name"]
            )
            return token, account["name"], ACCOUNT
        if not await asyncio.to_thread(self.accounts.has_accounts):
            if secret and token_matches(self.token, secret):
                typed = clean_name(name)
                token = await asyncio.to_thread(self.accounts.start_session, typed, None)
                return token, typed, FIRST_START
            self._failed(request)
            raise Unauthorized("Wrong staff token.")
        self._failed(request)
        raise Unauthorized("Wrong name or secret.")


def safe_next(target: str | None) -> str:
    """Only local staff pages are valid redirect targets after login."""
    return target if target in ("/support", "/insights") else "/support"


async def login_page(guard: Guard, reason: str, next_page: str, status: int = 401) -> web.Response:
    first_start = not await asyncio.to_thread(guard.accounts.has_accounts)
    body = pages.render(
        "login.html", reason=reason, next=safe_next(next_page), first_start=first_start
    )
    return web.Response(text=body, status=status, content_type="text/html")


def staff_only(guard: Guard, api: bool = False) -> Callable[[Handler], Handler]:
    """Decorator: 401 (login form for pages, JSON for the API) unless the request is staff."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                request[STAFF], request[VIA] = await guard.identify(request)
            except Unauthorized as error:
                if api:
                    return web.json_response({"error": str(error)}, status=401)
                return await login_page(guard, str(error), request.path)
            return await handler(request)

        return guarded

    return wrap


def routes(guard: Guard) -> list[web.RouteDef]:
    async def show_login(request: web.Request) -> web.Response:
        return await login_page(
            guard, "Log in with your name and secret.", request.query.get("next", ""), 200
        )

    async def log_in(request: web.Request) -> web.StreamResponse:
        try:
            form = await request.post()
        except ValueError:  # not UTF-8, or a multipart body without its boundary
            return await login_page(guard, "The form could not be read: send it again.", "", 400)
        next_page = safe_next(str(form.get("next") or ""))
        name, secret = str(form.get("name") or ""), str(form.get("secret") or "")
        try:
            token, who, via = await guard.log_in(request, name, secret)
        except Unauthorized as error:
            return await login_page(guard, str(error), next_page)
        await asyncio.to_thread(guard.audit.record, "login", who, via)
        response = web.Response(status=303, headers={"Location": next_page})
        response.set_cookie(
            COOKIE,
            token,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            path="/",
        )
        return response

    async def log_out(request: web.Request) -> web.StreamResponse:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            session = await asyncio.to_thread(guard.accounts.session, cookie)
            await asyncio.to_thread(guard.accounts.end_session, cookie)
            if session is not None:
                via = ACCOUNT if session["account"] else FIRST_START
                await asyncio.to_thread(guard.audit.record, "logout", session["name"], via)
        response = web.Response(status=303, headers={"Location": "/login"})
        response.del_cookie(COOKIE, path="/")
        return response

    return [
        web.get("/login", show_login),
        web.post("/login", log_in),
        web.post("/logout", log_out),
    ]
