"""Checking one need against every product quickly, for analysis.unmet.CatalogCheck's bit masks.

`shortfall` is Failure.relative_gap of knowledge.constraints.check without the words (it runs for
every product and need value; a test holds the two to the same numbers). `SortedValues` keeps a
number attribute's values sorted with the bit mask of every prefix, so the products meeting a
maximum or minimum are one bisection away.
"""

from __future__ import annotations

import bisect
from typing import Any


class SortedValues:
    """One number attribute's values across the products, sorted, with the bit mask of every
    prefix: the products at most x are a prefix, those at least x a suffix."""

    def __init__(self, values: list[Any]) -> None:
        known = sorted((v, i) for i, v in enumerate(values) if v is not None)
        self.values = [v for v, _ in known]
        self.prefix = [0]
        for _, i in known:
            self.prefix.append(self.prefix[-1] | 1 << i)

    def meeting(self, op: str, wanted: float) -> int:
        if op == "max":
            return self.prefix[bisect.bisect_right(self.values, wanted)]
        return self.prefix[-1] & ~self.prefix[bisect.bisect_left(self.values, wanted)]


def shortfall(op: str, wanted: Any, actual: Any) -> float:
    """0 when a product's value meets a need, else Failure.relative_gap of
    knowledge.constraints.check (which words the miss; here only the number is needed, and it is
    checked against every product for every need value, so the words are not made)."""
    if actual is None:
        return 1.0
    if op in ("max", "min"):
        if (op == "max" and actual <= wanted) or (op == "min" and actual >= wanted):
            return 0.0
        return abs(actual - wanted) / abs(wanted) if wanted else 1.0
    has = set(actual) if isinstance(actual, tuple) else {actual}
    return 0.0 if has & set(wanted) else 1.0
