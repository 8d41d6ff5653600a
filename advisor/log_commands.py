"""`advisor log`: read the turn log (`tail` the latest turns, `show` one conversation) and `tag`
conversations that are not real shoppers (tests, load tests, staff), which insights leave out."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from stores.interface import TRAFFIC
from stores.shared import open_rating_store
from stores.turnlog import PATH_ENV, TurnLog, default_path

FLAGS = ("fallback", "handoff", "paused")


def open_log(db: Path | None) -> TurnLog:
    path = db or default_path()
    if not path.exists():
        raise click.ClickException(
            f"No turn log at {path}. Talk to the advisor first, or pass --db / set {PATH_ENV}."
        )
    return TurnLog(path)


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def compact(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def flags(turn: dict[str, Any]) -> str:
    return " ".join(f"[{name}]" for name in FLAGS if turn.get(name))


def intent_label(turn: dict[str, Any]) -> str:
    if not turn.get("intent"):
        return ""
    confidence = turn.get("confidence")
    return turn["intent"] + (f" ({confidence:.2f})" if confidence is not None else "")


def one_line(turn: dict[str, Any]) -> str:
    """A turn as one line for `tail`."""
    text = " ".join(turn["text"].split())
    parts = [
        when(turn["ts"]),
        turn["conversation_id"],
        f"#{turn['turn']} {turn['role']}",
        intent_label(turn),
        repr(text if len(text) <= 80 else text[:77] + "..."),
        flags(turn),
    ]
    return "  ".join(p for p in parts if p)


def transcript(turn: dict[str, Any]) -> list[str]:
    """A turn as the readable lines of `show`."""
    pad = " " * 11
    speaker = turn["role"] if turn["role"] == "staff" else "shopper"
    lines = [f"[{when(turn['ts'])}] #{turn['turn']} {speaker}: {turn['text']}"]
    if turn.get("intent"):
        lines.append(f"{pad}intent: {intent_label(turn)}")
    if turn["entities"]:
        found = ", ".join(f"{e.get('entity')}={e.get('value')}" for e in turn["entities"])
        lines.append(f"{pad}entities: {found}")
    if turn["needs"]:
        needs = "; ".join(f"{k}={compact(v)}" for k, v in turn["needs"].items())
        lines.append(f"{pad}needs: {needs}")
    for response in turn["responses"]:
        name = f" [{response['response']}]" if response.get("response") else ""
        text = response.get("text", "").replace("\n", "\n" + pad + "  ")
        lines.append(f"{pad}advisor{name}: {text}")
    if turn["products"]:
        shown = ", ".join(
            p["id"]
            + (f" (fit {p['fit']:.2f})" if p.get("fit") is not None else "")
            + f" {p['kind']}"
            for p in turn["products"]
        )
        lines.append(f"{pad}products: {shown}")
    if turn.get("nothing_fits"):
        for near in turn["nothing_fits"].get("nearest", []):
            misses = "; ".join(f.get("text", f.get("need", "?")) for f in near.get("fails", []))
            lines.append(f"{pad}nothing fits; nearest {near.get('id')}: {misses}")
    if flags(turn):
        lines.append(f"{pad}{flags(turn)}")
    return lines


def rating_line(rating: dict[str, Any]) -> str:
    """A shopper's rating of a support chat, as `show` prints it."""
    comment = f" {rating['comment']!r}" if rating.get("comment") else ""
    staff = f" (support chat with {rating['staff']})" if rating.get("staff") else ""
    return f"[{when(rating['ts'])}] rating: {rating['score']}/5{comment}{staff}"


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Turn log database (default ${PATH_ENV} or data/turns.db).",
)


@click.group("log")
def log() -> None:
    """Read the dialog turn log."""


@log.command("tail")
@click.option("-n", "--lines", "count", default=20, show_default=True, help="How many turns.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new turns as they arrive.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between checks (-f).")
@click.option("--polls", type=int, default=None, hidden=True, help="Stop after this many checks.")
@db_option
def tail(count: int, follow: bool, interval: float, polls: int | None, db: Path | None) -> None:
    """Print the latest turns across all conversations, oldest first.

    Example: advisor log tail -n 50 --follow
    """
    with open_log(db) as turns:
        latest = turns.recent(count)
        for turn in latest:
            click.echo(one_line(turn))
        printed = max((t["id"] for t in latest), default=0)
        checks = 0
        while follow and (polls is None or checks < polls):
            time.sleep(interval)
            checks += 1
            for turn in turns.recent(1000):
                if turn["id"] > printed:
                    click.echo(one_line(turn))
                    printed = turn["id"]


@log.command("show")
@click.argument("conversation_id")
@db_option
def show(conversation_id: str, db: Path | None) -> None:
    """Print one conversation as a readable transcript.

    Example: advisor log show 3f9c2a7e
    """
    with open_log(db) as turns:
        rows = turns.conversation(conversation_id)
        if not rows:
            recent = list(dict.fromkeys(t["conversation_id"] for t in reversed(turns.recent(200))))
            hint = f" Recent conversations: {', '.join(recent[:5])}." if recent else ""
            raise click.ClickException(
                f"No conversation {conversation_id!r} in {turns.path}.{hint}"
            )
        traffic = turns.tagged_traffic().get(conversation_id)
    channels = sorted({r["channel"] for r in rows if r["channel"]})
    click.echo(
        f"Conversation {conversation_id}: {len(rows)} messages, "
        f"{when(rows[0]['ts'])} to {when(rows[-1]['ts'])}"
        + (f", channel {', '.join(channels)}" if channels else "")
        + (f", tagged {traffic} traffic (left out of insights)" if traffic else "")
    )
    for row in rows:
        click.echo("\n".join(transcript(row)))
    with open_rating_store(turns.path) as ratings:
        for rating in ratings.ratings(conversation_id=conversation_id):
            click.echo(rating_line(rating))


@log.command("tag")
@click.argument("conversation_ids", nargs=-1, required=True)
@click.option(
    "--as",
    "kind",
    required=True,
    type=click.Choice([*TRAFFIC, "shopper"]),
    help="test, loadtest or staff: left out of insights; shopper: counted again.",
)
@db_option
def tag(conversation_ids: tuple[str, ...], kind: str, db: Path | None) -> None:
    """Tag conversations that are not real shoppers (an automated test, a load test, staff
    trying the advisor): `advisor needs`, the report and /insights leave them out unless asked
    to include them. Every id must be in the log, or nothing is tagged.

    Example: advisor log tag 3f9c2a7e 9b1d04aa --as staff
    """
    with open_log(db) as turns:
        unknown = [c for c in conversation_ids if not turns.conversation(c)]
        if unknown:
            raise click.ClickException(
                f"No conversation {', '.join(map(repr, unknown))} in {turns.path}; nothing tagged."
            )
        for conversation_id in conversation_ids:
            turns.tag_traffic(conversation_id, None if kind == "shopper" else kind)
    what = "as shoppers again" if kind == "shopper" else f"as {kind} traffic"
    click.echo(f"Tagged {len(conversation_ids)} conversation(s) {what}.")
