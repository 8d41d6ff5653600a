"""Free-text needs: features shoppers ask for that the catalog has no attribute for ("heated rear
seats", "bidirectional charging", "captain's chairs", "fit in a short garage").

Shopper turns (fallback turns included) are split into words with analysis.text (spaCy's English
stop words and lookup lemmas, without importing spaCy or, through it, TensorFlow). Token patterns
find request phrases ("I need/want", "I'd like", "I wish it had", "does it have", "does the RAV4
have", "is there one with", "must have", "looking for" ...); the request is the text after the
trigger up to a clause boundary (punctuation, "but", "because", "for" ...), split on "and", "or",
"with", "that". Leading fillers ("a", "something", "it to", "has") are stripped.

A phrase is dropped when the catalog already covers it: every content word is an attribute label,
synonym, related word ("room", "roomy": see FORMAT.md), unit word, value or value synonym, need or
priority name, brand or model name, a word the entity recogniser reads around quantities ("max",
"at least", "seven"), or a generic word ("good", "car", "help"). A phrase with more than
MAX_CONTENT_WORDS content words is a sentence, not a feature, and is dropped too. What remains is
grouped by its lemmas ("heated rear seat" and "Heated rear seats" are one feature) and counted by
distinct shoppers (conversations).

Only messages that are the shopper's own words count: analysis.initiative keeps replies to the
bot's questions, button payloads and quick replies out (the caller marks them, see FeatureMiner).
Only texts containing a trigger word are processed at all, in batches, and the phrases of each
distinct text are memoised.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from analysis.text import English, Matcher
from knowledge.catalog import Catalog
from knowledge.entities import FILLER, MAX_CUES, MIN_CUES, WORD_NUMBERS

BATCH = 2000  # distinct texts per nlp.pipe call
MEMO_LIMIT = 100_000  # distinct texts remembered before the memo is cleared
MAX_CONTENT_WORDS = 4
MAX_PHRASE_TOKENS = 10
QUOTES = 3
DAY = 86400

TRIGGER_HINT = re.compile(
    r"\b(need|needs|needed|want|wanted|wish|have|has|had|with|must|like|love|prefer|looking|"
    r"gotta|require|came|come|offer|get)\b",
    re.IGNORECASE,
)
_ADVERB = {
    "LOWER": {"IN": ["really", "also", "just", "definitely", "absolutely", "still"]},
    "OP": "?",
}
TRIGGER_PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "need": [
        [
            {"LOWER": {"IN": ["i", "we"]}},
            _ADVERB,
            {"LOWER": {"IN": ["need", "want", "needed", "wanted", "require"]}},
        ]
    ],
    "would_like": [
        [
            {"LOWER": {"IN": ["i", "we"]}},
            {"LOWER": {"IN": ["'d", "would"]}},
            _ADVERB,
            {"LOWER": {"IN": ["like", "love", "prefer"]}},
        ]
    ],
    "wish": [
        [
            {"LOWER": "wish"},
            {"LOWER": {"IN": ["it", "they", "there", "one", "mine", "cars"]}, "OP": "?"},
            {"LOWER": {"IN": ["had", "has", "have", "came", "come"]}},
        ]
    ],
    "does_it_have": [
        [
            {"LOWER": {"IN": ["does", "do", "did", "will", "would", "can"]}},
            {"LOWER": {"IN": ["it", "they", "any", "this", "that", "these", "those", "you"]}},
            {"LOWER": {"IN": ["of", "them"]}, "OP": "*"},
            {"LOWER": {"IN": ["have", "offer", "get"]}},
        ],
        [
            {"LOWER": {"IN": ["does", "do", "did"]}},
            {"LOWER": {"IN": ["it", "they", "any", "this", "that"]}},
            {"LOWER": "come"},
            {"LOWER": "with"},
        ],
        # "does the RAV4 Hybrid have", "do the Tesla ones come with": a name of up to four words
        [
            {"LOWER": {"IN": ["does", "do", "did"]}},
            {"LOWER": {"IN": ["the", "your", "a", "an"]}},
            {},
            {"OP": "?"},
            {"OP": "?"},
            {"OP": "?"},
            {"LOWER": {"IN": ["have", "offer", "get"]}},
        ],
        [
            {"LOWER": {"IN": ["does", "do", "did"]}},
            {"LOWER": {"IN": ["the", "your", "a", "an"]}},
            {},
            {"OP": "?"},
            {"OP": "?"},
            {"OP": "?"},
            {"LOWER": "come"},
            {"LOWER": "with"},
        ],
    ],
    "is_there": [
        [
            {"LOWER": {"IN": ["is", "are"]}},
            {"LOWER": "there"},
            {"LOWER": {"IN": ["one", "any", "anything", "something", "a", "an"]}},
            {"IS_ALPHA": True, "OP": "?"},
            {"LOWER": "with"},
        ]
    ],
    "must_have": [
        [{"LOWER": {"IN": ["must", "should", "gotta"]}}, {"LOWER": "have"}],
        [{"LOWER": {"IN": ["has", "have", "needs", "need"]}}, {"LOWER": "to"}, {"LOWER": "have"}],
    ],
    "looking_for": [[{"LOWER": "looking"}, {"LOWER": "for"}]],
    "any_with": [[{"LOWER": {"IN": ["any", "anything", "something", "ones"]}}, {"LOWER": "with"}]],
}
SPLIT_WORDS = frozenset({"and", "or", "plus", "&", "with"})
CLAUSE_WORDS = frozenset({"that", "which"})
BOUNDARY_WORDS = frozenset(
    "but because since so if when while though although unless for as than please thanks thank "
    "instead except under below over above within around about to".split()
)
LEADING_FILLER = frozenset(
    "a an the some something anything one ones it them to have has had get got also really "
    "definitely just more of at least car cars vehicle vehicles will would can could should must "
    "be".split()
)
TRAILING_FILLER = frozenset({"please", "too", "also", "though", "pls", "thanks", "anyway"})
INNER_PUNCT = frozenset({"-", "'", "/", "&"})
SYMBOLS = frozenset("<>|=*#@~^{}[]")
DETERMINERS = frozenset({"a", "an", "the", "some", "any", "my", "our", "'s", "’s"})
GENERIC_WORDS = frozenset(
    "good great decent nice better best more most lot lots plenty high higher low lower big bigger "
    "large larger small smaller enough really very pretty new car cars vehicle vehicles thing "
    "things stuff option options model models kind sort type something anything help advice info "
    "information recommendation recommendations suggestion suggestions human person agent deal "
    "price quote compare comparison know see talk speak buy purchase today soon now ok okay get "
    "gets getting go goes come comes offer offers week weeks month months year years tomorrow "
    "tonight choose choosing choice decide deciding pick picking find finding".split()
)


@lru_cache(maxsize=1)
def _pipeline() -> English:
    """One tokenizer per process (it holds no catalog data)."""
    return English()


@dataclass(frozen=True)
class Phrase:
    key: str  # lemmas, lower case, without determiners: "heat rear seat"
    text: str  # as the shopper wrote it, lower case: "heated rear seats"


def catalog_phrases(catalog: Catalog) -> list[str]:
    """Every word the catalog uses for its attributes, values, needs, priorities and products."""
    category = catalog.category
    out = [category.name, category.item, category.items]
    for name, attribute in category.attributes.items():
        out += [name, attribute.label, attribute.unit or "", *attribute.synonyms]
        out += attribute.related_words
        out += [*attribute.unit_words, *attribute.values, *attribute.value_labels.values()]
        for synonyms in attribute.value_synonyms.values():
            out += synonyms
    for name, spec in category.needs.items():
        out += [name, spec.label]
    for name, priority in category.priorities.items():
        out += [name, priority.label]
    for brand in catalog.brands:
        out += catalog.brand_names(brand)
    for product in catalog.products:
        out += [product.model, *product.aliases]
    return [str(p) for p in out if p]


class FeatureExtractor:
    """Finds feature requests in texts; the word tables are read on first use."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._nlp = None
        self._matcher = None
        self.covered: frozenset[str] = frozenset()

    @property
    def nlp(self):
        if self._nlp is None:
            nlp = _pipeline()
            matcher = Matcher()
            for name, patterns in TRIGGER_PATTERNS.items():
                matcher.add(name, patterns)
            words = set(GENERIC_WORDS) | set(FILLER) | set(WORD_NUMBERS)
            words |= {w for cue in MAX_CUES | MIN_CUES for w in cue}
            for phrase in catalog_phrases(self.catalog):
                words |= set(re.findall(r"[a-z0-9]+", phrase.lower()))
            lemmas = {t.lemma_ for t in nlp(" ".join(sorted(words)))}
            self.covered = frozenset(words | lemmas)
            self._nlp, self._matcher = nlp, matcher
        return self._nlp

    def extract(self, texts: list[str]) -> list[tuple[Phrase, ...]]:
        """The feature phrases of each text, in order (texts are lower-cased first: the lookup
        lemmatiser is case-sensitive, and 'Heated' and 'heated' are one request)."""
        docs = self.nlp.pipe((t.lower() for t in texts), batch_size=256)
        return [self.phrases(doc) for doc in docs]

    def has_request(self, text: str) -> bool:
        """Whether a text holds a request phrase ("I need", "does it have", ...)."""
        if not TRIGGER_HINT.search(text):
            return False
        self.nlp  # noqa: B018 - builds the matcher
        return bool(self._matcher(self.nlp(text.lower())))

    def phrases(self, doc) -> tuple[Phrase, ...]:
        matches = self._matcher(doc)
        trigger_starts = {start for _, start, _ in matches}
        found: dict[str, Phrase] = {}
        for begin in sorted({end for _, _, end in matches}):
            if begin >= len(doc) or doc[begin].lower_ == "to":
                continue  # "I need to know ...": an action, not a feature
            for tokens in self._scan(doc, begin, trigger_starts):
                phrase = self._phrase(tokens)
                if phrase is not None:
                    found.setdefault(phrase.key, phrase)
        return tuple(found.values())

    @staticmethod
    def _scan(doc, begin: int, trigger_starts: set[int]) -> list[list]:
        """The request after a trigger, up to a clause boundary, split into items."""
        items: list[list] = []
        current: list = []
        for i in range(begin, len(doc)):
            token, lower = doc[i], doc[i].lower_
            if (token.is_quote or token.is_bracket) and not current:
                continue  # 'I wish it had "heated rear seats"': an opening quote
            if (
                (i != begin and i in trigger_starts)
                or (token.is_punct and token.text not in INNER_PUNCT)
                or token.text in SYMBOLS
            ):
                break
            if lower in CLAUSE_WORDS:
                if current:
                    break  # "a backup camera that works well at night": the clause describes it
                continue  # "one that will fit in a short garage": the clause is the request
            if lower in SPLIT_WORDS:
                items.append(current)
                current = []
            elif not current and lower in LEADING_FILLER:
                continue
            elif current and lower in BOUNDARY_WORDS:
                break
            else:
                current.append(token)
                if len(current) > MAX_PHRASE_TOKENS:
                    return items
        items.append(current)
        return [item for item in items if item]

    def _phrase(self, tokens: list) -> Phrase | None:
        while tokens and (
            tokens[-1].is_stop or tokens[-1].is_punct or tokens[-1].lower_ in TRAILING_FILLER
        ):
            tokens = tokens[:-1]
        content = [
            t for t in tokens if t.is_alpha and not t.is_stop and t.lower_ not in GENERIC_WORDS
        ]
        if not content or len(content) > MAX_CONTENT_WORDS:
            return None
        if all(t.lower_ in self.covered or t.lemma_ in self.covered for t in content):
            return None
        key = " ".join(t.lemma_ for t in tokens if not t.is_punct and t.lower_ not in DETERMINERS)
        text = tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text
        return Phrase(key, " ".join(text.split()))


