"""Which shopper messages are the shopper's own words, and which only answer the bot.

A product manager reads quotes as what shoppers want and counts features as what they asked for.
A message is kept out of both (its needs still count: the profile the shopper ends with is real)
when it is:

- a button payload: it starts with "/" (Rasa's intent payloads, "/ask_human", '/inform{...}');
- a quick reply: its text is the title or payload of a button the bot offered with its previous
  message (the event broker logs the buttons with the response), or of a button of the category's
  needs interview (category.yml `interview`; logs written before the buttons were logged);
- a reply to the bot's own question: the bot's previous message was a question (any message
  offering buttons, as the bot's interview and yes/no questions do; a response named `utter_ask_*`;
  or, in logs written before the buttons were logged, an interview question's text) and this message is
  short (at most REPLY_MAX_WORDS words) and holds no request phrase of its own. "no preference",
  "around 40" and "room for 5 people and a big dog" answer the question; "I need heated seats" or
  a long message is the shopper's own initiative even mid-interview.

`Initiative.see(turn)` is fed every turn in time order (as analysis.opportunities.mine streams
them) and returns None for the shopper's own words, else the reason ("payload", "quick_reply",
"reply"). It remembers, per conversation, only what the bot's latest message asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from knowledge.catalog import Catalog

PAYLOAD, QUICK_REPLY, REPLY = "payload", "quick_reply", "reply"
REASONS = {  # how many of each: "3 button payloads"
    PAYLOAD: "button payloads",
    QUICK_REPLY: "quick replies (buttons the bot offered)",
    REPLY: "replies to the bot's questions",
}
REASON = {  # one of them: "a button payload"
    PAYLOAD: "a button payload",
    QUICK_REPLY: "a quick reply (a button the bot offered)",
    REPLY: "a reply to the bot's question",
}
REPLY_MAX_WORDS = 8
QUESTION_PREFIX = "utter_ask_"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def normal(text: str) -> str:
    """Lower case, words only, single spaces: 'Under $45k!' -> 'under 45k'."""
    return " ".join(_WORD.findall(text.lower()))


class Asked:
    """What one bot message asked: whether it was a question, and its buttons' texts (normal)."""

    __slots__ = ("buttons", "question")

    def __init__(self, question: bool, buttons: frozenset[str]) -> None:
        self.question, self.buttons = question, buttons


NOTHING = Asked(False, frozenset())


class Initiative:
    """Classifies shopper turns in a stream of turns (see the module's docstring)."""

    def __init__(self, catalog: Catalog, is_request: Callable[[str], bool]) -> None:
        self.is_request = is_request
        interview = catalog.category.interview
        self.interview_buttons = frozenset(
            normal(text) for question in interview for pair in question.buttons for text in pair
        )
        self.interview_questions = frozenset(normal(q.text) for q in interview)
        self._asked: dict[str, Asked] = {}
        self._shared: dict[tuple[bool, frozenset[str]], Asked] = {}
        self.kept_out: dict[str, int] = dict.fromkeys(REASONS, 0)

    def see(self, turn: dict[str, Any]) -> str | None:
        """None when `turn` is a shopper's own words; else why not. Staff turns give None and
        leave what the bot asked as it was."""
        if turn.get("role", "shopper") != "shopper":
            return None
        conversation = turn["conversation_id"]
        asked = self._asked.get(conversation, NOTHING)
        reason = self._reason(turn.get("text") or "", asked)
        self._asked[conversation] = self._asked_by(turn.get("responses") or ())
        if reason is not None:
            self.kept_out[reason] += 1
        return reason

    def _reason(self, text: str, asked: Asked) -> str | None:
        stripped = text.strip()
        if stripped.startswith("/"):
            return PAYLOAD
        words = normal(stripped)
        if words and (words in asked.buttons or words in self.interview_buttons):
            return QUICK_REPLY
        if (
            asked.question
            and len(words.split()) <= REPLY_MAX_WORDS
            and not self.is_request(stripped)
        ):
            return REPLY
        return None

    def _asked_by(self, responses) -> Asked:
        """What the bot's last message of a turn asked (a turn's responses are in order)."""
        if not responses:
            return NOTHING
        last = responses[-1] if isinstance(responses[-1], dict) else {}
        buttons = frozenset(
            normal(str(button.get(key) or ""))
            for button in last.get("buttons") or ()
            if isinstance(button, dict)
            for key in ("title", "payload")
        ) - {""}
        name = str(last.get("response") or "")
        question = (
            bool(buttons)
            or name.startswith(QUESTION_PREFIX)
            or normal(str(last.get("text") or "")) in self.interview_questions
        )
        key = (question, buttons)
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = Asked(question, buttons)
        return found
