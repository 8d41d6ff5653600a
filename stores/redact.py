"""Redaction of personal data from shopper text before it is logged.

E-mail addresses become "[email]", phone numbers "[phone]" and card-like numbers (13-19 digits,
optionally grouped by spaces or dashes, Luhn-valid or not) "[card]". Figures shoppers use to state
their needs are kept: prices ("$45,000", "45k"), counts and units ("7 seats", "300 miles",
"5000 lbs"), model years ("2025") and zip codes.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

# Card-like: one run of 13-19 digits, or 4-digit groups (4-4-4-1..7, Amex 4-6-5) joined by one
# consistent separator. Not preceded by "$" or a digit, not followed by a digit.
_CARD = re.compile(
    r"(?<![\d$.,])(?:"
    r"\d{13,19}"
    r"|\d{4}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}"
    r"|\d{4}(?P<amex>[ -])\d{6}(?P=amex)\d{4,5}"
    r")(?!\d|,\d)"
)

# Phone numbers: "+" and 7-15 digits in groups; North American numbers with or without the +1
# country code, in any of the usual spellings; a bare run of 10-11 digits.
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w$])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\d])")
_NORTH_AMERICAN_PHONE = re.compile(
    r"(?<![\w$+])(?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\d])"
    r"|(?<![\w$+.,])\d{10,11}(?!\d|,\d)"
)

_YEAR = re.compile(r"(19|20)\d\d")


def _is_list_of_years(number: str) -> bool:
    """'2024 2025 2026 2027' has the shape of a card number but is a list of model years."""
    groups = re.split(r"[ -]", number)
    return len(groups) > 1 and all(_YEAR.fullmatch(g) for g in groups)


def _card(match: re.Match[str]) -> str:
    return match.group(0) if _is_list_of_years(match.group(0)) else CARD


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return PHONE if 7 <= digits <= 15 else match.group(0)


_URL = re.compile(r"https?://\S+")


def _numbers(text: str) -> str:
    text = _CARD.sub(_card, text)
    text = _INTERNATIONAL_PHONE.sub(_phone, text)
    return _NORTH_AMERICAN_PHONE.sub(_phone, text)


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and card-like numbers replaced by placeholders.

    Digits inside web addresses (ids in a source URL) are not phone or card numbers; e-mail
    addresses are redacted everywhere."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    pieces, cursor = [], 0
    for url in _URL.finditer(text):
        pieces.append(_numbers(text[cursor : url.start()]))
        pieces.append(url.group(0))
        cursor = url.end()
    pieces.append(_numbers(text[cursor:]))
    return "".join(pieces)


def redact_value(value: Any) -> Any:
    """Redact strings anywhere inside a JSON-like value (entity values, lists of them)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value
