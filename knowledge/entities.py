"""Entity recognition from a catalog's lexicon with spaCy: products, brands, attribute values,
priorities and quantities with units ('under $40k', '16GB of RAM', 'at least 18 hours').

A blank English pipeline with the lookup lemmatiser (spacy-lookups-data) and phrase matchers built
from the lexicon; no statistical model. spaCy is imported when a recogniser is built, not before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge import phrases
from knowledge.lexicon import Lexicon, Quantity
from knowledge.phrases import Candidate as _Candidate

_NUMBER = re.compile(r"^(\d[\d,]*(?:\.\d+)?|\.\d+)(k)?(\+)?$")
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
MULTIPLIERS = {"k": 1000, "grand": 1000, "thousand": 1000, "hundred": 100}
MAX_CUES = {
    ("under",), ("below",), ("less", "than"), ("up", "to"), ("at", "most"), ("max",),
    ("maximum",), ("within",), ("no", "more", "than"), ("cheaper", "than"), ("lower", "than"),
    ("<",), ("<=",), ("around",), ("about",), ("budget",), ("spend",), ("afford",),
    ("go", "over"), ("stay", "below"), ("stay", "under"),
}  # fmt: skip
MIN_CUES = {
    ("at", "least"), ("over",), ("more", "than"), ("minimum",), ("min",), ("above",),
    (">",), (">=",), ("greater", "than"), ("or", "more"), ("plus",), ("+",),
}  # fmt: skip
# Words allowed between an attribute word and its number: 'budget is around $40k', 'tow up to 5000'.
FILLER = {
    "is", "of", "be", "around", "about", ":", "=", "at", "to", "up", "a", "an", "the", "my", "our",
    "for", "than", "no", "more", "less", "least", "most", "should", "must", "can", "need", "needs",
    "able", "roughly", "approximately", "~", "under", "below", "over", "above", "within", "max",
    "maximum", "min", "minimum", "$", "it", "that", "has", "have", "with", "capacity", "'s",
}  # fmt: skip
PLACE_WORDS = {"in", "at", "from", "near", "around", "across", "through", "into", "outside", "to"}
# Words that make a lower-case common-word model name a product: 'the pilot', 'civic vs elantra'.
PRODUCT_CUES_BEFORE = {"the", "a", "an", "my", "our", "this", "that", "new", "vs", "vs.", "versus",
                       "or", "and", "than", "between"}  # fmt: skip
PRODUCT_CUES_AFTER = {"vs", "vs.", "versus", "or", "and"}
# Overlapping matches: the longest wins; on equal length, the earlier kind in this order.
KIND_ORDER = (
    "product", "removal", "superlative", "party", "quantity", "brand", "value", "hint", "priority",
)  # fmt: skip


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    start: int  # character offsets in the original text
    end: int
    text: str
    role: str | None = None  # 'excluded' (a brand ruled out), 'hint' (a priority implied)

    def to_dict(self) -> dict[str, Any]:
        found = {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if self.role:
            found["role"] = self.role
        return found


def _rank(candidate: _Candidate) -> tuple[int, int, int]:
    width = candidate.cover_end - candidate.cover_start
    return (-width, KIND_ORDER.index(candidate.kind), candidate.start)


class _Phrases:
    """Phrase matchers by lower case and by lemma, each phrase with a payload."""

    def __init__(self, nlp):
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        self.payloads: dict[str, Any] = {}
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")

    def add(self, key: str, payload: Any, phrase: str, lemma: bool = True) -> None:
        self.payloads[key] = payload
        self._lower.add(key, [self.nlp.make_doc(phrase)])
        if lemma:
            self._lemma.add(key, [self.nlp(phrase)])

    def __call__(self, doc) -> list[tuple[Any, int, int]]:
        found = {}
        for matcher in (self._lower, self._lemma):
            for match_id, start, end in matcher(doc):
                key = self.nlp.vocab.strings[match_id]
                found[(key, start, end)] = self.payloads[key]
        return [(payload, start, end) for (_, start, end), payload in found.items()]


def unit_suffixes(lexicon: Lexicon) -> tuple[str, ...]:
    """The catalog's one-word units, which a shopper may write straight after a number ('16gb')."""
    words = {w for q in lexicon.quantities for w in q.unit_words if w.isalpha()}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def blank_english(units: tuple[str, ...] = ()):
    """A blank English pipeline with the lookup lemmatiser; the given unit words split off numbers."""
    import spacy
    from spacy.util import compile_suffix_regex

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    if units:
        pattern = "|".join(re.escape(u) for u in units)
        suffixes = [*nlp.Defaults.suffixes, rf"(?<=\d)(?:{pattern})$"]
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


