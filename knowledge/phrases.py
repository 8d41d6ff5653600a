"""The grammar around catalog words: superlatives ('the cheapest', 'tows the most'), removals
('forget the budget'), party sizes ('family of five', '3 kids'), ordinals ('a third row'),
negations ('anything but electric', 'no Teslas') and how several values of one need combine.

The catalog's words come from its lexicon (category.yml); what is here is English itself: the
words that make a phrase superlative, negative or a removal. Positions are token indices into the
lower-cased message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.lexicon import Lexicon, PartyWords

# 'most X' and 'X the most' rank on X's amount; 'best X' in X's better direction.
MORE_WORDS = {"most", "highest", "greatest", "biggest", "largest", "longest", "maximum", "max"}
LESS_WORDS = {"least", "lowest", "smallest", "fewest", "shortest", "minimum"}
BEST_WORDS = {"best", "top", "ideal", "optimal"}
AFTER_SUPERLATIVE = (("the", "most"), ("most",), ("the", "best"), ("the", "furthest"))
# 'forget the budget', 'no need to tow', 'the body type doesn't matter', 'any powertrain is fine'
REMOVAL_BEFORE = (
    ("forget",), ("drop",), ("remove",), ("ignore",), ("skip",), ("scrap",), ("lose",),
    ("never", "mind"), ("nevermind",), ("no", "need", "for"), ("no", "need", "to"),
    ("do", "not", "care", "about"), ("not", "bothered", "about"), ("no", "longer", "need"),
    ("do", "not", "need"), ("not", "fussed", "about"), ("delete",), ("clear",),
)  # fmt: skip
REMOVAL_AFTER = (
    ("does", "not", "matter"), ("do", "not", "matter"), ("is", "not", "important"),
    ("not", "important"), ("does", "not", "matter", "anymore"), ("no", "longer", "matters"),
    ("is", "irrelevant"), ("is", "not", "a", "concern"), ("can", "be", "anything"),
)  # fmt: skip
ANY_IS_FINE = (("is", "fine"), ("will", "do"), ("works",), ("is", "ok"), ("is", "okay"))
REQUIREMENT_WORDS = {
    "limit", "requirement", "requirements", "filter", "restriction", "preference", "constraint",
    "cap", "need", "rating", "anymore", "thing", "part", "stuff",
}  # fmt: skip
REMOVAL_FILLER = {"the", "about", "my", "any", "a", "an", "that", "this", "our", "on"}
NEGATION_BEFORE = (
    ("no",), ("not",), ("non",), ("without",), ("except",), ("excluding",), ("avoid",),
    ("anything", "but"), ("everything", "but"), ("all", "but"), ("other", "than"), ("never",),
    ("hate",), ("exclude",), ("skip",), ("leave", "out"), ("nothing", "from"), ("no", "more"),
    ("do", "not", "want"), ("not", "interested", "in"), ("rather", "not"), ("will", "not"),
    ("wo", "not"), ("is", "not"), ("are", "not"), ("not", "into"), ("anything", "except"),
    ("steer", "clear", "of"), ("stay", "away", "from"), ("dislike",), ("do", "not", "like"),
    ("remove",), ("drop",), ("ditch",), ("take", "out"),
)  # fmt: skip
NEGATION_AFTER = (("out",), ("are", "out"), ("is", "out"), ("are", "a", "no"), ("is", "a", "no"))
NEGATION_FILLER = {
    "a", "an", "the", "any", "get", "buy", "want", "to", "like", "of", "from", "one", "ones",
    "more", "another", "interested", "in", "those", "these", "some", "consider", "go", "for",
}  # fmt: skip
# Between two negated names: 'no Hondas or Toyotas', 'not Ford, Kia and Nissan'.
NEGATION_CHAIN = {"or", "and", ",", "nor", "a", "an", "the", "any"}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
    "7th": 7, "8th": 8, "9th": 9,
}  # fmt: skip
# 'between 30 and 40k', '30 to 40k': the upper number is the limit.
RANGE_JOINS = {"and", "to", "-"}


@dataclass(frozen=True)
class Candidate:
    kind: str
    entity: str
    value: Any
    start: int  # token span reported as the entity
    end: int
    cover_start: int  # token span the match consumes (context words included)
    cover_end: int
    role: str | None = None


Match = tuple[Any, int, int]  # (payload, start, end)
NumberAt = Callable[[list[str], int], "tuple[float, bool, bool, int] | None"]


def words(lowers: Sequence[str]) -> list[str]:
    """Tokens with 'n't' read as 'not', so "doesn't" and "does not" are one cue."""
    return ["not" if w in ("n't", "not", "nt") else w for w in lowers]


