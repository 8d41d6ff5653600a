"""Several Rasa servers behind HAProxy on one PostgreSQL and one Redis (`advisor run
--rasa-servers 2`): any server takes any turn, two turns of one conversation never run at once,
a dead server costs nothing committed, a staff reply reaches a socket held by another server, a
load test loses and doubles nothing, and the run behaves as a service.

The tests share one running stack (tests/scale/conftest.py) and run in this file's order: the
last ones kill a server and then stop the whole run."""

from __future__ import annotations

import asyncio
import concurrent.futures
import signal
import subprocess
import time
import uuid

import pytest
import socketio
from click.testing import CliRunner

from ops.loadtest import loadtest
from stores.shared import open_handoff_store, open_turn_store
from tests.scale.conftest import Scaled, answers, wait_until
from tests.services import port_open

pytestmark = pytest.mark.e2e

TURNS = ["hi", "I need a car with 7 seats", "my budget is 45000 dollars", "which is the cheapest?"]


def new_sender(kind: str) -> str:
    return f"scale-{kind}-{uuid.uuid4().hex[:8]}"


def user_texts(scaled: Scaled, sender: str) -> list[str]:
    tracker = scaled.api("GET", f"/conversations/{sender}/tracker")
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def logged(scaled: Scaled, sender: str) -> list[dict]:
    with open_turn_store(scaled.database) as log:
        return [t for t in log.conversation(sender) if t["role"] == "shopper"]


def test_the_turns_of_one_conversation_alternate_between_servers_and_stay_complete(scaled):
    sender = new_sender("alternate")
    servers = []
    for text in TURNS:
        server, replies = scaled.say(sender, text)
        assert replies, f"no reply to {text!r}"
        servers.append(server)
    assert set(servers) == {"rasa1", "rasa2"}
    assert all(a != b for a, b in zip(servers, servers[1:], strict=False)), servers
    assert user_texts(scaled, sender) == TURNS
    rows = logged(scaled, sender)
    assert [r["text"] for r in rows] == TURNS
    assert [r["turn"] for r in rows] == [1, 2, 3, 4]
    assert rows[-1]["needs"].get("seats") == 7 and rows[-1]["needs"].get("budget") == 45000


def test_two_messages_at_once_on_two_servers_run_one_after_the_other(scaled):
    sender = new_sender("lock")
    scaled.say(sender, "hi")
    texts = {"rasa1": "I need a car with 7 seats", "rasa2": "my budget is 45000 dollars"}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        answered = dict(
            pool.map(
                lambda item: (item[0], scaled.say(sender, item[1], scaled.server_url(item[0]))),
                texts.items(),
            )
        )
    assert all(replies for _, replies in answered.values())
    tracker = scaled.api("GET", f"/conversations/{sender}/tracker")
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert sorted(e["text"] for e in users[1:]) == sorted(texts.values())
    # One after the other: the later message arrives only after the earlier one was answered.
    kinds = [e["event"] for e in tracker["events"]]
    starts = [i for i, kind in enumerate(kinds) if kind == "user"]
    assert "bot" in kinds[starts[1] : starts[2]], kinds
    rows = logged(scaled, sender)
    assert len(rows) == 3 and len({r["message_id"] for r in rows}) == 3
    assert rows[-1]["needs"].get("seats") == 7 and rows[-1]["needs"].get("budget") == 45000


