"""Headline figures of a window beside the window before, on a small hand-made log (tiny catalog):
conversations and shoppers, what conversations reached, handoff waits, ratings, the models asked
about and missing, and the figures whose absence blocked matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.headline import SESSION_GAP
from analysis.headline_view import Measure, duration
from analysis.opportunities import AUTO_RULE, auto_min_shoppers, mine
from analysis.ratings import TurnLogRatings, rating_of
from stores.support_queue import SupportQueue
from stores.turnlog import TurnLog

DAY = 86400.0
T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday
WEEK = 7 * DAY


def turn(cid: str, n: int, ts: float, text: str = "hi", **fields) -> dict:
    return {"conversation_id": cid, "message_id": f"{cid}-{n}", "ts": ts, "text": text, **fields}


def recommended(*ids: str) -> list[dict]:
    return [{"id": i, "kind": "recommended", "fit": 0.5} for i in ids]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    """Week 1 (the window before): 2 shoppers. Week 2 (the window): 3 shoppers, 4 conversations."""
    path = tmp_path / "turns.db"
    week2 = T0 + WEEK
    with TurnLog(path) as log:
        log.write_turns(
            [
                # week 1
                turn("old-1", 1, T0 + 3600, needs={"body": ["suv"]}, products=recommended("a-big")),
                turn("old-2", 1, T0 + 7200, "blorp", fallback=True),
                # week 2: s1 comes back after more than the session gap: two conversations
                turn("s1", 1, week2 + 60, "I want an SUV", needs={"body": ["suv"]},
                     products=recommended("a-big", "c-big")),
                turn("s1", 2, week2 + 120, "compare the Big and the Lexus NX", intent="compare",
                     entities=[{"entity": "product", "value": "a-big", "start": 12, "end": 15}],
                     products=[{"id": "a-big", "kind": "compared", "fit": None}]),
                turn("s1", 3, week2 + 180 + SESSION_GAP, "tell me about the Big again",
                     entities=[{"entity": "product", "value": "a-big", "start": 18, "end": 21}]),
                # s2: nothing fits, then a person; rated 4 with a comment
                turn("s2", 1, week2 + 600, "a sedan with 8 seats",
                     needs={"body": ["sedan"], "seats": 8},
                     nothing_fits={"nearest": []}),
                turn("s2", 2, week2 + 660, "can I talk to a person?", handoff=True),
                turn("s2", 3, week2 + 3000, '/rate{"rating": 4}', intent="rate",
                     entities=[{"entity": "rating", "value": 4, "start": 0, "end": 0}]),
                turn("s2", 4, week2 + 3060, "quick and kind", intent="comment"),
                # s3: asks for a fuel economy no figure can prove for c-mid (it has none)
                turn("s3", 1, week2 + 900, "an SUV with 20 mpg, not BrandA, no BrandB",
                     needs={"body": ["suv"], "mpg": 20}, fallback=True,
                     entities=[{"entity": "brand", "value": "BrandB", "start": 0, "end": 1}]),
            ]
        )  # fmt: skip
    with SupportQueue(path) as queue:
        queue.enqueue("s2", {}, now=week2 + 660)
        queue.claim("s2", "Sam", now=week2 + 660 + 90)
        queue.close("s2", "Sam", now=week2 + 660 + 1500)
    return path


@pytest.fixture
def result(log_path: Path, tiny_catalog):
    with TurnLog(log_path) as log, SupportQueue(log_path) as queue:
        return mine(log, tiny_catalog, since=T0 + WEEK, until=T0 + 2 * WEEK, handoffs=queue)


def by_key(result) -> dict[str, Measure]:
    return {m.key: m for m in result.headline.measures()}


def test_conversations_shoppers_and_messages(result) -> None:
    figures = by_key(result)
    assert figures["shoppers"].value == 3
    assert figures["conversations"].value == 4  # s1 came back after the session gap
    assert figures["turns_per_conversation"].value == pytest.approx(8 / 4)
    assert figures["conversations"].previous == 2
    assert figures["conversations"].change == "+2 (+100%)"


def test_what_conversations_reached_and_the_not_understood_rate(result) -> None:
    figures = by_key(result)
    assert figures["reached_recommendation"].value == pytest.approx(1 / 4)
    assert figures["reached_comparison"].value == pytest.approx(1 / 4)
    assert figures["reached_nothing_fits"].value == pytest.approx(1 / 4)
    assert figures["reached_handoff"].value == pytest.approx(1 / 4)
    assert figures["not_understood"].value == pytest.approx(1 / 8)
    assert figures["not_understood"].previous == pytest.approx(1 / 2)
    assert figures["not_understood"].change == "-37.5 pts"
    assert figures["reached_recommendation"].change == "-25.0 pts"  # 1 of 2 before


def test_handoff_wait_resolution_and_satisfaction(result) -> None:
    figures = by_key(result)
    assert figures["handoff_wait"].value == 90 and figures["handoff_wait"].text == "1 min 30 s"
    assert figures["resolution"].value == 1500 and figures["resolution"].text == "25 min"
    assert figures["handoff_wait"].change == "no data then"
    assert figures["satisfaction"].value == 4 and figures["satisfaction"].text == "4.00 / 5"
    assert "1 ratings, 100% gave 4 or 5" in figures["satisfaction"].note


def test_models_brands_and_missing_models(result) -> None:
    lists = {item["key"]: item["rows"] for item in result.headline.lists()}
    assert [(r["name"], r["count"], r["previous"]) for r in lists["models"]] == [
        ("BrandA Big", 1, 0)  # once per conversation, though named in two
    ]
    assert {r["name"]: r["count"] for r in lists["brands"]} == {"BrandA": 1, "BrandB": 1}
    assert [r["name"] for r in lists["missing_models"]] == ["Lexus NX"]


def test_missing_figures_that_blocked_matches(result) -> None:
    lists = {item["key"]: item["rows"] for item in result.headline.lists()}
    # s3 wants an SUV with 20+ mpg: c-mid (an SUV) has no mpg figure, so it might fit
    assert [(r["name"], r["count"], r["detail"]) for r in lists["blocked"]] == [
        ("Fuel economy", 1, "in 1 conversations")
    ]


def test_no_start_no_earlier_window(log_path: Path, tiny_catalog) -> None:
    with TurnLog(log_path) as log:
        result = mine(log, tiny_catalog)
    assert result.headline.previous is None
    assert {m.change for m in result.headline.measures()} == {"no earlier window"}


def test_ratings_are_whole_scores_from_1_to_5() -> None:
    def rated(value):
        return {"conversation_id": "c", "entities": [{"entity": "rating", "value": value}]}

    assert [rating_of(rated(v)) for v in (1, "5", 0, 6, 4.5, "x")] == [1, 5, None, None, None, None]
    ratings = TurnLogRatings()
    ratings.add({**rated(3), "ts": 10.0})
    ratings.add({"conversation_id": "c", "ts": 11.0, "text": "meh", "intent": "comment"})
    assert [(r.score, r.comment) for r in ratings.ratings()] == [(3, "meh")]
    assert ratings.ratings(since=10.5) == []


@pytest.mark.parametrize(
    ("shoppers", "minimum"),
    [(0, 1), (29, 1), (30, 2), (99, 2), (100, 3), (999, 3), (1000, 3), (10_000, 30)],
)
def test_the_minimum_shoppers_adapts_to_the_window(shoppers, minimum) -> None:
    assert auto_min_shoppers(shoppers) == minimum


def test_the_chosen_minimum_is_said(result) -> None:
    assert result.min_shoppers_auto and result.min_shoppers == 1
    assert f"at least 1 shopper (chosen for 3 shoppers: {AUTO_RULE})" in result.min_shoppers_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (200, "3 min 20 s"), (3600, "1 h"), (7500, "2 h 5 min"), (3 * 86400, "3 d")],
)
def test_durations_read_as_people_say_them(seconds, text) -> None:
    assert duration(seconds) == text


def test_changes_read_by_kind() -> None:
    assert Measure("n", "n", "count", 12, 8, True).change == "+4 (+50%)"
    assert Measure("n", "n", "count", 3, 0, True).change == "+3 (none before)"
    assert Measure("s", "s", "share", 0.25, 0.2, True).change == "+5.0 pts"
    assert Measure("d", "d", "duration", 60, 100, True).change == "-40 s"
    assert Measure("r", "r", "rating", 4.5, None, True).change == "no data then"
    assert Measure("r", "r", "rating", 4.5).change == "no earlier window"


def test_models_the_catalog_lacks_are_those_the_bot_recognises(tmp_path: Path, vehicles) -> None:
    """The vehicles catalog keeps a name list (knowledge.other_models): any message counts."""
    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turns(
            [
                turn("a", 1, T0, "what about the Lucid Air?"),
                turn("a", 2, T0 + 60, "is the Lucid Air safe"),  # once per conversation
                turn("b", 1, T0 + 120, "compare the RAV4 and the Polestar 2", intent="compare"),
                turn("c", 1, T0 + 180, '/inform{"model": "Lucid Air"}'),  # a payload
            ]
        )
        result = mine(log, vehicles)
    lists = {item["key"]: item["rows"] for item in result.headline.lists()}
    assert [(r["name"], r["count"]) for r in lists["missing_models"]] == [
        ("Lucid Air", 1),
        ("Polestar 2", 1),
    ]
