"""The support desk's case records, on every backend: the audit trail, internal notes, ratings
(one per handoff, summed up for the insights page), typing signals that lapse, and abandoned
handoffs."""

from __future__ import annotations

import pytest

from stores import desk_rules
from stores.casework import SCHEMA_VERSION


def test_the_audit_trail_keeps_who_did_what_in_order(audit):
    audit.record("claim", "Alex", "account", "c1", now=10.0)
    audit.record("reply", "Alex", "account", "c1", {"message_id": "staff-1"}, now=11.0)
    audit.record("login", "Kim", "first start", now=12.0)
    audit.record("close", "Alex", "account", "c1", now=13.0)
    entries = audit.for_conversation("c1")
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("claim", "Alex"),
        ("reply", "Alex"),
        ("close", "Alex"),
    ]
    assert entries[1]["detail"] == {"message_id": "staff-1"}
    assert [e["action"] for e in audit.entries(since=11.0, until=13.0)] == ["login", "reply"]
    assert len(audit.entries(limit=2)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dance", "Alex", "account"), "audit action"),
        (("claim", "Alex", "telepathy"), "'via'"),
        (("claim", "", "account"), "staff name"),
    ],
)
def test_a_bad_audit_entry_is_refused(audit, args, message):
    with pytest.raises(ValueError, match=message):
        audit.record(*args, conversation_id="c1")
    assert audit.for_conversation("c1") == []


def test_notes_are_kept_per_conversation_and_redacted(notes):
    notes.add_note("c1", "Alex", "Wants a call back: jane@example.com", now=5.0)
    notes.add_note("c1", "Kim", "  Offered the Sienna  ", now=6.0)
    notes.add_note("c2", "Kim", "other", now=7.0)
    first, second = notes.notes("c1")
    assert "jane@example.com" not in first["text"] and "[email]" in first["text"]
    assert second == {**second, "author": "Kim", "text": "Offered the Sienna", "ts": 6.0}


@pytest.mark.parametrize("text", ["", "   ", "x" * (desk_rules.NOTE_CHARS + 1), None])
def test_an_empty_or_overlong_note_is_refused(notes, text):
    with pytest.raises(ValueError, match="note"):
        notes.add_note("c1", "Alex", text)
    assert notes.notes("c1") == []


def test_a_handoff_is_rated_once_and_the_first_rating_stays(ratings):
    assert ratings.rate(1, "c1", 4, "Quick and kind", staff="Kim", now=100.0)
    assert not ratings.rate(1, "c1", 1, "changed my mind")
    assert ratings.rating(1)["score"] == 4
    assert ratings.rate(2, "c1", 2, now=200.0), "a later handoff of the same conversation"
    assert [r["score"] for r in ratings.ratings(conversation_id="c1")] == [4, 2]


@pytest.mark.parametrize(
    ("score", "comment"), [(0, ""), (6, ""), (True, ""), ("5", ""), (3, "x" * 501), (3, 7)]
)
def test_a_bad_rating_is_refused(ratings, score, comment):
    with pytest.raises(ValueError):
        ratings.rate(1, "c1", score, comment)
    assert ratings.ratings() == []


def test_the_rating_summary_is_what_the_insights_page_shows(ratings):
    for handoff, (score, staff, comment) in enumerate(
        [(5, "Kim", "Great"), (3, "Kim", ""), (4, "Alex", "ok, call me on 555-123-4567")]
    ):
        ratings.rate(handoff, f"c{handoff}", score, comment, staff=staff, now=100.0 + handoff)
    summary = ratings.summary()
    assert summary["count"] == 3 and summary["average"] == 4.0
    assert summary["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert summary["by_staff"] == [
        {"staff": "Alex", "count": 1, "average": 4.0},
        {"staff": "Kim", "count": 2, "average": 4.0},
    ]
    latest = summary["latest_comments"]
    assert [c["comment"][:2] for c in latest] == ["ok", "Gr"], "newest first, only with text"
    assert "555-123-4567" not in latest[0]["comment"]
    assert ratings.summary(since=101.0)["count"] == 2
    assert ratings.summary(until=100.5)["average"] == 5.0
    assert ratings.summary(since=1000.0) == {**ratings.summary(since=1000.0), "average": None}


def test_typing_lapses_unless_repeated(typing_signals):
    typing_signals.set_typing("c1", "shopper", True, now=100.0)
    typing_signals.set_typing("c1", "staff", True, name="Alex", now=101.0)
    assert typing_signals.typing("c1", now=102.0) == [
        {"role": "shopper", "name": None, "since": 100.0},
        {"role": "staff", "name": "Alex", "since": 101.0},
    ]
    typing_signals.set_typing("c1", "shopper", True, now=104.0)
    assert typing_signals.typing("c1", now=108.0)[0]["since"] == 100.0, "still the same bout"
    assert [t["role"] for t in typing_signals.typing("c1", now=108.0)] == ["shopper"]
    typing_signals.set_typing("c1", "shopper", False, now=109.0)
    assert typing_signals.typing("c1", now=109.5) == []
    with pytest.raises(ValueError, match="typing"):
        typing_signals.set_typing("c1", "advisor", True)


def test_lapsed_typing_signals_are_purged(typing_signals):
    typing_signals.set_typing("c1", "shopper", True, now=100.0)
    typing_signals.set_typing("c2", "shopper", True, now=200.0)
    assert typing_signals.purge(now=150.0) == 1
    assert typing_signals.typing("c2", now=201.0) != []


def test_an_abandoned_handoff_leaves_the_queue_and_is_recorded_as_such(queue):
    queue.enqueue("c1", {}, now=1.0)
    queue.enqueue("c2", {}, now=2.0)
    assert queue.claim("c2", "alex", now=3.0)
    assert queue.abandon("c1", now=90_000.0)
    assert not queue.abandon("c1"), "already abandoned"
    assert not queue.abandon("c2"), "a claimed handoff is someone's"
    assert [h["conversation_id"] for h in queue.open_handoffs()] == ["c2"]
    ended = queue.current("c1")
    assert ended["status"] == "abandoned" and ended["closed_ts"] == 90_000.0
    assert queue.recent()[0]["conversation_id"] == "c1"
    queue.enqueue("c1", {"again": True}, now=90_001.0)
    assert queue.current("c1")["status"] == "waiting", "asking again opens a new handoff"


def test_the_desk_tables_have_their_own_schema_version(audit, notes):
    assert audit.schema_version() == notes.schema_version() == SCHEMA_VERSION == 1