class EntityRecognizer:
    """Finds catalog entities in shopper messages. Build once (≈1 s), then call `extract`."""

    def __init__(self, lexicon: Lexicon):
        from knowledge.spelling import Speller

        self.lexicon = lexicon
        self.nlp = blank_english(unit_suffixes(lexicon))
        self._phrases = _Phrases(self.nlp)
        for item in lexicon.products:
            self._add("product", "product", item.product, item.phrase, cue=item.needs_cue)
        for phrase, brand in lexicon.brands.items():
            self._add("brand", "brand", brand, phrase)
        for phrase, entity, value in lexicon.values:
            self._add("value", entity, value, phrase, lemma=True)
        for phrase, priority in lexicon.priorities:
            self._add("priority", "priority", priority, phrase, lemma=True)
        for phrase, priority in lexicon.hints:
            self._add("hint", "priority", priority, phrase, lemma=True)
        for phrase, attribute, order in lexicon.superlatives:
            # by the words as written: 'cheapest' must not match 'cheap' through its lemma
            self._add("superlative", "sort", f"{order} {attribute}", phrase)
        self._measures = _Phrases(self.nlp)
        for phrase, attribute, better in lexicon.measures:
            self._measures.add(f"{attribute}|{phrase}", (attribute, better), phrase)
        self._need_words = _Phrases(self.nlp)
        named: dict[str, list[str]] = {}
        for phrase, need in lexicon.need_words:
            named.setdefault(phrase, []).append(need)
        for phrase, needs in named.items():
            self._need_words.add(phrase, tuple(needs), phrase)
        self.speller = Speller(lexicon.vocabulary())
        self._units: dict[tuple[str, ...], list[Quantity]] = {}
        self._contexts: dict[tuple[str, ...], list[Quantity]] = {}
        for quantity in lexicon.quantities:
            for word in quantity.unit_words:
                self._units.setdefault(self._lemmas(word), []).append(quantity)
            for word in quantity.context_words:
                self._contexts.setdefault(self._lemmas(word), []).append(quantity)
        self._longest_unit = max((len(k) for k in self._units), default=0)
        self._longest_context = max((len(k) for k in self._contexts), default=0)

    def _lemmas(self, phrase: str) -> tuple[str, ...]:
        return tuple(t.lemma_.lower() or t.lower_ for t in self.nlp(phrase.lower()))

    def _add(
        self, kind: str, entity: str, value: Any, phrase: str, lemma: bool = False, cue=False
    ) -> None:
        key = f"{kind}|{entity}|{value}|{int(cue)}"
        self._phrases.add(key, (kind, entity, value, cue), phrase, lemma=lemma)

    def _doc(self, text: str, replace: dict[int, str] | None = None):
        """The message as a lower-case doc with certain misspellings corrected, the original
        character span of each token, and the uncertain corrections {token: Correction}."""
        from spacy.tokens import Doc

        tokens = self.nlp.make_doc(text)
        words, uncertain = [], {}
        for token in tokens:
            word = token.lower_
            fix = self.speller.correct(word) if token.is_alpha else None
            if replace and token.i in replace:
                word = replace[token.i]
            elif fix and fix.certain:
                word = fix.catalog_word
            elif fix:
                uncertain[token.i] = fix
            words.append(word)
        doc = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in tokens])
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        spans = [(t.idx, t.idx + len(t)) for t in tokens]
        return doc, spans, uncertain

    def extract(self, text: str) -> list[Entity]:
        doc, spans, uncertain = self._doc(text)
        chosen = self._chosen(doc, text, spans)
        lowers = [t.lower_ for t in doc]
        negations = phrases.negated(lowers, chosen)
        entities = []
        for c, value, role in phrases.combined(self.lexicon, chosen, negations):
            start, end = spans[c.start][0], spans[c.end - 1][1]
            if c.kind == "removal":
                entities += [Entity(need, "any", start, end, text[start:end]) for need in c.value]
            else:
                entities.append(Entity(c.entity, value, start, end, text[start:end], role))
        entities += self._suggestions(text, doc, spans, uncertain, chosen)
        return sorted(entities, key=lambda e: e.start)

    def _chosen(self, doc, text: str, spans) -> list[_Candidate]:
        """The non-overlapping candidates, longest first, in message order."""
        candidates = self._phrase_candidates(doc, text, spans) + self._quantity_candidates(doc)
        candidates += self._phrasing_candidates(doc)
        chosen: list[_Candidate] = []
        taken: set[int] = set()
        for candidate in sorted(candidates, key=_rank):
            span = set(range(candidate.cover_start, candidate.cover_end))
            if span & taken:
                continue
            taken |= span
            chosen.append(candidate)
        return sorted(chosen, key=lambda c: c.start)

    def _phrasing_candidates(self, doc) -> list[_Candidate]:
        lowers = [t.lower_ for t in doc]
        lemmas = [t.lemma_.lower() or t.lower_ for t in doc]
        found = phrases.superlatives(lowers, self._measures(doc))
        found += phrases.removals(lowers, self._need_words(doc))
        if self.lexicon.party:
            found += phrases.party(lowers, self.lexicon.party, self._number)
        if self.lexicon.ordinals:
            found += phrases.ordinals(lowers, lemmas, self._units, self.lexicon.ordinals)
        return found

    def _suggestions(self, text, doc, spans, uncertain, chosen) -> list[Entity]:
        """A word near a product name, but not near enough to take: a 'did you mean' question
        ({'id', 'name', 'text': the message as it would read corrected})."""
        taken = {i for c in chosen for i in range(c.cover_start, c.cover_end)}
        found = []
        for index, fix in uncertain.items():
            if index in taken:
                continue
            alternative, _, _ = self._doc(text, {index: fix.catalog_word})
            products = [
                c
                for c in self._phrase_candidates(alternative, text, spans)
                if c.kind == "product" and c.start <= index < c.end
            ]
            if not products:
                continue
            best = max(products, key=lambda c: c.end - c.start)
            start, end = spans[index]
            name = self.lexicon.display.get(best.value, best.value)
            first, last = spans[best.start][0], spans[best.end - 1][1]
            corrected = text[:first] + name + text[last:]
            value = {"id": best.value, "name": name, "text": corrected}
            found.append(Entity("suggestion", value, start, end, text[start:end]))
        return found

    def _phrase_candidates(self, doc, text: str, spans) -> list[_Candidate]:
        candidates = []
        for (kind, entity, value, cue), start, end in self._phrases(doc):
            if cue and not self._has_cue(doc, text, spans, start, end):
                continue
            candidates.append(_Candidate(kind, entity, value, start, end, start, end))
        return candidates

    @staticmethod
    def _has_cue(doc, text: str, spans, start: int, end: int) -> bool:
        """A common-word model name counts when it is not a place ('in Colorado') and is either
        capitalised or next to a cue ('the pilot', 'civic vs elantra')."""
        before = doc[start - 1].lower_ if start > 0 else ""
        after = doc[end].lower_ if end < len(doc) else ""
        if before in PLACE_WORDS:
            return False
        if text[spans[start][0] : spans[start][0] + 1].isupper():
            return True
        return before in PRODUCT_CUES_BEFORE or after in PRODUCT_CUES_AFTER

    def _quantity_candidates(self, doc) -> list[_Candidate]:
        lemmas = [t.lemma_.lower() or t.lower_ for t in doc]
        lowers = [t.lower_ for t in doc]
        candidates = []
        lower_bounds, upper_bounds = self._ranges(lowers)
        for i in range(len(lowers)):
            number = self._number(lowers, i)
            if number is None or i in lower_bounds:
                continue
            value, plus, multiplied, end = number
            start = i - 1 if i > 0 and lowers[i - 1] == "$" else i
            if end < len(doc) and lowers[end] in MULTIPLIERS and not multiplied:
                value *= MULTIPLIERS[lowers[end]]
                multiplied, end = True, end + 1
            if end < len(doc) and lowers[end] == "+":
                plus, end = True, end + 1
            if end < len(doc) and lowers[end] == "-":
                end += 1
            op = "max" if i in upper_bounds else None
            found = self._quantity_at(lemmas, lowers, start, end, value, plus, multiplied, op)
            if found:
                candidates.append(found)
        return candidates

    def _ranges(self, lowers: list[str]) -> tuple[set[int], set[int]]:
        """'between 800 and 1200', 'between $30k and $40k': the lower number is no limit, the
        upper one is the most the shopper will go to."""
        lower, upper = set(), set()
        for i, word in enumerate(lowers[:-1]):
            if word != "between":
                continue
            first = i + 1 + (lowers[i + 1] == "$")
            number = self._number(lowers, first)
            if number is None:
                continue
            end = number[3] + (number[3] < len(lowers) and lowers[number[3]] in MULTIPLIERS)
            if end < len(lowers) and lowers[end] in phrases.RANGE_JOINS:
                second = end + 1 + (end + 1 < len(lowers) and lowers[end + 1] == "$")
                if second < len(lowers) and self._number(lowers, second):
                    lower.add(first)
                    upper.add(second)
        return lower, upper

    @staticmethod
    def _number(lowers: list[str], i: int) -> tuple[float, bool, bool, int] | None:
        """(value, trailing '+', 'k' suffix, end) for '45k', '35,000', '300+', 'seven',
        'thirty-five' or 'forty five' starting at token i; else None."""
        word = lowers[i]
        if word in TENS:
            value, end = TENS[word], i + 1
            if end + 1 < len(lowers) and lowers[end] == "-" and lowers[end + 1] in WORD_NUMBERS:
                end += 1
            if end < len(lowers) and lowers[end] in WORD_NUMBERS and WORD_NUMBERS[lowers[end]] < 10:
                value, end = value + WORD_NUMBERS[lowers[end]], end + 1
            return float(value), False, False, end
        if word in WORD_NUMBERS:
            return float(WORD_NUMBERS[word]), False, False, i + 1
        if word in ("a", "one") and i + 1 < len(lowers) and lowers[i + 1] in MULTIPLIERS:
            return 1.0, False, False, i + 1  # 'a thousand dollars', 'a grand'
        match = _NUMBER.match(word)
        if not match:
            return None
        value = float(match.group(1).replace(",", ""))
        suffix = bool(match.group(2))
        return value * (1000 if suffix else 1), bool(match.group(3)), suffix, i + 1

    def _quantity_at(
        self, lemmas, lowers, start, end, value, plus, multiplied, op=None
    ) -> _Candidate | None:
        dollar = lowers[start] == "$"
        op = op or self._cue_before(lowers, start) or ("min" if plus else None)
        unit_end, by_unit = end, []
        for length in range(min(self._longest_unit, len(lemmas) - end), 0, -1):
            window = (tuple(lemmas[end : end + length]), tuple(lowers[end : end + length]))
            by_unit = self._units.get(window[0]) or self._units.get(window[1]) or []
            if by_unit:
                unit_end = end + length
                break
        context_start, by_context = start, self._context_before(lemmas, lowers, start)
        if by_context:
            context_start, by_context = by_context
        money = [q for q in self.lexicon.quantities if q.money]
        # The evidence, strongest first: a unit after the number, a '$' before it, an attribute
        # word before it, a 'k'/'grand' multiplier, a comparison word. The first that names
        # exactly one plausible need decides.
        groups = [
            by_unit,
            money if dollar else [],
            by_context or [],
            money if multiplied else [],
            [q for q in self.lexicon.quantities if q.op == op] if op else [],
        ]
        chosen = None
        for options in groups:
            plausible = []
            for quantity in options:
                scaled = self._scaled(quantity, value, multiplied)
                if scaled is not None:
                    plausible.append((quantity, scaled))
            if len(plausible) > 1 and op:
                plausible = [p for p in plausible if p[0].op == op] or plausible
            if len({q.need for q, _ in plausible}) == 1:
                chosen = plausible[0]
                break
            if options and options is by_unit:
                return None  # a unit that fits no need ('60,000 miles' is no range): no guess
        if chosen is None:
            return None
        quantity, scaled = chosen
        if quantity not in (by_context or ()):
            context_start = start
        report_end = unit_end if quantity in by_unit else end
        while report_end > start + 1 and lowers[report_end - 1] in ("-", "+"):
            report_end -= 1
        return _Candidate(
            "quantity",
            quantity.need,
            int(scaled) if float(scaled).is_integer() else scaled,
            start,
            report_end,
            min(start, context_start),
            max(report_end, unit_end if quantity in by_unit else report_end),
        )

    @staticmethod
    def _scaled(quantity: Quantity, value: float, multiplied: bool) -> float | None:
        """The value if it is plausible for the quantity ('45' means $45k for a car budget)."""
        if quantity.integer and not float(value).is_integer():
            return None
        if quantity.low <= value <= quantity.high:
            return value
        if quantity.money and not multiplied and quantity.low <= value * 1000 <= quantity.high:
            return value * 1000
        return None

    @staticmethod
    def _cue_before(lowers: list[str], start: int) -> str | None:
        for length in (3, 2, 1):
            window = tuple(lowers[max(0, start - length) : start])
            if len(window) == length:
                if window in MAX_CUES:
                    return "max"
                if window in MIN_CUES:
                    return "min"
        return None

    def _context_before(self, lemmas, lowers, start) -> tuple[int, list[Quantity]] | None:
        """An attribute word up to four filler words before the number: 'budget is about $40k'."""
        position = start
        skipped = 0
        while position > 0 and skipped <= 4:
            for length in range(min(self._longest_context, position), 0, -1):
                window = (
                    tuple(lemmas[position - length : position]),
                    tuple(lowers[position - length : position]),
                )
                found = self._contexts.get(window[0]) or self._contexts.get(window[1])
                if found:
                    return position - length, found
            if lowers[position - 1] not in FILLER:
                return None
            position -= 1
            skipped += 1
        return None


_RECOGNIZERS: dict[int, EntityRecognizer] = {}


def recognizer_for(catalog) -> EntityRecognizer:
    """One recogniser per catalog object (building one takes about a second)."""
    from knowledge.lexicon import build_lexicon

    key = id(catalog)
    if key not in _RECOGNIZERS:
        _RECOGNIZERS[key] = EntityRecognizer(build_lexicon(catalog))
    return _RECOGNIZERS[key]
