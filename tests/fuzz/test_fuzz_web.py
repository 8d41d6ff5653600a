"""Hostile requests to the web app: any method, path, conversation id, query, body and headers,
with and without the staff token. Every answer is a deliberate one (2xx, 3xx or 4xx, or 502 when
the Rasa server cannot be reached); never a 500, never an unhandled exception.

The app runs in-process on a real SQLite turn log and support queue; its Rasa server is an address
where nothing listens, so every call to Rasa fails the way it does when Rasa is down."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.parse
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import event, given
from hypothesis import strategies as st

from stores.support_queue import SupportQueue
from tests.fuzz.strategies import fuzz, yaml_values
from web.server import Settings, create_app

STAFF_TOKEN = "fuzz-staff-token"
QUEUED = "queued-shopper"
QUEUED_WIDGET = "0123456789abcdef0123456789abcdef"  # an id of the shape the chat widget makes
ALLOWED = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 502}
PATHS = (
    "/",
    "/healthz",
    "/support",
    "/insights",
    "/insights.csv",
    "/insights/opportunity",
    "/insights/conversation/{id}",
    "/insights/conversation/{id}/traffic",
    "/login",
    "/logout",
    "/static/chat.js",
    "/static/{id}",
    "/api/support/me",
    "/api/support/queue",
    "/api/support/conversations/{id}",
    "/api/support/conversations/{id}/claim",
    "/api/support/conversations/{id}/reply",
    "/api/support/conversations/{id}/hand-back",
    "/api/support/conversations/{id}/close",
    "/api/support/conversations/{id}/notes",
    "/api/support/conversations/{id}/typing",
    "/api/support/conversations/{id}/transcript.txt",
    "/api/support/canned",
    "/api/chat/{id}/pushed",
    "/api/chat/{id}/rating",
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def call(tmp_path_factory) -> Iterator:
    """call(method, path, **request options) -> (status, body) against the running app."""
    yield from running_app(tmp_path_factory)


@pytest.fixture(scope="module")
def fresh_call(tmp_path_factory) -> Iterator:
    """Like `call`, on an app that has seen no wrong token (too many lock the address out)."""
    yield from running_app(tmp_path_factory)


def running_app(tmp_path_factory) -> Iterator:
    folder = tmp_path_factory.mktemp("fuzz-web")
    with SupportQueue(folder / "turns.db") as queue:
        queue.enqueue(QUEUED, {"needs": "hybrid", "last_messages": [{"text": "help"}]})
        queue.enqueue(QUEUED_WIDGET, {"needs": "suv"})
    settings = Settings(
        rasa_url=f"http://127.0.0.1:{closed_port()}",
        rasa_token="fuzz-rasa-token",
        staff_token=STAFF_TOKEN,
        turn_log=folder / "turns.db",
    )
    loop = asyncio.new_event_loop()
    client = TestClient(TestServer(create_app(settings)), loop=loop)
    loop.run_until_complete(client.start_server())

    async def request(method: str, path: str, **options) -> tuple[int, bytes]:
        async with client.request(method, path, allow_redirects=False, **options) as response:
            return response.status, await response.read()

    try:
        yield lambda method, path, **options: loop.run_until_complete(
            request(method, path, **options)
        )
    finally:
        loop.run_until_complete(client.close())
        loop.close()


ids = st.sampled_from([QUEUED, QUEUED_WIDGET, "nobody"]) | st.text(min_size=1, max_size=80)
queries = st.dictionaries(
    st.sampled_from(["since", "until", "min_shoppers", "next", "token", "x"]),
    st.text(max_size=30),
    max_size=4,
)
bodies = (
    st.none()
    | st.binary(max_size=300)
    | yaml_values.map(lambda v: json.dumps(v, default=str).encode())
    | st.fixed_dictionaries({"text": st.text(max_size=2100)}).map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries({"score": yaml_values, "comment": yaml_values}).map(
        lambda v: json.dumps(v, default=str).encode()
    )
    | st.fixed_dictionaries({"typing": yaml_values}).map(
        lambda v: json.dumps(v, default=str).encode()
    )
    | st.dictionaries(st.sampled_from(["secret", "name", "next"]), st.text(max_size=60)).map(
        lambda form: urllib.parse.urlencode(form).encode()
    )
)
credentials = st.sampled_from(
    [
        {},
        {"Authorization": f"Bearer {STAFF_TOKEN}", "X-Staff-Name": "Alex"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {STAFF_TOKEN}", "X-Staff-Name": "\u202e\x00" + "n" * 200},
        {"Cookie": "advisor_staff=v1.99999999999.QWxleA.forged"},
        {"Origin": "http://evil.example", "Authorization": f"Bearer {STAFF_TOKEN}"},
    ]
)
content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)


@fuzz(250)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]),
    template=st.sampled_from(PATHS),
    conversation=ids,
    query=queries,
    body=bodies,
    headers=credentials,
    content_type=content_types,
)
def test_any_request_gets_a_deliberate_answer(
    call, method, template, conversation, query, body, headers, content_type
):
    path = template.replace("{id}", urllib.parse.quote(conversation, safe=""))
    headers = {**headers, "Content-Type": content_type} if body is not None else headers
    status, answer = call(method, path, params=query, data=body, headers=headers)
    event(f"HTTP {status}")  # the spread is shown by --hypothesis-show-statistics
    assert status in ALLOWED, (status, method, path, answer[:300])
    if status >= 400 and method != "HEAD":
        assert answer.strip(), (status, method, path)  # every refusal says why


@pytest.mark.parametrize("size", [70_000, 400_000, 5_000_000])
def test_an_oversized_body_is_refused_and_the_app_goes_on(fresh_call, size):
    # Connection: close, so no request goes out on a connection the app has reset.
    fresh = {"Connection": "close"}
    headers = {
        "Authorization": f"Bearer {STAFF_TOKEN}",
        "Content-Type": "application/json",
        **fresh,
    }
    body = json.dumps({"text": "x" * size}).encode()
    path = f"/api/support/conversations/{QUEUED}/reply"
    try:
        status, _ = fresh_call("POST", path, data=body, headers=headers)
        refused = status == 413
    except aiohttp.ClientOSError:
        # The app answers 413 as soon as the limit is passed and closes the connection; a client
        # still sending the rest of the body may see the reset before the answer.
        refused = True
    assert refused
    assert fresh_call("GET", "/healthz", headers=fresh)[0] == 200
