"""Answer first: after every message that narrows the catalog the advisor shows the best matches and
asks at most one question, the one whose answer would split the current matches the most.

The questions are the category's (`interview` in category.yml); their declared order only breaks
ties. Like the truck advisor MIT built, which chose its next question by how much the answer would
change the recommendation, each question is scored on the matches in front of the shopper:

- its possible answers are the values of its need's attribute (a category need), the numbers its
  answer buttons name ('under $30k', 'at least 7 seats'; else the quartiles of the matches), or yes
  and no (a yes/no need such as all-wheel drive);
- each answer keeps the matches that meet it; the question's split is the share of the current
  matches an answer is expected to rule out, answers weighted by how many matches they keep:
  sum(kept_i / sum(kept)) * (1 - kept_i / matches). Four answers that each keep a quarter score 0.75;
  a question every match answers alike scores 0. Matches without a figure for the question's
  attribute are ruled out by every answer alike, so they tell no answer apart: the split is taken
  among the matches with a figure, scaled by their share (a budget question splits the priced
  matches, and only those);
- a question whose answer is already known (a need stated, or another need on the same attribute),
  that the shopper declined ('no preference' is remembered for the whole conversation), or whose
  every answer would leave the products shown as they are, is never asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Catalog, Product
from knowledge.constraints import check
from knowledge.errors import NeedsError
from knowledge.matching import Advice, Near, candidates, eligible, rank, recommend
from knowledge.needs import Constraint, NeedsProfile, make_constraint, parse_number
from knowledge.roles import Question

TOP = 3  # products shown per answer
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:k|thousand|grand)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """One possible answer to a question: the constraint it adds (None: 'no', no requirement)."""

    label: str
    constraint: Constraint | None


@dataclass(frozen=True)
class Scored:
    """A question with how well its answer would split the current matches."""

    question: Question
    split: float
    kept: tuple[int, ...]  # matches each answer keeps, in answer order
    changes: bool  # some answer changes the products shown


@dataclass(frozen=True)
class Turn:
    """What the advisor says next: the advice (None when nothing narrows the catalog yet and a
    question comes first) and at most one question (never after a nothing-fits)."""

    advice: Advice | None
    question: Question | None


def button_amount(payload: str) -> float | None:
    """The number an answer button sends: 'under $30k' -> 30000, 'at least 7 seats' -> 7."""
    found = _AMOUNT.search(payload)
    if not found:
        return None
    try:
        return parse_number(found.group(0))
    except NeedsError:
        return None


def answers(catalog: Catalog, question: Question, products: list[Product]) -> list[Answer]:
    """The answers a shopper could give to `question`, each as the constraint it would add."""
    category = catalog.category
    spec = category.needs[question.need]
    attribute = category.attributes[spec.attribute]
    if spec.fixed:
        return [
            Answer("yes", make_constraint(category, question.need, "yes")),
            Answer("no", None),
        ]
    if spec.op in ("in", "has_any"):
        return [
            Answer(attribute.value_label(v), Constraint(question.need, (v,)))
            for v in attribute.values
        ]
    amounts = [a for _, payload in question.buttons if (a := button_amount(payload)) is not None]
    if not amounts:
        amounts = quartiles([p.value(spec.attribute) for p in products])
    return [
        Answer(attribute.format(a), make_constraint(category, question.need, a))
        for a in sorted(set(amounts))
    ]


def quartiles(values: list[Any]) -> list[float]:
    """The 25th, 50th and 75th percentile of the figures on file (for a number need whose
    question has no buttons naming amounts)."""
    known = sorted(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    if not known:
        return []
    return sorted({known[min(len(known) - 1, len(known) * q // 4)] for q in (1, 2, 3)})


def split(kept: list[int], total: int) -> float:
    """The share of `total` matches an answer is expected to rule out, each answer weighted by
    the matches it keeps (answers that keep none are never given)."""
    given = [k for k in kept if k]
    if not given or not total:
        return 0.0
    return sum(k / sum(given) * (1 - k / total) for k in given)


def known(catalog: Catalog, profile: NeedsProfile, need: str) -> bool:
    """Whether the profile already answers `need`, directly or through a need on its attribute."""
    attribute = catalog.category.needs[need].attribute
    return any(catalog.category.needs[c.need].attribute == attribute for c in profile.constraints)


def askable(catalog: Catalog, profile: NeedsProfile, declined: tuple[str, ...] | list[str]):
    """The interview's questions whose answer is neither known nor declined, in declared order."""
    return [
        q
        for q in catalog.category.interview
        if q.need not in declined and not known(catalog, profile, q.need)
    ]


def score(catalog: Catalog, question: Question, matches: list[Product], top: int = TOP) -> Scored:
    """How far each answer to `question` would narrow `matches` (in the order shown)."""
    category = catalog.category
    attribute = category.needs[question.need].attribute
    shown = matches[:top]
    known = [p for p in matches if p.value(attribute) is not None]
    kept: list[int] = []
    changes = False
    for answer in answers(catalog, question, matches):
        if answer.constraint is None:
            keeping = matches
        else:
            keeping = [p for p in matches if check(category, answer.constraint, p) is None]
        kept.append(len([p for p in keeping if p.value(attribute) is not None]))
        if keeping and keeping[:top] != shown:
            changes = True
    share = len(known) / len(matches) if matches else 0.0
    return Scored(question, share * split(kept, len(known)), tuple(kept), changes)


def ranked_questions(
    catalog: Catalog,
    profile: NeedsProfile,
    declined: tuple[str, ...] | list[str] = (),
    matches: list[Product] | None = None,
    top: int = TOP,
) -> list[Scored]:
    """Every question worth asking now, best split first (ties in declared order)."""
    if matches is None:
        pool = eligible(catalog, profile) if not profile.is_empty else candidates(catalog, profile)
        matches = [p for p, _ in rank(catalog, profile, pool)]
    scored = [score(catalog, q, matches, top) for q in askable(catalog, profile, declined)]
    useful = [s for s in scored if s.changes and s.split > 0]
    return sorted(useful, key=lambda s: -round(s.split, 9))


def next_question(
    catalog: Catalog,
    profile: NeedsProfile,
    declined: tuple[str, ...] | list[str] = (),
    matches: list[Product] | None = None,
    top: int = TOP,
) -> Question | None:
    """The one question to ask after showing `matches` (all eligible products, in the order
    shown), or None when no question could change the result."""
    best = ranked_questions(catalog, profile, declined, matches, top)
    return best[0].question if best else None


def next_turn(
    catalog: Catalog,
    profile: NeedsProfile,
    declined: tuple[str, ...] | list[str] = (),
    near: Near | None = None,
    top: int = TOP,
) -> Turn:
    """Answer first: the best matches for what is known, then at most one question. When nothing
    narrows the catalog yet, only the question; when no product meets the needs, the nothing-fits
    answer at once and no question. A superlative or direct question ('which truck tows the most')
    is answered at once, ranked on what it names: nothing more is asked."""
    if profile.is_empty and profile.sort_key is None:
        question = next_question(catalog, profile, declined, top=top)
        if question is not None:
            return Turn(None, question)
    advice = recommend(catalog, profile, top=top, near=near)
    if advice.nothing_fits or profile.sort_key is not None:
        return Turn(advice, None)
    matches = [p for p, _ in advice.ranked]
    return Turn(advice, next_question(catalog, profile, declined, matches, top))
