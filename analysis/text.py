"""Words of shopper messages for the miners, without spaCy: a tokenizer, spaCy's English stop words
and lookup lemmas, and a token-pattern matcher for the few patterns the feature miner uses.

Why not spaCy itself: `import spacy` imports thinc, and thinc imports TensorFlow whenever it is
installed (it is, for Rasa). That took seconds and printed TensorFlow's CUDA warnings before
`advisor needs` said anything. The miners only need words, lemmas and stop words, so they read
the same data spaCy would (its English stop word list, a plain Python file read as text, and the
`lemma_lookup` table of spacy-lookups-data, a gzipped JSON file) without importing either package.
A test asserts that mining imports neither spaCy nor TensorFlow.

Tokens follow spaCy's English rules where the miners depend on them: clitics split off ("captain's"
-> "captain", "'s"; "doesn't" -> "does", "n't"; "I'd" -> "i", "'d"), hyphens and slashes inside
words are tokens of their own ("heads-up" -> "heads", "-", "up"), and every other punctuation mark is
a token. Lemmas are looked up on the lower-case text, as spaCy's lookup lemmatiser does.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

TOKEN = re.compile(
    r"[^\W_]+?(?=n['’]t\b)"  # 'does' of "doesn't"
    r"|n['’]t\b"
    r"|['’](?:s|d|m|re|ve|ll)\b"
    r"|\d+(?:[.,]\d+)*[^\W_]*"  # '45k', '5,000', '2.5', '4x4'
    r"|[^\W_]+"
    r"|\S",
)
QUOTES = frozenset("'\"`´‘’‚“”„«»‹›")
BRACKETS = frozenset("()[]{}<>")


class PackageDataMissing(RuntimeError):
    """spaCy's stop words or spacy-lookups-data's lemma table are not installed."""


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PackageDataMissing(f"the package {name!r} is not installed (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from spacy/lang/en/stop_words.py (a set literal and a
    loop adding the curly-apostrophe spellings) without importing spaCy."""
    path = _package_dir("spacy") / "lang" / "en" / "stop_words.py"
    names: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), names)  # noqa: S102
    return frozenset(names["STOP_WORDS"])


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spacy-lookups-data's English `lemma_lookup` table (word -> lemma)."""
    path = _package_dir("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def is_punct(text: str) -> bool:
    return len(text) == 1 and unicodedata.category(text).startswith("P")


class Token:
    __slots__ = (
        "doc",
        "i",
        "idx",
        "text",
        "lower_",
        "lemma_",
        "is_alpha",
        "is_stop",
        "is_punct",
        "is_quote",
        "is_bracket",
    )

    def __init__(self, doc: Doc, i: int, idx: int, text: str, lexeme: tuple) -> None:
        self.doc, self.i, self.idx, self.text = doc, i, idx, text
        (self.lower_, self.lemma_, self.is_alpha, self.is_stop, self.is_punct, self.is_quote,
         self.is_bracket) = lexeme  # fmt: skip

    def __repr__(self) -> str:
        return f"Token({self.text!r})"


class Span:
    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: Doc, start: int, end: int) -> None:
        self.doc, self.start, self.end = doc, start, end

    @property
    def text(self) -> str:
        tokens = self.doc.tokens[self.start : self.end]
        if not tokens:
            return ""
        last = tokens[-1]
        return self.doc.text[tokens[0].idx : last.idx + len(last.text)]


class Doc:
    """A text as tokens; doc[i] is a Token, doc[a:b] a Span with the original text."""

    def __init__(self, text: str, lexemes: Lexemes) -> None:
        self.text = text
        self.tokens = [
            Token(self, i, m.start(), m.group(), lexemes[m.group()])
            for i, m in enumerate(TOKEN.finditer(text))
        ]

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.tokens))
            return Span(self, start, stop)
        return self.tokens[key]


class Lexemes(dict):
    """A word's attributes (lower case, lemma, alpha, stop, punctuation, quote, bracket), worked
    out once per distinct word, as spaCy's vocabulary keeps them."""

    def __init__(self, lemmas: dict[str, str]) -> None:
        super().__init__()
        self.lemmas, self.stops = lemmas, stop_words()

    def __missing__(self, text: str) -> tuple:
        lower = text.lower()
        found = self[text] = (
            lower, self.lemmas.get(text, text), text.isalpha(), lower in self.stops,
            is_punct(text), text in QUOTES, text in BRACKETS,
        )  # fmt: skip
        return found


class English:
    """Makes Docs: nlp(text) and nlp.pipe(texts), as a spaCy pipeline would."""

    def __init__(self) -> None:
        self.lexemes = Lexemes(lemma_table())

    def __call__(self, text: str) -> Doc:
        return Doc(text, self.lexemes)

    def pipe(self, texts: Iterable[str], batch_size: int = 0) -> Iterator[Doc]:
        return (Doc(text, self.lexemes) for text in texts)


Pattern = list[dict[str, Any]]


def _accepts(spec: dict[str, Any], token: Token) -> bool:
    lower = spec.get("LOWER")
    if isinstance(lower, str) and token.lower_ != lower:
        return False
    if isinstance(lower, dict) and token.lower_ not in lower["IN"]:
        return False
    return not (spec.get("IS_ALPHA") and not token.is_alpha)


class Matcher:
    """Token patterns as spaCy's Matcher writes them, for the attributes the miners use: LOWER (a
    word or {"IN": [...]}), IS_ALPHA, and OP "?" (optional) or "*" (any number). A call returns every
    (name, start, end) that matches, as spaCy's does."""

    def __init__(self) -> None:
        self.patterns: list[tuple[str, tuple[dict[str, Any], ...]]] = []

    def add(self, name: str, patterns: list[Pattern]) -> None:
        for pattern in patterns:
            for spec in pattern:
                unknown = set(spec) - {"LOWER", "IS_ALPHA", "OP"}
                if unknown or spec.get("OP", "!") not in ("!", "?", "*"):
                    raise ValueError(f"pattern {name!r}: unsupported {sorted(unknown) or spec}")
            self.patterns.append((name, tuple(pattern)))

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        found: set[tuple[str, int, int]] = set()
        tokens = doc.tokens
        for name, pattern in self.patterns:
            first = pattern[0] if pattern[0].get("OP", "!") == "!" else None
            for start in range(len(tokens)):
                if first is not None and not _accepts(first, tokens[start]):
                    continue
                for end in self._ends(pattern, 0, tokens, start):
                    if end > start:
                        found.add((name, start, end))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))

    def _ends(self, pattern, p: int, tokens: list[Token], i: int) -> set[int]:
        if p == len(pattern):
            return {i}
        spec, op = pattern[p], pattern[p].get("OP", "!")
        ends: set[int] = set()
        if op in ("?", "*"):
            ends |= self._ends(pattern, p + 1, tokens, i)
        if i < len(tokens) and _accepts(spec, tokens[i]):
            ends |= self._ends(pattern, p if op == "*" else p + 1, tokens, i + 1)
        return ends
