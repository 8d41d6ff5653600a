"""Canned replies for the support console, kept in an editable YAML file.

The file ($ADVISOR_CANNED_REPLIES, else web/canned_replies.yml) is read again whenever it
changes, so an edit shows in the console at its next poll without a restart. A reply has a
`title` (the button) and a `text` (what goes into the reply box, where the staff member can
still edit it); `{agent}` in a text becomes the staff member's name. The first nine are also
Alt+1 ... Alt+9.

A bad file never stops the console: the error names the file, the reply and the field, the
console shows it, and the last good replies (or none) stay available.
"""

from __future__ import annotations

import string
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TITLE_CHARS = 60
TEXT_CHARS = 1000  # a staff reply's limit (web.support.MAX_STAFF_CHARS)
PLACEHOLDERS = frozenset({"agent"})
SHORTCUTS = 9


class CannedError(ValueError):
    """What is wrong with the canned replies file, naming the file, reply and field."""


@dataclass(frozen=True)
class Canned:
    replies: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    def for_agent(self, name: str) -> list[dict[str, Any]]:
        """The replies with {agent} filled in and their keyboard shortcut, if any."""
        return [
            {
                "title": reply["title"],
                "text": reply["text"].replace("{agent}", name),
                "shortcut": f"Alt+{number}" if number <= SHORTCUTS else None,
            }
            for number, reply in enumerate(self.replies, start=1)
        ]


def parse(text: str, source: str) -> list[dict[str, str]]:
    """The replies in the file's text; raises CannedError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CannedError(f"{source}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("replies"), list):
        raise CannedError(f"{source}: expected a mapping with a list under 'replies'")
    unknown = set(data) - {"replies"}
    if unknown:
        raise CannedError(f"{source}: unknown top-level keys {sorted(unknown)}")
    return [_reply(item, number, source) for number, item in enumerate(data["replies"], 1)]


def _reply(item: Any, number: int, source: str) -> dict[str, str]:
    where = f"{source}: reply {number}"
    if not isinstance(item, dict):
        raise CannedError(f"{where}: expected a mapping with 'title' and 'text'")
    if isinstance(item.get("title"), str):
        where += f" ({item['title'].strip()!r})"
    unknown = set(item) - {"title", "text"}
    if unknown:
        raise CannedError(f"{where}: unknown fields {sorted(unknown)}; expected 'title', 'text'")
    reply = {}
    for name, limit in (("title", TITLE_CHARS), ("text", TEXT_CHARS)):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            raise CannedError(f"{where}, field {name!r}: expected some text")
        if len(value.strip()) > limit:
            raise CannedError(
                f"{where}, field {name!r}: at most {limit} characters, not {len(value.strip())}"
            )
        reply[name] = value.strip()
    try:
        used = {part[1] for part in string.Formatter().parse(reply["text"]) if part[1] is not None}
    except ValueError as error:
        raise CannedError(f"{where}, field 'text': {error} (write {{{{ for a brace)") from error
    wrong = used - PLACEHOLDERS
    if wrong:
        raise CannedError(
            f"{where}, field 'text': unknown placeholder {{{sorted(wrong)[0]}}}; "
            f"the only one is {{agent}}"
        )
    return reply


class CannedFile:
    """The canned replies file, read again when its modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[float, int] | None = None
        self._good: list[dict[str, str]] = []
        self._current = Canned()

    def load(self) -> Canned:
        with self._lock:
            try:
                stat = self.path.stat()
            except OSError as error:
                self._seen = None
                return Canned(self._good, f"{self.path}: cannot read it: {error.strerror}")
            if self._seen != (stat.st_mtime, stat.st_size):
                self._seen = (stat.st_mtime, stat.st_size)
                try:
                    self._good = parse(self.path.read_text(encoding="utf-8"), str(self.path))
                    self._current = Canned(self._good)
                except (CannedError, OSError, UnicodeDecodeError) as error:
                    self._current = Canned(self._good, str(error))
            return self._current
