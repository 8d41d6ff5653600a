"""The rules every store backend applies the same way: which turn columns exist, what makes a turn
or a handoff acceptable, what is redacted before it is written, and how waits are measured.

They live apart from the SQLite code so that a second backend refuses, redacts and measures
exactly as the first does; a backend only decides how values are stored (JSON text, 0/1 flags).
Bad input is refused with a ValueError naming what is wrong, before anything is written.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from stores.interface import CLAIMED, CLOSED, RETURNED, ROLES, TRAFFIC, Handoff
from stores.redact import redact, redact_value

COLUMNS = (
    "id conversation_id message_id turn role ts updated_ts channel text intent confidence"
    " entities needs responses products nothing_fits fallback handoff paused"
).split()
KEY = ("conversation_id", "message_id")
WRITABLE = frozenset(COLUMNS) - {"id"}
CHANGEABLE = WRITABLE - set(KEY)  # what update_turn and extend_turn may set
# JSON columns and the value a new turn gets when the column is not given.
JSON_COLUMNS: dict[str, Any] = {"entities": [], "needs": {}, "responses": [], "products": []}
NULLABLE_JSON_COLUMNS = frozenset({"nothing_fits"})
FLAG_COLUMNS = ("fallback", "handoff", "paused")
LIST_OF_OBJECTS = ("entities", "responses", "products")
APPENDABLE = ("responses", "products")

TYPICAL_WAIT_SAMPLE = 50  # the latest claims that make up the typical wait
TYPICAL_WAIT_DAYS = 14


def check_turn(turn: Any, position: int | None = None) -> None:
    """Raise ValueError unless `turn` is a writable turn: known columns, both keys, a known role."""
    where = f"turn {position} of the batch: " if position is not None else ""
    if not isinstance(turn, Mapping):
        raise ValueError(f"{where}a turn is a dict of turn log columns, not {type(turn).__name__}")
    unknown = set(turn) - WRITABLE
    if unknown:
        raise ValueError(f"{where}unknown turn log columns: {sorted(unknown)}")
    for key in KEY:
        if not turn.get(key) or not isinstance(turn[key], str):
            raise ValueError(f"{where}a turn needs a {key} (a non-empty string)")
    if turn.get("role", "shopper") not in ROLES:
        raise ValueError(f"{where}role must be one of {ROLES}, got {turn['role']!r}")
    check_values(turn, where)


def check_fields(
    fields: Mapping[str, Any], appended: Mapping[str, list[Any]] | None = None
) -> None:
    """Raise ValueError unless update_turn / extend_turn may set these `fields` and append to
    the columns of `appended`."""
    unknown = set(fields) - CHANGEABLE
    if unknown:
        raise ValueError(f"unknown turn log columns: {sorted(unknown)}")
    not_lists = set(appended or {}) - set(APPENDABLE)
    if not_lists:
        raise ValueError(f"only {APPENDABLE} can be appended to, not {sorted(not_lists)}")
    if fields.get("role", "shopper") not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {fields['role']!r}")
    check_values({**fields, **(appended or {})})


def check_values(values: Mapping[str, Any], where: str = "") -> None:
    """Lists of objects must be lists of dicts: redaction looks inside them."""
    for column in LIST_OF_OBJECTS:
        items = values.get(column)
        if items is None:
            continue
        if not isinstance(items, list | tuple) or not all(isinstance(i, Mapping) for i in items):
            raise ValueError(f"{where}{column} must be a list of objects, got {items!r:.80}")


def redacted(column: str, value: Any) -> Any:
    """`value` as it may be stored in `column`: personal data in text, entity values and
    response texts replaced by placeholders (stores.redact)."""
    if column == "text":
        return redact(value or "")
    if column == "entities":
        return [{**e, "value": redact_value(e.get("value"))} for e in value or []]
    if column == "responses":
        return [{**r, "text": redact(r.get("text") or "")} for r in value or []]
    return value


def new_turn(now: float) -> dict[str, Any]:
    """The values of a new turn's columns that the writer did not give (turn number aside)."""
    return {
        **{column: None for column in WRITABLE},
        **{
            column: list(v) if isinstance(v, list) else dict(v)
            for column, v in JSON_COLUMNS.items()
        },
        **{column: False for column in FLAG_COLUMNS},
        "ts": now,
        "updated_ts": now,
        "role": "shopper",
        "text": "",
    }


def check_traffic(traffic: Any) -> None:
    if traffic is not None and traffic not in TRAFFIC:
        raise ValueError(f"traffic is one of {TRAFFIC} (or None for a shopper), not {traffic!r}")


def check_conversation_id(conversation_id: Any) -> None:
    if not conversation_id or not isinstance(conversation_id, str):
        raise ValueError("a handoff needs a conversation_id (a non-empty string)")


def check_summary(summary: Any) -> None:
    if not isinstance(summary, Mapping):
        raise ValueError(f"a handoff summary is a dict, not {type(summary).__name__}")


def check_staff(staff: Any) -> None:
    if not staff or not isinstance(staff, str):
        raise ValueError("a claim needs the staff member's name")


def check_end(status: str) -> None:
    if status not in (RETURNED, CLOSED):
        raise ValueError(f"a handoff ends as {RETURNED!r} or {CLOSED!r}, not {status!r}")


def with_waits(handoffs: list[Handoff], now: float) -> list[Handoff]:
    """Add `wait_seconds` to open handoffs: until claimed, or until now while waiting."""
    for handoff in handoffs:
        until = handoff["claimed_ts"] if handoff["status"] == CLAIMED else now
        handoff["wait_seconds"] = max(0.0, (until or now) - handoff["created_ts"])
    return handoffs


def median_wait(waits: Iterable[float]) -> float | None:
    waits = [max(0.0, w) for w in waits]
    return statistics.median(waits) if waits else None