def _ends_with(seq: Sequence[str], end: int, cue: tuple[str, ...]) -> bool:
    return end - len(cue) >= 0 and tuple(seq[end - len(cue) : end]) == cue


def _starts_with(seq: Sequence[str], start: int, cue: tuple[str, ...]) -> bool:
    return tuple(seq[start : start + len(cue)]) == cue


def superlatives(lowers: list[str], measures: list[Match]) -> list[Candidate]:
    """'most fuel-efficient', 'best gas mileage', 'least expensive', 'tows the most': a sort on
    the measure's attribute; (attribute, better) payloads from the lexicon's measures."""
    found = []
    for (attribute, better), start, end in measures:
        before = lowers[start - 1] if start > 0 else ""
        order = None
        if before in MORE_WORDS:
            order = "highest"
        elif before in LESS_WORDS:
            order = "lowest"
        elif before in BEST_WORDS:
            order = "lowest" if better == "lower" else "highest"
        if order:
            value = f"{order} {attribute}"
            found.append(Candidate("superlative", "sort", value, start - 1, end, start - 1, end))
            continue
        for cue in AFTER_SUPERLATIVE:
            if _starts_with(lowers, end, cue):
                best = "lowest" if better == "lower" and "best" in cue else "highest"
                value = f"{best} {attribute}"
                stop = end + len(cue)
                found.append(Candidate("superlative", "sort", value, start, stop, start, stop))
                break
    return found


def removals(lowers: list[str], need_words: list[Match]) -> list[Candidate]:
    """'forget the budget and the powertrain', "price doesn't matter", 'no budget limit', 'any
    powertrain is fine': each named need set to 'any' (no limit, not asked again)."""
    seq = words(lowers)
    found = []
    chosen = sorted(need_words, key=lambda m: (m[1], -(m[2] - m[1])))
    previous_end = -1
    for needs, start, end in chosen:
        if start < previous_end:
            continue
        stop = end
        while stop < len(seq) and seq[stop] in REQUIREMENT_WORDS:
            stop += 1
        begin = _cue_start(seq, start, REMOVAL_BEFORE, REMOVAL_FILLER)
        if begin is None and start > 0 and seq[start - 1] == "no" and stop > end:
            begin = start - 1  # 'no budget limit'
        if begin is None and start > 0 and seq[start - 1] == "any":
            fine = next((c for c in ANY_IS_FINE if _starts_with(seq, stop, c)), None)
            if fine:
                begin, stop = start - 1, stop + len(fine)
        if begin is None:
            after = next((c for c in REMOVAL_AFTER if _starts_with(seq, stop, c)), None)
            if after:
                begin, stop = start, stop + len(after)
        if begin is None and found and found[-1].cover_end >= start - 2:
            gap = seq[found[-1].cover_end : start]
            if all(w in ("and", ",", "or", "the", "my", "a") for w in gap):
                begin = start  # 'forget the budget and the powertrain'
        if begin is None:
            continue
        found.append(Candidate("removal", "removal", tuple(needs), start, end, begin, stop))
        previous_end = stop
    return found


def _cue_start(
    seq: list[str], start: int, cues: tuple[tuple[str, ...], ...], filler: set[str]
) -> int | None:
    """Where a cue ends up to three filler words before `start`, or None."""
    position = start
    for _ in range(4):
        for cue in cues:
            if _ends_with(seq, position, cue):
                return position - len(cue)
        if position == 0 or seq[position - 1] not in filler:
            return None
        position -= 1
    return None


def party(lowers: list[str], words_: PartyWords, number_at: NumberAt) -> list[Candidate]:
    """'family of five' (the whole party), 'six of us', '2 adults', '3 kids' (children, counted
    with the declared adults): candidates whose value is (count, kind)."""
    found = []
    before = [tuple(w.split()) for w in words_.before]
    after = [(tuple(w.split()), "total") for w in words_.after]
    after += [(tuple(w.split()), "children") for w in words_.children]
    for i in range(len(lowers)):
        number = number_at(lowers, i)
        if number is None:
            continue
        value, _, _, end = number
        if not float(value).is_integer() or value < 1:
            continue
        cue = next((c for c in before if _ends_with(lowers, i, c)), None)
        if cue:
            tail = next((a for a, _ in after if _starts_with(lowers, end, a)), ())
            stop = end + len(tail)  # 'family of 5 people'
            found.append(_party(words_, value, "total", i, end, i - len(cue), stop))
            continue
        for phrase, kind in sorted(after, key=lambda a: -len(a[0])):
            if _starts_with(lowers, end, phrase):
                kind = "adults" if phrase == ("adults",) else kind
                found.append(
                    _party(words_, value, kind, i, end + len(phrase), i, end + len(phrase))
                )
                break
    return found


