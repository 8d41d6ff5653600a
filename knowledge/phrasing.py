"""How shoppers state needs in their own words, beyond attribute names, values and units: the
`phrasing` section of a category.yml. Superlatives that name an order by themselves ('cheapest'),
party sizes that become a need ('family of five', '3 kids'), needs stated with an ordinal ('a third
row') and hints that imply a priority ('a dog' -> cargo space). The recogniser learns every word here
(knowledge/lexicon.py); nothing of it is written in code.

Every field is checked for its shape, and each problem is reported with [E122], the file and the
field (`phrasing.party.need`), like the rest of the category.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.errors import Errors, Problems

if TYPE_CHECKING:  # the catalog model imports this module for its plain data
    from knowledge.catalog import Attribute, NeedSpec, PrioritySpec

ORDERS = ("highest", "lowest")
Problem = Callable[[str, str], None]  # (field, detail)


@dataclass(frozen=True)
class Superlative:
    """A phrase that asks for the products ranked on one attribute: 'cheapest' -> lowest price."""

    phrase: str
    attribute: str
    order: str  # highest or lowest


@dataclass(frozen=True)
class Party:
    """How a number of people becomes a need ('family of five', 'six of us', '3 kids')."""

    need: str
    before: tuple[str, ...] = ()  # words before the number: 'family of'
    after: tuple[str, ...] = ()  # words after it: 'of us', 'people'
    children: tuple[str, ...] = ()  # words after it that count children: 'kids'
    adults: int = 0  # adults assumed beside children when none are counted


@dataclass(frozen=True)
class Phrasing:
    superlatives: tuple[Superlative, ...] = ()
    party: Party | None = None
    ordinals: tuple[str, ...] = ()  # needs whose unit words take an ordinal: 'third row'
    hints: tuple[tuple[str, str], ...] = ()  # (phrase, priority)


def read_phrasing(
    raw: Any,
    file: Path,
    report: Problems,
    attributes: dict[str, Attribute],
    needs: dict[str, NeedSpec],
    priorities: dict[str, PrioritySpec],
) -> Phrasing:
    """The `phrasing` declarations in `raw`; each problem goes to `report` with its field."""

    def problem(where: str, detail: str) -> None:
        report.add(file, Errors.E122.format(detail=detail), field=f"phrasing{where}")

    if raw is None:
        return Phrasing()
    if not isinstance(raw, dict):
        problem("", "'phrasing' must be a mapping")
        return Phrasing()
    known = {"superlatives", "party", "ordinals", "hints"}
    for key in set(raw) - known:
        problem(f".{key}", f"unknown key; expected one of {', '.join(sorted(known))}")
    return Phrasing(
        superlatives=_superlatives(raw.get("superlatives"), attributes, problem),
        party=_party(raw.get("party"), needs, problem),
        ordinals=_ordinals(raw.get("ordinals"), needs, problem),
        hints=_hints(raw.get("hints"), priorities, problem),
    )


def _superlatives(raw: Any, attributes: dict[str, Attribute], problem: Problem):
    found: list[Superlative] = []
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problem(".superlatives", "must map number attributes to {highest: [...], lowest: [...]}")
        return ()
    for name, orders in raw.items():
        where = f".superlatives.{name}"
        attribute = attributes.get(str(name))
        if attribute is None or not attribute.is_numeric:
            problem(where, f"'{name}' is not a declared number attribute")
            continue
        if not isinstance(orders, dict) or set(orders) - set(ORDERS):
            problem(where, "must map 'highest' and/or 'lowest' to a list of phrases")
            continue
        for order, phrases in orders.items():
            words = names(phrases or [])
            if words is None:
                problem(f"{where}.{order}", "must be a list of phrases")
                continue
            found += [Superlative(w.lower(), str(name), order) for w in words]
    return tuple(found)


def _party(raw: Any, needs: dict[str, NeedSpec], problem: Problem) -> Party | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problem(".party", "must be a mapping with 'need' and the words around the number")
        return None
    need = raw.get("need")
    if not is_name(need) or str(need) not in needs or needs[str(need)].op != "min":
        problem(".party.need", "must name a declared 'min' need (the number of seats)")
        return None
    lists = {}
    for key in ("before", "after", "children"):
        words = names(raw.get(key) or [])
        if words is None:
            problem(f".party.{key}", "must be a list of words")
            return None
        lists[key] = tuple(w.lower() for w in words)
    adults = raw.get("adults", 0)
    if not isinstance(adults, int) or isinstance(adults, bool) or adults < 0:
        problem(".party.adults", "must be a whole number of adults (0 or more)")
        return None
    if not any(lists.values()):
        problem(".party", "needs 'before', 'after' or 'children' words")
        return None
    return Party(str(need), lists["before"], lists["after"], lists["children"], adults)


def _ordinals(raw: Any, needs: dict[str, NeedSpec], problem: Problem) -> tuple[str, ...]:
    listed = names(raw or [])
    if listed is None:
        problem(".ordinals", "must be a list of need names")
        return ()
    bad = [n for n in listed if n not in needs or needs[n].op not in ("min", "max")]
    if bad:
        problem(".ordinals", f"{', '.join(bad)}: not a declared number need")
        return ()
    return listed


def _hints(raw: Any, priorities: dict[str, PrioritySpec], problem: Problem):
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problem(".hints", "must map priorities to lists of words")
        return ()
    found: list[tuple[str, str]] = []
    for name, words in raw.items():
        listed = names(words or [])
        if str(name) not in priorities:
            problem(f".hints.{name}", f"'{name}' is not a declared priority")
        elif listed is None:
            problem(f".hints.{name}", "must be a list of words")
        else:
            found += [(w.lower(), str(name)) for w in listed]
    return tuple(found)


def is_name(value: Any) -> bool:
    from knowledge.category_schema import is_name as check

    return check(value)


def names(value: Any) -> tuple[str, ...] | None:
    from knowledge.category_schema import names as read

    return read(value)
