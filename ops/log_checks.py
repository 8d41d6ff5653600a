"""Checks that a conversation's turn log is complete and exact: against Rasa's tracker, against
what the shopper sent and saw, and over a whole load-test run."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ops.simulated_shoppers import REQUEST_TIMEOUT, UNAVAILABLE_MARKERS, LoadResult, Turn
from stores.redact import redact


def words(texts: Iterable[str]) -> list[str]:
    """Texts as one word list: channels split long texts into parts, the log keeps them whole."""
    return " ".join(texts).split()


def compare_with_tracker(rows: list[dict[str, Any]], tracker: dict[str, Any]) -> list[str]:
    """Differences between one conversation's turn-log rows and its tracker (Rasa's HTTP API,
    include_events=ALL); empty when the log is complete and exact.

    Every shopper message once, in order, with its message id, redacted text and intent; turn
    numbers 1..n; the bot's texts as the shopper's turns' responses and the staff's texts as staff
    rows.
    """
    problems: list[str] = []
    events = tracker.get("events") or []
    expected = [e for e in events if e.get("event") == "user"]
    shopper = [r for r in rows if r["role"] == "shopper"]
    staff = [r for r in rows if r["role"] == "staff"]

    def differ(what: str, logged: list, actual: list) -> None:
        if logged != actual:
            problems.append(f"{what}: log {logged!r} != tracker {actual!r}")

    differ("message ids", [r["message_id"] for r in shopper], [e["message_id"] for e in expected])
    differ("texts", [r["text"] for r in shopper], [redact(e.get("text") or "") for e in expected])
    differ(
        "intents",
        [r["intent"] for r in shopper],
        [((e.get("parse_data") or {}).get("intent") or {}).get("name") for e in expected],
    )
    differ("turn numbers", [r["turn"] for r in rows], list(range(1, len(rows) + 1)))
    bot = [e for e in events if e.get("event") == "bot" and e.get("text")]
    staff_texts = [redact(e["text"]) for e in bot if (e.get("metadata") or {}).get("staff")]
    bot_texts = [redact(e["text"]) for e in bot if not (e.get("metadata") or {}).get("staff")]
    differ("staff texts", [r["text"] for r in staff], staff_texts)
    differ(
        "bot texts", [x["text"] for r in shopper for x in r["responses"] if x["text"]], bot_texts
    )
    return problems


def compare_with_client(rows: list[dict[str, Any]], history: list[Turn]) -> list[str]:
    """Differences between one conversation's turn-log rows and what its shopper sent and was
    answered: every answered message exactly once, complete, with the replies the shopper saw.
    Messages that got no answer (in flight when a server died) may be logged or not, but a logged
    one must be complete and must be a message the shopper sent."""
    problems: list[str] = []
    shopper = [r for r in rows if r["role"] == "shopper"]
    sent = [redact(t.text) for t in history]
    for row in shopper:
        if not row["text"] or not row["intent"]:
            problems.append(
                f"incomplete row {row['message_id']}: {row['text']!r} {row['intent']!r}"
            )
    unmatched = list(shopper)
    for turn in history:
        text = redact(turn.text)
        found = next((r for r in unmatched if r["text"] == text), None)
        if found is not None:
            unmatched.remove(found)
        if turn.failed:
            continue
        if found is None:
            problems.append(f"answered message {turn.text!r} missing from the log")
        elif words(x["text"] for x in found["responses"] if x["text"]) != words(
            redact(t) for t in turn.texts
        ):
            problems.append(
                f"responses to {turn.text!r}: log {[x['text'] for x in found['responses']]!r}"
                f" != seen {turn.texts!r}"
            )
    for row in unmatched:
        problems.append(f"logged message {row['text']!r} was never sent (sent: {sent!r})")
    return problems


async def fetch_trackers(
    rasa_url: str, token: str, senders: Iterable[str], parallel: int = 16
) -> dict[str, dict[str, Any]]:
    """Each conversation's tracker with all its events, from Rasa's HTTP API."""
    import aiohttp

    limit = asyncio.Semaphore(parallel)
    query = urllib.parse.urlencode({"token": token, "include_events": "ALL"})

    async def one(session, sender: str) -> tuple[str, dict[str, Any]]:
        async with limit:
            path = urllib.parse.quote(sender, safe="")
            url = f"{rasa_url}/conversations/{path}/tracker?{query}"
            async with session.get(url) as response:
                response.raise_for_status()
                return sender, await response.json()

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return dict(await asyncio.gather(*(one(session, s) for s in senders)))


def check(result: LoadResult, db: Path | str, trackers: dict[str, dict[str, Any]]) -> list[str]:
    """Everything that went wrong in a run; empty when nothing was lost, doubled or unanswered.
    `db` is the turn log's location: a SQLite file or a postgresql:// URL."""
    from stores.shared import open_turn_store

    problems: list[str] = []
    turns = result.turns
    failed = [t for t in turns if t.failed]
    problems += [f"failed request ({t.sender}, {t.text!r}): {t.error}" for t in failed[:20]]
    if len(failed) > 20:
        problems.append(f"... {len(failed) - 20} more failed requests")
    unsent = result.planned_turns - len(turns)
    if unsent:
        problems.append(f"time bound reached: {unsent} planned messages were not sent")
    silent = [t for t in turns if not t.failed and not t.replies and not t.handed_off]
    problems += [f"no reply ({t.sender}, {t.text!r})" for t in silent[:20]]
    degraded = [t for t in turns if any(m in x for x in t.texts for m in UNAVAILABLE_MARKERS)]
    problems += [f"'cannot look that up' reply ({t.sender}, {t.text!r})" for t in degraded[:20]]
    with open_turn_store(db) as log:
        if not log.integrity_ok():
            problems.append(f"{db}: the store's integrity check failed")
        for sender, history in result.conversations.items():
            rows = log.conversation(sender)
            shopper = [r for r in rows if r["role"] == "shopper"]
            sent = [redact(t.text) for t in history]
            if [r["text"] for r in shopper] != sent:
                problems.append(
                    f"{sender}: logged {[r['text'] for r in shopper]!r} != sent {sent!r}"
                )
            if len({r["message_id"] for r in shopper}) != len(shopper):
                problems.append(f"{sender}: a message id is logged twice")
            problems += [f"{sender}: {p}" for p in compare_with_tracker(rows, trackers[sender])]
    return problems