@dataclass
class FeatureGroup:
    key: str
    surfaces: Counter[str] = field(default_factory=Counter)
    shopper_ids: dict[str, float] = field(default_factory=dict)  # conversation -> last mention
    first_ids: dict[str, float] = field(default_factory=dict)  # conversation -> first mention
    first_seen: float = math.inf
    last_seen: float = -math.inf
    days: Counter[int] = field(default_factory=Counter)  # shoppers by UTC day of first mention
    quotes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The most common way shoppers wrote it (ties: alphabetical)."""
        return min(self.surfaces.items(), key=lambda item: (-item[1], item[0]))[0]

    @property
    def shoppers(self) -> int:
        return len(self.shopper_ids)

    @property
    def conversations(self) -> tuple[str, ...]:
        """The shoppers' conversations, the latest mention first."""
        return tuple(sorted(self.shopper_ids, key=lambda c: (-self.shopper_ids[c], c)))

    def add(self, conversation_id: str, ts: float, text: str, surface: str) -> None:
        self.surfaces[surface] += 1
        self.first_seen = min(self.first_seen, ts)
        self.last_seen = max(self.last_seen, ts)
        if conversation_id not in self.shopper_ids:
            self.days[int(ts // DAY)] += 1
            self.first_ids[conversation_id] = ts
        self.shopper_ids[conversation_id] = ts
        if len(self.quotes) < QUOTES and text not in self.quotes:
            self.quotes.append(text)


class FeatureMiner:
    """Feed it turns with add(); groups() then returns the requested features."""

    def __init__(self, catalog: Catalog, extractor: FeatureExtractor | None = None) -> None:
        self.extractor = extractor or FeatureExtractor(catalog)
        self.memo: dict[str, tuple[Phrase, ...]] = {}
        self.pending: dict[str, list[tuple[str, float]]] = {}
        self.features: dict[str, FeatureGroup] = {}
        self.texts_processed = 0

    def add(self, turn: dict[str, Any]) -> None:
        if turn.get("role", "shopper") != "shopper" or turn.get("initiative"):
            return  # a staff message, or a reply, payload or quick reply (analysis.initiative)
        text = turn.get("text") or ""
        if not TRIGGER_HINT.search(text):
            return
        phrases = self.memo.get(text)
        if phrases is not None:
            self._record(turn["conversation_id"], turn["ts"], text, phrases)
            return
        self.pending.setdefault(text, []).append((turn["conversation_id"], turn["ts"]))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        texts = list(self.pending)
        if len(self.memo) + len(texts) > MEMO_LIMIT:
            self.memo.clear()
        for text, phrases in zip(texts, self.extractor.extract(texts), strict=True):
            self.memo[text] = phrases
            for conversation_id, ts in self.pending[text]:
                self._record(conversation_id, ts, text, phrases)
        self.texts_processed += len(texts)
        self.pending = {}

    def _record(self, conversation_id: str, ts: float, text: str, phrases) -> None:
        for phrase in phrases:
            group = self.features.get(phrase.key)
            if group is None:
                group = self.features[phrase.key] = FeatureGroup(phrase.key)
            group.add(conversation_id, ts, text, phrase.text)

    def groups(self) -> list[FeatureGroup]:
        """The requested features, phrases of one meaning merged (analysis.feature_meaning)."""
        self.flush()
        return merge_by_meaning(list(self.features.values()), self.extractor.catalog)


MAX_GROUPED = 3000  # distinct phrases compared by meaning (the most requested); the rest by lemmas


def merge_by_meaning(groups: list[FeatureGroup], catalog: Catalog) -> list[FeatureGroup]:
    """Groups whose phrases mean the same feature (analysis.feature_meaning, with the catalog's
    feature vocabulary) merged into one, labelled by the most common wording."""
    if len(groups) < 2:
        return groups
    from analysis.feature_meaning import FeatureMeaning

    ranked = sorted(groups, key=lambda g: (-g.shoppers, g.key))
    compared, rest = ranked[:MAX_GROUPED], ranked[MAX_GROUPED:]
    meaning = FeatureMeaning(
        catalog.category.feature_words, glossary=catalog.category.feature_glossary
    )
    labels = meaning.group([g.label for g in compared])
    merged: dict[int, FeatureGroup] = {}
    for label, group in zip(labels, compared, strict=True):
        into = merged.get(label)
        if into is None:
            merged[label] = group
        else:
            merged[label] = _merged(into, group)
    return [*merged.values(), *rest]


def _merged(a: FeatureGroup, b: FeatureGroup) -> FeatureGroup:
    out = FeatureGroup(a.key, a.surfaces + b.surfaces)
    out.first_seen, out.last_seen = min(a.first_seen, b.first_seen), max(a.last_seen, b.last_seen)
    for group in (a, b):
        for cid, ts in group.shopper_ids.items():
            out.shopper_ids[cid] = max(ts, out.shopper_ids.get(cid, ts))
        for cid, ts in group.first_ids.items():
            out.first_ids[cid] = min(ts, out.first_ids.get(cid, ts))
    out.days = Counter(int(ts // DAY) for ts in out.first_ids.values())
    out.quotes = list(dict.fromkeys([*a.quotes, *b.quotes]))[:QUOTES]
    return out
