"""A catalog's vocabulary for free-text feature requests: `features.yml` beside category.yml.

Shoppers ask for features the catalog has no attribute for in many wordings ("heated back seats",
"rear seat heating"). The vocabulary maps the words they use to one canonical word each, so that
analysis.feature_meaning can group the requests by meaning:

    features:
      synonyms:
        rear: [back, second row, 2nd row]    # canonical word: the words (or phrases) meaning it
        heated: [heating, heater, warm]
      ignore: [function, system]          # words that say nothing about which feature is meant
      distinct:                           # words (canonical, or as lemmatised) that tell features
        - [front, rear, third]            #   apart: requests naming different ones of a list are
                                          #   never one feature

A separate, optional file `feature_glossary.yml` beside it names the features shoppers ask for and
the ways they say each (read by `read_glossary`):

    glossary:
      heated-rear-seats:
        name: heated rear seats
        says: [heated back seats, warm seats for the kids in back]

Every entry is checked for its shape, and each problem is reported with [E131], the file and the
field, like the rest of the catalog. A word may mean one canonical word only; a glossary phrase
may belong to one feature only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from knowledge.errors import Errors, Problems

WORD = re.compile(r"[a-z0-9]+")
IGNORE = "ignore"  # the key of the words that say nothing about which feature is meant
DISTINCT = "distinct"  # the key of the lists of words that tell features apart (space-joined)


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words of a text: 'Second-row' -> ('second', 'row')."""
    return tuple(WORD.findall(text.lower()))


def read_feature_words(data: Any, file: Path, report: Problems) -> dict[str, tuple[str, ...]]:
    """{canonical: synonyms} from a parsed features.yml, with the ignored words under IGNORE;
    problems go to `report`."""
    if data is None:
        return {}

    def problem(detail: str, where: str = "features") -> None:
        report.add(file, Errors.E131.format(detail=detail), None, where)

    section = data.get("features") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        problem("the file needs a 'features' mapping")
        return {}
    unknown = sorted(map(str, set(section) - {"synonyms", IGNORE, DISTINCT}))
    if unknown:
        problem(f"unknown key(s) {', '.join(unknown)}: expected 'synonyms', 'ignore', 'distinct'")
    ignore = section.get(IGNORE) or []
    if not isinstance(ignore, list) or not all(isinstance(w, str) and words_of(w) for w in ignore):
        problem("'ignore' must be a list of words", f"features.{IGNORE}")
        ignore = []
    synonyms = section.get("synonyms") or {}
    if not isinstance(synonyms, dict):
        problem("'synonyms' must map a canonical word to a list of words", "features.synonyms")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[tuple[str, ...], str] = {}
    for canonical, words in synonyms.items():
        where = f"features.synonyms.{canonical}"
        if (
            not isinstance(canonical, str)
            or len(words_of(canonical)) != 1
            or canonical in (IGNORE, DISTINCT)
        ):
            problem(f"{canonical!r} must be one word", where)
            continue
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            problem("expected a non-empty list of words or phrases", where)
            continue
        kept = []
        for word in words:
            key = words_of(word)
            if not key:
                problem(f"{word!r} has no letters or digits", where)
            elif key in owner and owner[key] != canonical:
                problem(f"{word!r} already means {owner[key]!r}", where)
            else:
                owner[key] = canonical
                kept.append(" ".join(key))
        out[canonical.lower()] = tuple(dict.fromkeys(kept))
    if ignore:
        out[IGNORE] = tuple(dict.fromkeys(" ".join(words_of(w)) for w in ignore))
    distinct = section.get(DISTINCT) or []
    groups = []
    if not isinstance(distinct, list):
        problem("'distinct' must be a list of lists of canonical words", f"features.{DISTINCT}")
        distinct = []
    for n, group in enumerate(distinct):
        where = f"features.{DISTINCT}[{n}]"
        if not isinstance(group, list) or len(group) < 2:
            problem("each entry must list two or more canonical words", where)
            continue
        strays = [w for w in group if not isinstance(w, str) or len(words_of(w)) != 1]
        if strays:
            problem(f"{', '.join(map(repr, strays))}: each must be one word", where)
            continue
        groups.append(" ".join(w.lower() for w in group))
    if groups:
        out[DISTINCT] = tuple(groups)
    return out


GLOSSARY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def read_glossary(data: Any, file: Path, report: Problems) -> dict[str, tuple[str, ...]]:
    """{feature id: (its name, *the ways shoppers say it)} from a parsed feature_glossary.yml;
    problems go to `report` ([E131], the field)."""
    if data is None:
        return {}

    def problem(detail: str, where: str = "glossary") -> None:
        report.add(file, Errors.E131.format(detail=detail), None, where)

    section = data.get("glossary") if isinstance(data, dict) else None
    if not isinstance(section, dict) or not section:
        problem("the file needs a non-empty 'glossary' mapping of feature ids")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[tuple[str, ...], str] = {}
    for feature, entry in section.items():
        where = f"glossary.{feature}"
        if not isinstance(feature, str) or not GLOSSARY_ID.match(feature):
            problem(f"{feature!r}: a feature id is lower-case words joined by hyphens", where)
            continue
        if not isinstance(entry, dict) or set(entry) - {"name", "says"}:
            problem("expected 'name' (text) and 'says' (a list of phrases)", where)
            continue
        name, says = entry.get("name"), entry.get("says")
        if not isinstance(name, str) or not words_of(name):
            problem("'name' must be a text with letters or digits", f"{where}.name")
            continue
        if not isinstance(says, list) or not says or not all(isinstance(w, str) for w in says):
            problem("'says' must be a non-empty list of phrases", f"{where}.says")
            continue
        kept = []
        for phrase in [name, *says]:
            key = words_of(phrase)
            if not key:
                problem(f"{phrase!r} has no letters or digits", f"{where}.says")
            elif key in owner and owner[key] != feature:
                problem(f"{phrase!r} is already a way to say {owner[key]!r}", f"{where}.says")
            else:
                owner[key] = feature
                kept.append(" ".join(phrase.lower().split()))
        out[feature] = tuple(dict.fromkeys(kept))
    return out
