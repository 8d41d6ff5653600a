"""The rules every support desk store backend applies the same way: what a staff name, a note, a
rating or an audit entry may be, how secrets are hashed and checked, how long a log-in session
lives, and how ratings are summed up.

As with stores.rules, they live apart from the SQLite code so that a second backend refuses,
hashes and measures exactly as the first does. Bad input is refused with a ValueError naming the
field, before anything is written.

Secrets: an account's secret is 144 random bits shown once; only its scrypt hash (random salt,
n=2**14, r=8, p=1) is stored. A session token is 256 random bits; the store keeps its SHA-256
only, so a copy of the database opens no session.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import secrets
import statistics
import time
from collections.abc import Iterable, Mapping
from typing import Any

from stores.redact import redact

NAME_CHARS = 40
NOTE_CHARS = 2000
COMMENT_CHARS = 500
SCORES = range(1, 6)
SESSION_SECONDS = 12 * 3600  # a log-in lasts a working day at most...
IDLE_SECONDS = 2 * 3600  # ...and ends after two hours without a request
TOUCH_SECONDS = 60  # how stale a session's last-seen time may get before it is written again
TYPING_SECONDS = 6.0  # a "typing" signal holds this long unless repeated
TYPING_ROLES = ("shopper", "staff")
AUDIT_ACTIONS = (
    "login", "logout", "claim", "reply", "note", "hand_back", "close", "abandon", "account",
)  # fmt: skip
VIA = ("account", "first start", "api token", "system", "command line")
LATEST_COMMENTS = 10

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_name(raw: Any) -> str:
    """A staff name as shown to shoppers: printable, single spaces, 1 to NAME_CHARS characters.
    Raises ValueError otherwise."""
    if not isinstance(raw, str):
        raise ValueError("a staff name is text")
    name = re.sub(r"\s+", " ", _CONTROL.sub("", raw)).strip()
    if not name:
        raise ValueError("a staff name needs at least one visible character")
    if len(name) > NAME_CHARS:
        raise ValueError(f"a staff name has at most {NAME_CHARS} characters, not {len(name)}")
    return name


def name_key(name: str) -> str:
    """What makes two names the same account ('Alex' and 'alex' are one)."""
    return clean_name(name).casefold()


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **_SCRYPT)
    parts = ["scrypt", str(_SCRYPT["n"]), str(_SCRYPT["r"]), str(_SCRYPT["p"]), _b64(salt)]
    return "$".join([*parts, _b64(digest)])


def secret_matches(secret: str, stored: str) -> bool:
    """Whether `secret` hashes to `stored`; a malformed `stored` matches nothing."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest + "==")
        given = hashlib.scrypt(
            secret.encode(),
            salt=base64.urlsafe_b64decode(salt + "=="),
            dklen=len(expected),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


@functools.lru_cache(maxsize=1)
def unknown_account_hash() -> str:
    """Checked when no account has the name given, so that a wrong name costs as long as a wrong
    secret (made at first use, not at import)."""
    return hash_secret(new_secret())


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def session_key(token: str) -> str:
    """What the store keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_expired(session: Mapping[str, Any], now: float) -> bool:
    return now >= session["expires_ts"] or now - session["last_seen_ts"] >= IDLE_SECONDS


def check_note(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a note needs some text")
    text = text.strip()
    if len(text) > NOTE_CHARS:
        raise ValueError(f"a note has at most {NOTE_CHARS} characters, not {len(text)}")
    return text


def check_rating(score: Any, comment: Any) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise ValueError(f"a rating is a whole number from 1 to 5, not {score!r:.20}")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise ValueError("a rating's comment is text")
    comment = comment.strip()
    if len(comment) > COMMENT_CHARS:
        raise ValueError(f"a comment has at most {COMMENT_CHARS} characters, not {len(comment)}")
    return score, comment


def check_audit(action: Any, via: Any, detail: Any) -> None:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"an audit action is one of {AUDIT_ACTIONS}, not {action!r:.40}")
    if via not in VIA:
        raise ValueError(f"'via' is one of {VIA}, not {via!r:.40}")
    if detail is not None and not isinstance(detail, Mapping):
        raise ValueError(f"an audit detail is a dict, not {type(detail).__name__}")


def audit_row(
    action: Any, actor: str, via: Any, conversation_id: str | None, detail: Any, now: float | None
) -> dict[str, Any]:
    """The audit entry as every backend stores it (detail as JSON text), or ValueError."""
    check_audit(action, via, detail)
    return {
        "ts": time.time() if now is None else now,
        "actor": actor if actor == "system" else clean_name(actor),
        "via": via,
        "action": action,
        "conversation_id": conversation_id,
        "detail": json.dumps(detail or {}, default=str),
    }


def note_row(conversation_id: Any, author: Any, text: Any, now: float | None) -> dict[str, Any]:
    """The note as every backend stores it (its text redacted), or ValueError."""
    if not conversation_id or not isinstance(conversation_id, str):
        raise ValueError("a note needs a conversation_id (a non-empty string)")
    return {
        "conversation_id": conversation_id,
        "author": clean_name(author),
        "text": redact(check_note(text)),
        "ts": time.time() if now is None else now,
    }


def rating_row(
    handoff_id: Any,
    conversation_id: str,
    score: Any,
    comment: Any,
    staff: str | None,
    now: float | None,
) -> dict[str, Any]:
    """The rating as every backend stores it (its comment redacted), or ValueError."""
    score, comment = check_rating(score, comment)
    return {
        "handoff_id": int(handoff_id),
        "conversation_id": conversation_id,
        "score": score,
        "comment": redact(comment),
        "staff": staff,
        "ts": time.time() if now is None else now,
    }


def check_typing_role(role: Any) -> None:
    if role not in TYPING_ROLES:
        raise ValueError(f"who is typing is one of {TYPING_ROLES}, not {role!r:.20}")


def rating_summary(ratings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Count, average and spread of `ratings` (oldest first), per staff member too, with the
    latest comments: what the insights page shows."""
    rows = list(ratings)
    by_staff: dict[str, list[int]] = {}
    for row in rows:
        by_staff.setdefault(row.get("staff") or "", []).append(row["score"])
    comments = [
        {key: row.get(key) for key in ("score", "comment", "staff", "ts", "conversation_id")}
        for row in rows
        if row.get("comment")
    ]
    return {
        "count": len(rows),
        "average": _average(row["score"] for row in rows),
        "distribution": {str(s): sum(1 for row in rows if row["score"] == s) for s in SCORES},
        "by_staff": [
            {"staff": staff, "count": len(scores), "average": _average(scores)}
            for staff, scores in sorted(by_staff.items())
        ],
        "latest_comments": comments[::-1][:LATEST_COMMENTS],
    }


def _average(scores: Iterable[int]) -> float | None:
    scores = list(scores)
    return round(statistics.fmean(scores), 2) if scores else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
