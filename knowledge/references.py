"""Resolving 'the first two', 'the second one', 'the last' against the products last shown."""

from __future__ import annotations

import re

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}
COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3}


def referenced(text: str, shown: list[str]) -> list[str]:
    """Ids of the shown products a message points at, in the order it names them."""
    if not shown:
        return []
    lowered = text.lower()
    group = re.search(r"\b(?:the\s+)?(?:first|top)\s+(two|three|2|3)\b", lowered)
    if group:
        return shown[: COUNTS[group.group(1)]]
    if re.search(r"\b(both|all three|them all|these|those)\b", lowered):
        return shown[:3] if "three" in lowered else shown[:2]
    picked = []
    # 'last' points at a product after 'the', 'and', 'or' or a comma ('the last one', 'the first
    # and last'); elsewhere it is the verb ('how long does the battery last').
    words = r"\b(first|1st|second|2nd|third|3rd)\b|(?:\b(?:the|and|or)\s+|,\s*)(last)\b"
    for found in re.finditer(words, lowered):
        index = ORDINALS[found.group(1) or found.group(2)]
        if -len(shown) <= index < len(shown) and shown[index] not in picked:
            picked.append(shown[index])
    return picked


SEPARATORS = r"\b(?:vs\.?|versus|and|with|to|or|against|compared)\b|[,/&?!.]"
FILLER = {
    "the", "a", "an", "compare", "please", "how", "does", "do", "stack", "up", "which", "is",
    "better", "between", "can", "you", "me", "i", "want", "would", "like", "show", "what", "about",
    "one", "ones", "model", "models", "them", "side", "by", "new", "my", "it", "of", "for",
    "first", "second", "third", "last", "two", "three", "top", "both", "1st", "2nd", "3rd", "all",
}  # fmt: skip


def leftover_names(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Phrases of a comparison request that name no catalog product: 'Lexus NX' in
    'compare the RAV4 and the Lexus NX'. Used to say honestly which names we have no data on."""
    kept, cursor = [], 0
    for start, end in sorted(spans):
        kept.append(text[cursor:start])
        kept.append(" , ")
        cursor = end
    kept.append(text[cursor:])
    names = []
    for segment in re.split(SEPARATORS, "".join(kept), flags=re.IGNORECASE):
        words = [w for w in segment.split() if w.lower() not in FILLER]
        if words:
            names.append(" ".join(words))
    return names
