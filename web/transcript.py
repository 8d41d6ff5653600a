"""One conversation as the support console shows it and as staff download it: every message,
internal note, staff action and rating, in time order.

The turn log holds a shopper's message with the advisor's answers to it; each answer carries its
own time (rasa_plugins.event_broker), so the notes pushed from outside a turn (a person joining,
the hand-back and closing notices) sort where they happened, after the staff's replies, and not
under the shopper message they were filed with. Older rows, whose answers have no time, use their
message's. Staff messages are named from the audit trail (the claim and each reply record the
message id), notes come from the note store, and the staff actions (claim, hand back, close,
abandoned) from the audit trail.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

Entry = dict[str, Any]

ACTION_TEXT = {
    "claim": "{actor} claimed the conversation",
    "hand_back": "{actor} handed the conversation back to the advisor",
    "close": "{actor} closed the conversation",
    "abandon": "Left the queue as abandoned: no message from the shopper for {idle}",
}
VIA_NOTE = {"api token": " (through the API, with the shared staff token)"}


def hours(seconds: float) -> str:
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.0f} h"


def staff_names(audit: list[Entry]) -> dict[str, str]:
    """message id -> the name of the staff member who sent it."""
    return {
        str(entry["detail"]["message_id"]): entry["actor"]
        for entry in audit
        if entry["action"] in ("claim", "reply") and entry["detail"].get("message_id")
    }


def messages(turns: list[Entry], names: dict[str, str]) -> list[Entry]:
    found: list[Entry] = []
    for turn in turns:
        role = turn["role"]
        who = names.get(turn["message_id"]) if role == "staff" else None
        found.append(
            {
                "kind": "message",
                "role": role,
                "who": who,
                "text": turn["text"],
                "ts": turn["ts"],
                "paused": bool(turn["paused"]),
            }
        )
        if role != "shopper":
            continue
        for response in turn["responses"]:
            if response.get("text"):
                found.append(
                    {
                        "kind": "message",
                        "role": "advisor",
                        "who": None,
                        "text": response["text"],
                        "ts": response.get("ts") or turn["ts"],
                        "paused": False,
                    }
                )
    return found


def actions(audit: list[Entry]) -> list[Entry]:
    found = []
    for entry in audit:
        template = ACTION_TEXT.get(entry["action"])
        if template is None:
            continue
        idle = hours(float(entry["detail"].get("idle_seconds") or 0))
        text = template.format(actor=entry["actor"], idle=idle) + VIA_NOTE.get(entry["via"], "")
        found.append(
            {
                "kind": "action",
                "role": "system",
                "who": entry["actor"],
                "text": text,
                "ts": entry["ts"],
                "action": entry["action"],
            }
        )
    return found


def timeline(
    turns: list[Entry], notes: list[Entry], audit: list[Entry], ratings: list[Entry]
) -> list[Entry]:
    """Messages, notes, actions and ratings of one conversation, oldest first (ties keep the
    order in which they were recorded)."""
    entries = messages(turns, staff_names(audit)) + actions(audit)
    entries += [
        {"kind": "note", "role": "note", "who": n["author"], "text": n["text"], "ts": n["ts"]}
        for n in notes
    ]
    for rating in ratings:
        comment = f": “{rating['comment']}”" if rating.get("comment") else ""
        entries.append(
            {
                "kind": "rating",
                "role": "rating",
                "who": rating.get("staff"),
                "text": f"The shopper rated the chat {rating['score']} out of 5{comment}",
                "ts": rating["ts"],
                "score": rating["score"],
            }
        )
    order = {id(entry): position for position, entry in enumerate(entries)}
    return sorted(entries, key=lambda e: (e["ts"] or 0.0, order[id(e)]))


def stamp(ts: float | None) -> str:
    if not ts:
        return "                   "
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


SPEAKER = {"shopper": "shopper", "advisor": "advisor", "note": "internal note", "rating": "rating"}


def as_text(
    conversation_id: str,
    handoff: Entry | None,
    entries: list[Entry],
    downloaded_by: str,
    now: float,
) -> str:
    """The transcript as a plain-text file (times in UTC)."""
    lines = [f"Conversation {conversation_id}", f"Downloaded by {downloaded_by}, {stamp(now)} UTC"]
    if handoff is not None:
        summary = handoff.get("summary") or {}
        holder = f" by {handoff['claimed_by']}" if handoff.get("claimed_by") else ""
        lines.append(
            f"Support: {handoff['status']}{holder}; asked for a person {stamp(handoff['created_ts'])}"
        )
        if summary.get("needs"):
            lines.append(f"Stated needs: {summary['needs']}")
        unanswered = (summary.get("unanswered") or {}).get("text")
        if unanswered:
            lines.append(f"Last unanswered question: {unanswered}")
    lines.append("")
    for entry in entries:
        if entry["kind"] == "action":
            lines.append(f"[{stamp(entry['ts'])}] -- {entry['text']} --")
            continue
        speaker = SPEAKER.get(entry["role"], entry["role"])
        if entry["role"] == "staff":
            speaker = f"staff ({entry['who']})" if entry.get("who") else "staff"
        elif entry["role"] == "note":
            speaker = f"internal note ({entry['who']})"
        text = entry["text"].replace("\n", "\n" + " " * 24)
        paused = " [while paused]" if entry.get("paused") and entry["role"] == "shopper" else ""
        lines.append(f"[{stamp(entry['ts'])}] {speaker}{paused}: {text}")
    return "\n".join(lines) + "\n"
