"""Typing signals still meet when the shopper's socket and the agent's request land on different
Rasa servers: two servers with the chat channels of bot/credentials.yml, joined through a real
Redis ($ADVISOR_SOCKET_REDIS_URL, python-socketio's AsyncRedisManager), one typing store.

A staff signal posted to server B reaches the shopper's socket on server A, and only that
conversation's; the shopper's signal on A lands in the store that the web app reads, whichever
server took it. Nothing on this path is a message: the servers have no model, so anything that
reached the bot would fail."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import socketio

from advisor.settings import project_dir
from ops.stack import free_port, rasa_env
from stores.shared import typing_store

pytestmark = pytest.mark.e2e

TOKEN = "api-token-for-the-typing-test"
MINE = "c" * 32
OTHER = "d" * 32


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} after {timeout:.0f} s")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Redis and two channel servers joined through it; yields (url A, url B, typing db)."""
    redis = shutil.which("redis-server")
    if redis is None:
        pytest.fail("redis-server is missing: apt-get install redis-server")
    folder = tmp_path_factory.mktemp("two-servers")
    redis_port = free_port()
    processes = [
        subprocess.Popen(
            [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    env = rasa_env(
        {
            "ADVISOR_SOCKET_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "ADVISOR_API_TOKEN": TOKEN,
            "ADVISOR_TURN_LOG": str(folder / "turns.db"),
        }
    )
    ports = [free_port(), free_port()]
    try:
        for port in ports:
            log = open(folder / f"server-{port}.log", "wb")  # noqa: SIM115
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.e2e.channel_server", "--port", str(port)],
                    cwd=project_dir(),
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        wait_until(lambda: all(answers(url + "/webhooks/socketio/") for url in urls), 120, "not up")
        yield urls[0], urls[1], folder / "turns.db"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def post_typing(url: str, conversation: str, typing: bool, token: str = TOKEN) -> int:
    request = urllib.request.Request(
        url + "/webhooks/socketio/typing",
        data=json.dumps(
            {"conversation_id": conversation, "name": "Dana", "typing": typing}
        ).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def shopper_on(url: str, conversation: str) -> tuple[socketio.AsyncClient, list]:
    """A shopper's socket on `url`, joined to `conversation`, recording the typing it is shown."""
    client = socketio.AsyncClient()
    shown: list = []
    joined = asyncio.Event()
    client.on("typing", lambda data: shown.append(data))
    client.on("session_confirm", lambda _: joined.set())
    # long-polling: this python-engineio client needs a newer aiohttp for its websockets
    await client.connect(url, transports=["polling"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": conversation})
    await asyncio.wait_for(joined.wait(), 10)
    return client, shown


def run_apart(scenario) -> object:
    """Run the coroutine `scenario()` on an event loop of its own, in a thread: the browser tests
    of the same session keep Playwright's loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


async def until(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


def test_staff_typing_on_one_server_reaches_the_shopper_on_another(servers):
    server_a, server_b, _ = servers

    async def scenario():
        mine, shown = await shopper_on(server_a, MINE)
        other, elsewhere = await shopper_on(server_a, OTHER)
        try:
            assert post_typing(server_b, MINE, True, token="wrong") == 401
            started = time.monotonic()
            assert await asyncio.to_thread(post_typing, server_b, MINE, True) == 200
            assert await until(lambda: shown, 10), "server B's signal never reached server A"
            latency = time.monotonic() - started
            assert shown == [{"role": "staff", "name": "Dana", "typing": True}]
            assert await asyncio.to_thread(post_typing, server_b, MINE, False) == 200
            assert await until(lambda: len(shown) == 2, 10)
            assert shown[1]["typing"] is False
            await asyncio.sleep(0.5)
            assert elsewhere == [], "another conversation sees nothing"
            return latency
        finally:
            await mine.disconnect()
            await other.disconnect()

    latency = run_apart(scenario)
    print(f"staff typing from server B to a socket on server A: {latency * 1000:.0f} ms")


def test_the_shoppers_typing_on_either_server_reaches_the_one_store(servers, monkeypatch):
    server_a, server_b, db = servers

    async def scenario():
        for url in (server_a, server_b):
            client, _ = await shopper_on(url, MINE)
            try:
                await client.emit("typing", {"typing": True})
                assert await until(lambda: typing_store(db).typing(MINE), 10), url
                await client.emit("typing", {"typing": False})
                assert await until(lambda: not typing_store(db).typing(MINE), 10), url
            finally:
                await client.disconnect()

    run_apart(scenario)
    assert not Path(db).with_name("trackers.db").exists(), "no conversation was started"