def _party(words_, value, kind, start, end, cover_start, cover_end) -> Candidate:
    return Candidate("party", words_.need, (int(value), kind), start, end, cover_start, cover_end)


def party_total(counts: list[tuple[int, str]], adults: int) -> int:
    """'family of five' -> 5; '2 adults and 3 kids' -> 5; '3 kids' -> 3 + the declared adults."""
    totals = [n for n, kind in counts if kind == "total"]
    grown = sum(n for n, kind in counts if kind == "adults")
    children = sum(n for n, kind in counts if kind == "children")
    parts = (grown or (adults if children else 0)) + children
    return max([*totals, parts])


def ordinals(
    lowers: list[str], lemmas: list[str], units: dict[tuple[str, ...], list], needs: tuple[str, ...]
) -> list[Candidate]:
    """'a third row', '3rd-row seating': the ordinal states the count of a declared need."""
    found = []
    longest = max((len(k) for k in units), default=0)
    for i, word in enumerate(lowers):
        if word not in ORDINALS:
            continue
        start = i + 1 + (i + 1 < len(lowers) and lowers[i + 1] == "-")
        for length in range(min(longest, len(lowers) - start), 0, -1):
            key = (tuple(lemmas[start : start + length]), tuple(lowers[start : start + length]))
            quantities = units.get(key[0]) or units.get(key[1]) or []
            chosen = [q for q in quantities if q.need in needs]
            if chosen:
                stop = start + length
                value = ORDINALS[word]
                found.append(Candidate("quantity", chosen[0].need, value, i, stop, i, stop))
                break
    return found


def negated(lowers: list[str], chosen: list[Candidate]) -> set[int]:
    """Indices (into `chosen`, ordered by position) of the values and brands a negation covers."""
    seq = words(lowers)
    out: set[int] = set()
    for index, candidate in enumerate(chosen):
        if candidate.kind not in ("value", "brand"):
            continue
        if _cue_start(seq, candidate.cover_start, NEGATION_BEFORE, NEGATION_FILLER) is not None:
            out.add(index)
            continue
        if any(_starts_with(seq, candidate.cover_end, cue) for cue in NEGATION_AFTER):
            out.add(index)  # 'take the Volkswagens out', 'hybrids are out'
            continue
        if index - 1 in out:
            gap = seq[chosen[index - 1].cover_end : candidate.cover_start]
            if gap and all(w in NEGATION_CHAIN for w in gap):
                out.add(index)
    return out


def combined(
    lexicon: Lexicon, chosen: list[Candidate], negations: set[int]
) -> list[tuple[Candidate, Any, str | None]]:
    """Each chosen candidate with the value and role it reports: the values one need is given in
    a message combine ('hybrid or electric' -> both; 'anything but electric' -> the others; 'an
    SUV, not a truck' -> SUV), a negated yes/no need or a removal becomes 'any', a negated brand
    is reported with the role 'excluded', party counts add up."""
    fixed_needs = {need for _, need, value in lexicon.values if value == "yes"}
    wanted: dict[str, list[str]] = {}
    unwanted: dict[str, list[str]] = {}
    for index, c in enumerate(chosen):
        if c.kind == "value" and c.entity not in fixed_needs:
            (unwanted if index in negations else wanted).setdefault(c.entity, []).append(c.value)
    counts = [c.value for c in chosen if c.kind == "party"]
    out = []
    for index, c in enumerate(chosen):
        if c.kind == "value" and c.entity in fixed_needs:
            out.append((c, "any" if index in negations else c.value, None))
        elif c.kind == "value":
            out.append((c, _values(lexicon, c.entity, wanted, unwanted), None))
        elif c.kind == "brand":
            out.append((c, c.value, "excluded" if index in negations else None))
        elif c.kind == "party":
            total = party_total(counts, lexicon.party.adults if lexicon.party else 0)
            out.append((c, total, None))
        elif c.kind == "hint":
            out.append((c, c.value, "hint"))
        else:
            out.append((c, c.value, c.role))
    return out


def _values(lexicon: Lexicon, need: str, wanted: dict, unwanted: dict) -> Any:
    if need in wanted:
        values = list(dict.fromkeys(wanted[need]))
        return values[0] if len(values) == 1 else values
    excluded = set(unwanted.get(need, ()))
    return [v for v in lexicon.choices.get(need, ()) if v not in excluded]