def run_apart(scenario) -> object:
    """The coroutine on an event loop of its own, in a thread (as tests/e2e do)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


async def until(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


def test_a_staff_reply_through_one_server_reaches_the_shopper_socket_on_another(scaled):
    sender = uuid.uuid4().hex
    reply = f"Hello, this is Dana from support ({uuid.uuid4().hex[:6]})."

    async def scenario():
        client = socketio.AsyncClient()
        shown: list = []
        joined = asyncio.Event()
        client.on("bot_uttered", lambda data: shown.append(data))
        client.on("session_confirm", lambda _: joined.set())
        await client.connect(
            scaled.server_url("rasa1"), transports=["polling"], socketio_path="/socket.io"
        )
        try:
            await client.emit("session_request", {"session_id": sender})
            await asyncio.wait_for(joined.wait(), 10)
            await client.emit("user_uttered", {"message": "I want to talk to a person"})
            assert await until(lambda: shown, 60), "the bot never answered on server 1"
            with open_handoff_store(scaled.database) as queue:
                assert await until(lambda: queue.current(sender) is not None, 30)
            event = {
                "event": "bot",
                "text": reply,
                "metadata": {"staff": True, "staff_name": "Dana", "message_id": "staff-1"},
            }
            await asyncio.to_thread(
                scaled.api,
                "POST",
                f"/conversations/{sender}/tracker/events"
                "?execute_side_effects=true&output_channel=socketio",
                [event],
                scaled.server_url("rasa2"),
            )
            assert await until(lambda: any(m.get("text") == reply for m in shown), 15), shown
        finally:
            await client.disconnect()

    run_apart(scenario)
    with open_turn_store(scaled.database) as log:
        staff = [t for t in log.conversation(sender) if t["role"] == "staff"]
    assert [t["text"] for t in staff] == [reply]


def test_a_load_test_on_two_servers_loses_and_doubles_nothing(scaled):
    result = CliRunner().invoke(
        loadtest,
        [
            "--url", scaled.rasa_url, "--db", scaled.database, "--token", scaled.token,
            "--shoppers", "40", "--turns-per-shopper", "4", "--max-seconds", "600",
        ],
    )  # fmt: skip
    print(result.output)
    assert result.exit_code == 0, result.output
    assert "failed: 0" in result.output and "OK:" in result.output


def test_a_killed_server_is_routed_around_and_nothing_committed_is_lost(scaled):
    sender = new_sender("sigkill")
    for text in TURNS[:2]:
        scaled.say(sender, text)
    victim = scaled.pid_on_port(scaled.servers["rasa2"])
    subprocess.run(["kill", "-KILL", str(victim)], check=True)
    # The next turns are those sent once it is dead: its port refuses connections.
    wait_until(lambda: not port_open("127.0.0.1", scaled.servers["rasa2"]), 10, "still open")
    servers = []
    for text in TURNS[2:] + ["thanks"]:
        server, replies = scaled.say(sender, text)
        assert replies, f"no reply to {text!r} after the kill"
        servers.append(server)
    assert set(servers) == {"rasa1"}
    rows = logged(scaled, sender)
    assert [r["text"] for r in rows] == TURNS + ["thanks"]
    assert rows[-1]["needs"].get("seats") == 7 and rows[-1]["needs"].get("budget") == 45000
    assert user_texts(scaled, sender) == TURNS + ["thanks"]
    # `advisor run` starts the dead server again, and HAProxy takes it back.
    wait_until(
        lambda: any("rasa server 2 stopped" in line for line in scaled.output), 30, "no restart"
    )
    wait_until(lambda: answers(scaled.server_url("rasa2") + "/"), 300, "rasa2 not back")


def listening(pids: set[int]) -> list[tuple[str, int]]:
    """(local address, pid) of every listening TCP socket of `pids`."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        cells = line.split()
        for pid in pids:
            if f"pid={pid}," in line:
                found.append((cells[3], pid))
    return found


def test_nothing_listens_beyond_loopback_and_no_secret_is_on_a_command_line(scaled):
    pids = set(scaled.descendants())
    assert len(pids) >= 1 + 2 + 2 + 1  # balancer, Rasa servers, action servers, web app
    sockets = listening(pids)
    assert sockets, "no listening socket found"
    assert [s for s in sockets if not s[0].startswith(("127.0.0.1:", "[::1]:"))] == []
    for pid in pids | {scaled.run.pid}:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().decode(errors="replace")
        assert scaled.token not in argv and scaled.staff_token not in argv
        with open(f"/proc/{pid}/comm") as comm:
            if comm.read().strip() == "haproxy":  # it needs no secret, and gets none
                with open(f"/proc/{pid}/environ", "rb") as environ:
                    held = environ.read().decode(errors="replace")
                assert scaled.token not in held and "ADVISOR_" not in held


def test_sigterm_stops_every_process_and_frees_every_port(scaled):
    pids = set(scaled.descendants())
    ports = {int(address.rsplit(":", 1)[1]) for address, _ in listening(pids)}
    scaled.run.send_signal(signal.SIGTERM)
    scaled.run.wait(timeout=90)

    def gone(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/status") as status:
                return "State:\tZ" in status.read()
        except FileNotFoundError:
            return True

    wait_until(lambda: all(gone(pid) for pid in pids), 30, "processes left running")
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    still = {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines()} & ports
    assert still == set()
