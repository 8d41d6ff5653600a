"""Misspelled catalog words: 'hybird' -> 'hybrid', 'teluride' -> 'telluride', 'laptp' -> 'laptop'.

A shopper's word is corrected only when it is not itself a catalog word, not an ordinary English
word (spacy-lookups-data's word frequencies: 'trust' never becomes 'truck', 'sporty' never 'sport')
and exactly one catalog word lies within a small edit distance (adjacent letters swapped count as
one edit). A near match that is not certain enough to take (two edits, a word English knows a
little, or several candidates) is offered as a question instead ("did you mean the Kia Telluride?").
"""

from __future__ import annotations

from dataclasses import dataclass

# Words with a log-probability above this are ordinary English and never corrected.
ENGLISH_LOGPROB = -15.0
# A word rarer than ENGLISH_LOGPROB but above this is corrected only after asking.
RARE_LOGPROB = -17.0
MIN_LENGTH = 5  # shorter words are too easy to confuse ('mhev' is no misspelled 'phev')
TWO_EDITS_FROM = 8  # words this long may be two edits away; only asked about, never taken


@dataclass(frozen=True)
class Correction:
    word: str  # as written, lower case
    catalog_word: str
    certain: bool


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two adjacent letters),
    or limit + 1 once it is certainly larger than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Corrects words toward a catalog's vocabulary (see Lexicon.vocabulary)."""

    def __init__(self, vocabulary: set[str]):
        from spacy.lookups import load_lookups

        self.vocabulary = frozenset(vocabulary)
        self._logprob = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
        self._by_length: dict[int, list[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)

    def logprob(self, word: str) -> float:
        return self._logprob.get(word, -99.0)

    def correct(self, word: str) -> Correction | None:
        """The catalog word `word` was meant to be, if there is exactly one near enough."""
        word = word.lower()
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self.vocabulary:
            return None
        frequency = self.logprob(word)
        if frequency > ENGLISH_LOGPROB:
            return None
        limit = 2 if len(word) >= TWO_EDITS_FROM else 1
        best, found = limit + 1, []
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                distance = edit_distance(word, candidate, limit)
                if distance < best:
                    best, found = distance, [candidate]
                elif distance == best:
                    found.append(candidate)
        if best > limit or not found:
            return None
        found.sort()
        certain = best == 1 and len(found) == 1 and frequency <= RARE_LOGPROB
        return Correction(word, found[0], certain)


def question(suggestion: dict) -> tuple[str, list[dict[str, str]]]:
    """The question and its buttons for a suggestion ({'id', 'name', 'text'}): 'Yes' sends the
    shopper's message as it reads corrected, so the answer is the one the message asked for."""
    name = suggestion.get("name") or suggestion.get("id")
    buttons = [
        {"title": f"Yes, the {name}", "payload": str(suggestion.get("text") or name)},
        {"title": "No", "payload": "/deny"},
    ]
    return f"Did you mean the {name}?", buttons
