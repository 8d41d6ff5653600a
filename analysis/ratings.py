"""Shoppers' ratings, 1 to 5 with an optional comment, asked for after a support chat closes.

The support desk keeps them in its rating store (stores.interface.RatingStore, one rating per
handoff, in the turn log's database). The miners read them through a `RatingSource`: anything with
`ratings(since, until)` returning Rating rows; `StoreRatings` adapts the store, so another source
(a store on PostgreSQL, a test's list) is one more small class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from stores.interface import RatingStore


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    ts: float
    score: int  # 1 (poor) to 5 (excellent)
    comment: str = ""


class RatingSource(Protocol):
    def ratings(self, since: float | None, until: float | None) -> Iterable[Rating]: ...


class StoreRatings:
    """The ratings of a RatingStore, as Rating rows."""

    def __init__(self, store: RatingStore) -> None:
        self.store = store

    def ratings(self, since: float | None = None, until: float | None = None) -> list[Rating]:
        return [
            Rating(row["conversation_id"], row["ts"], int(row["score"]), row.get("comment") or "")
            for row in self.store.ratings(since, until)
        ]


NO_RATINGS: tuple[Rating, ...] = ()
