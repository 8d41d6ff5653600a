"""Shopper ratings: 1 to 5 (with an optional comment), asked for after a support conversation closes.

The miners take ratings from a `RatingSource`: anything with `ratings(since, until)` returning
Rating rows. Until the support queue keeps ratings in a store of its own, `TurnLogRatings` reads
them from the turn log as the bot logs a rating: a shopper turn with a `rating` entity holding a
whole number from 1 to 5 (a rating button sends '/rate{"rating": 4}'); the comment is the text of
the shopper's next turn when that turn has the intent `comment`. When a store keeps them, pass it
(or an adapter with the same method) to analysis.opportunities.mine as `ratings=`; nothing else
changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

RATING_ENTITY = "rating"
COMMENT_INTENT = "comment"
SCORES = range(1, 6)


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    ts: float
    score: int  # 1 (poor) to 5 (excellent)
    comment: str = ""


class RatingSource(Protocol):
    def ratings(self, since: float | None, until: float | None) -> Iterable[Rating]: ...


def rating_of(turn: dict[str, Any]) -> int | None:
    """The score a shopper turn gives, if it rates the conversation."""
    if turn.get("role", "shopper") != "shopper":
        return None
    for entity in turn.get("entities") or ():
        if not isinstance(entity, dict) or entity.get("entity") != RATING_ENTITY:
            continue
        value = entity.get("value")
        try:
            score = int(str(value).strip())
        except ValueError:
            continue
        if score in SCORES and str(value).strip() == str(score):
            return score
    return None


class TurnLogRatings:
    """Ratings as the turn log holds them; fed the stream of turns with add()."""

    def __init__(self) -> None:
        self._found: list[Rating] = []
        self._waiting: dict[str, int] = {}  # conversation -> index of its rating awaiting a comment

    def add(self, turn: dict[str, Any]) -> None:
        conversation = turn["conversation_id"]
        score = rating_of(turn)
        if score is not None:
            self._waiting[conversation] = len(self._found)
            self._found.append(Rating(conversation, turn["ts"], score))
            return
        index = self._waiting.pop(conversation, None)
        if index is not None and turn.get("intent") == COMMENT_INTENT and turn.get("text"):
            rated = self._found[index]
            self._found[index] = Rating(rated.conversation_id, rated.ts, rated.score, turn["text"])

    def ratings(self, since: float | None = None, until: float | None = None) -> list[Rating]:
        return [
            r
            for r in self._found
            if (since is None or r.ts >= since) and (until is None or r.ts < until)
        ]
