"""Simulated shoppers for the load test: each holds one multi-turn conversation over the REST
channel (a greeting, needs, answers to the interview's questions, refinements, comparisons, facts,
the ranking rules, now and then a request for a person), timed turn by turn.

After a handoff the conversation is paused, so the shopper's further messages get no bot reply;
that is expected, not a failure.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

# rasa_plugins/resilient_actions.py's replies when a custom action fails
UNAVAILABLE_MARKERS = ("can't look that up right now", "can't reach the support team right now")
HANDOFF_TEXT = "can I talk to a person?"
REQUEST_TIMEOUT = 300  # seconds per turn; the bound on the whole run is --max-seconds

GREETINGS = ("hi", "hello", "hey there", "good morning", "I'm looking for a new vehicle")
NEEDS = (
    "I want a 7-seat hybrid SUV under 45k",
    "an SUV under $40k",
    "a hybrid sedan under 35k",
    "an electric SUV with 300+ miles of range under 60k",
    "a pickup that can tow 5000 lbs",
    "a minivan under 50k",
    "an AWD SUV under 40k",
    "an electric pickup under $30k",
    "a gas sedan under 30k",
    "a plug-in hybrid SUV",
    "something with at least 7 seats under 50k",
    "an electric car under $45k",
)
REFINEMENTS = (
    "cheaper",
    "something bigger",
    "no Toyotas",
    "what about AWD?",
    "make it electric",
    "under 35k",
)
COMPARISONS = (
    "compare the first two",
    "compare the RAV4 Hybrid and the CR-V Hybrid",
    "Tahoe vs Expedition",
    "compare the Ioniq 5, the EV6 and the Model Y",
    "CRV or rav 4?",
    "compare the Odyssey and the Sienna",
)
FACTS = (
    "any recalls on the ID.4?",
    "what does the RAV4 Hybrid cost to own?",
    "how much is the Ioniq 5?",
    "is there anything better than the Tahoe for me?",
    "what's the range of the Mustang Mach-E?",
    "any known problems with the Model Y?",
    "how many seats does the Telluride have?",
)
OTHERS = ("how do you rank?", "thanks", "ok", "start over")
# The interview's questions (the vehicle catalog's `interview`, asked one at a time after the
# matches) and plausible answers.
ANSWERS = {
    "what kind of vehicle": ("an SUV", "a sedan", "a pickup truck", "a minivan", "no preference"),
    "budget": ("under $30k", "under $45k", "under 60k", "no preference", "about 40 grand"),
    "gas, hybrid": ("gas", "hybrid", "plug-in hybrid", "electric", "no preference"),
    "how many seats": ("at least 5 seats", "7 seats", "at least 8 seats", "no thanks"),
}
MOVES = {"refine": REFINEMENTS, "compare": COMPARISONS, "fact": FACTS, "other": OTHERS}
MOVE_WEIGHTS = {"needs": 2, "refine": 3, "compare": 3, "fact": 3, "other": 1}
HANDOFF_SHARE = 0.1


# -- one simulated shopper ------------------------------------------------------------------------


@dataclass
class Turn:
    """One message a shopper sent and what came back."""

    sender: str
    text: str
    seconds: float = 0.0
    status: int | None = None
    error: str | None = None
    replies: list[dict[str, Any]] = field(default_factory=list)
    handed_off: bool = False  # sent after a handoff: the bot is expected to stay silent

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status != 200

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.replies if r.get("text")]


def is_handoff(turn: Turn) -> bool:
    return any((r.get("custom") or {}).get("type") == "handoff" for r in turn.replies)


def next_message(rng: random.Random, history: list[Turn], stated_needs: bool) -> str:
    """What a shopper says next, given the bot's last reply."""
    last = " ".join(history[-1].texts).lower() if history else ""
    for question, answers in ANSWERS.items():
        if question in last and last.rstrip().endswith("?"):
            return rng.choice(answers)
    if not history:
        return rng.choice(GREETINGS) if rng.random() < 0.7 else rng.choice(NEEDS)
    if not stated_needs:
        return rng.choice(NEEDS)
    moves = list(MOVE_WEIGHTS)
    move = rng.choices(moves, weights=[MOVE_WEIGHTS[m] for m in moves])[0]
    return rng.choice(NEEDS if move == "needs" else MOVES[move])


async def post_turn(session, webhook: str, turn: Turn) -> Turn:
    started = time.perf_counter()
    try:
        body = {"sender": turn.sender, "message": turn.text, "metadata": {"traffic": "loadtest"}}
        async with session.post(webhook, json=body) as r:  # tagged: left out of insights
            turn.status = r.status
            body = await r.read()
            if r.status == 200:
                turn.replies = json.loads(body or b"[]")
            else:
                turn.error = f"HTTP {r.status}: {body[:200]!r}"
    except Exception as error:  # noqa: BLE001 - every failure is counted and reported
        turn.error = f"{type(error).__name__}: {error}"
    turn.seconds = time.perf_counter() - started
    return turn


async def run_shopper(
    session,
    webhook: str,
    sender: str,
    turns: int,
    rng: random.Random,
    deadline: float,
    stop_on_error: bool = False,
    on_turn=None,
) -> list[Turn]:
    """One conversation of `turns` messages (fewer if the deadline passes)."""
    history: list[Turn] = []
    handoff_at = rng.randrange(1, turns) if turns > 1 and rng.random() < HANDOFF_SHARE else None
    handed_off = stated_needs = False
    for index in range(turns):
        if time.monotonic() > deadline:
            break
        if index == handoff_at:
            text = HANDOFF_TEXT
        else:
            text = next_message(rng, history, stated_needs)
        stated_needs = stated_needs or text in NEEDS
        turn = await post_turn(session, webhook, Turn(sender, text, handed_off=handed_off))
        history.append(turn)
        if on_turn is not None:
            on_turn(turn)
        if turn.failed and stop_on_error:
            break
        handed_off = handed_off or is_handoff(turn)
    return history


@dataclass
class LoadResult:
    conversations: dict[str, list[Turn]]
    seconds: float
    planned_turns: int

    @property
    def turns(self) -> list[Turn]:
        return [t for history in self.conversations.values() for t in history]

    @property
    def latencies(self) -> list[float]:
        return sorted(t.seconds for t in self.turns if not t.failed)

    def percentile(self, q: float) -> float:
        ordered = self.latencies
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        answered = len(self.latencies)
        return answered / self.seconds if self.seconds else 0.0


async def drive(
    rasa_url: str,
    shoppers: int,
    turns: int,
    max_seconds: float,
    seed: int = 7,
    prefix: str = "load",
    stop_on_error: bool = False,
    on_turn=None,
) -> LoadResult:
    """`shoppers` concurrent conversations of `turns` messages each over REST."""
    import aiohttp

    webhook = f"{rasa_url}/webhooks/rest/webhook"
    run_id = uuid.uuid4().hex[:6]
    deadline = time.monotonic() + max_seconds
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        senders = [f"{prefix}-{run_id}-{i:04d}" for i in range(shoppers)]
        started = time.perf_counter()
        histories = await asyncio.gather(
            *(
                run_shopper(
                    session,
                    webhook,
                    sender,
                    turns,
                    random.Random(seed * 100003 + i),
                    deadline,
                    stop_on_error,
                    on_turn,
                )
                for i, sender in enumerate(senders)
            )
        )
        seconds = time.perf_counter() - started
    return LoadResult(dict(zip(senders, histories, strict=True)), seconds, shoppers * turns)
