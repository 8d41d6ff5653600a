"""The words a catalog teaches the entity recogniser: product names, brands, attribute values,
units and priorities. Derived from the catalog alone, so adding a product and retraining is all it
takes for the bot to recognise it.

A Lexicon is plain JSON-able data: the Rasa component builds it at training time and stores it
with the model, so a trained model keeps recognising exactly the catalog it was trained on.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from knowledge.catalog import Catalog

# Single-word model names this common in English ('Escape', 'Pilot', 'Colorado') count as a product
# only when written with a capital letter or after the brand (spaCy lexeme log-probability).
COMMON_WORD_LOGPROB = -14.5


@dataclass(frozen=True)
class ProductName:
    phrase: str  # lower case
    product: str  # product id
    needs_cue: bool  # a common English word: needs a capital letter or the brand before it


@dataclass(frozen=True)
class Quantity:
    """A numeric need and how shoppers state it: '16GB of RAM', 'under 3 lbs', 'under $1,500'."""

    need: str
    op: str  # max or min
    low: float
    high: float
    integer: bool
    money: bool
    unit_words: tuple[str, ...]
    context_words: tuple[str, ...]


@dataclass(frozen=True)
class PartyWords:
    """How a number of people states a need: 'family of five', 'six of us', '3 kids'."""

    need: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    adults: int = 0


@dataclass(frozen=True)
class Lexicon:
    products: tuple[ProductName, ...] = ()
    brands: dict[str, str] = field(default_factory=dict)  # phrase -> brand
    values: tuple[tuple[str, str, str], ...] = ()  # (phrase, entity, value)
    quantities: tuple[Quantity, ...] = ()
    priorities: tuple[tuple[str, str], ...] = ()  # (phrase, priority)
    # The shoppers' own phrasing (category.yml `phrasing`) and what it needs to know:
    hints: tuple[tuple[str, str], ...] = ()  # (phrase, priority): 'dog' -> cargo
    superlatives: tuple[tuple[str, str, str], ...] = ()  # (phrase, attribute, highest|lowest)
    measures: tuple[tuple[str, str, str], ...] = ()  # (phrase, number attribute, better or '')
    need_words: tuple[tuple[str, str], ...] = ()  # (phrase, need): what 'forget the X' drops
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # need -> its values
    party: PartyWords | None = None
    ordinals: tuple[str, ...] = ()  # needs stated with an ordinal: 'a third row'
    display: dict[str, str] = field(default_factory=dict)  # product id -> 'Kia Telluride'

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        party = data.get("party")
        return cls(
            products=tuple(ProductName(**p) for p in data["products"]),
            brands=dict(data["brands"]),
            values=tuple(tuple(v) for v in data["values"]),
            quantities=tuple(
                Quantity(
                    **{
                        **q,
                        "unit_words": tuple(q["unit_words"]),
                        "context_words": tuple(q["context_words"]),
                    }
                )
                for q in data["quantities"]
            ),
            priorities=tuple(tuple(p) for p in data["priorities"]),
            hints=tuple(tuple(h) for h in data.get("hints", ())),
            superlatives=tuple(tuple(s) for s in data.get("superlatives", ())),
            measures=tuple(tuple(m) for m in data.get("measures", ())),
            need_words=tuple(tuple(w) for w in data.get("need_words", ())),
            choices={k: tuple(v) for k, v in data.get("choices", {}).items()},
            party=PartyWords(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in party.items()}
            )
            if party
            else None,
            ordinals=tuple(data.get("ordinals", ())),
            display=dict(data.get("display", {})),
        )

    def vocabulary(self) -> set[str]:
        """Every word of the catalog's phrases (4 letters or more), which a misspelling may be
        corrected to."""
        phrases = [p.phrase for p in self.products] + list(self.brands)
        phrases += [v[0] for v in self.values] + [p[0] for p in self.priorities]
        phrases += [h[0] for h in self.hints] + [s[0] for s in self.superlatives]
        phrases += [w[0] for w in self.need_words]
        words = {w for phrase in phrases for w in re.split(r"[\s\-.]+", phrase)}
        words = {w for w in words if len(w) >= 4 and w.isalpha()}
        # Not the plurals made up for matching: 'taos' (a real model) is no misspelled 'tacos'.
        return {w for w in words if not _made_plural(w, words)}


def name_variants(name: str) -> set[str]:
    """'CR-V' -> {'cr-v', 'crv', 'cr v'}; 'ID.4' -> {'id.4', 'id4', 'id 4'}; a phrase of several
    words also hyphenated: 'all wheel drive' -> 'all-wheel-drive'."""
    lowered = str(name).lower().strip()
    variants = {lowered}
    if re.search(r"[-.]", lowered):
        variants.add(re.sub(r"[-.]", "", lowered))
        variants.add(re.sub(r"\s+", " ", re.sub(r"[-.]", " ", lowered)).strip())
    for variant in list(variants):
        if " " in variant:
            variants.add(re.sub(r"[\s-]+", "-", variant))
    return variants


def _made_plural(word: str, words: set[str]) -> bool:
    return any(plural(w) == word for w in (word[:-1], word[:-2], word[:-3] + "y") if w in words)


def plural(phrase: str) -> str:
    """The English plural of a phrase's last word: 'suv' -> 'suvs', 'pickup truck' -> 'pickup
    trucks', 'gas' -> 'gases', 'family' -> 'families'."""
    if re.search(r"(s|x|z|ch|sh)$", phrase):
        return phrase + "es"
    if re.search(r"[^aeiou]y$", phrase):
        return phrase[:-1] + "ies"
    return phrase + "s"


def with_plurals(phrases: set[str]) -> set[str]:
    """The phrases and their plurals ('SUVs', 'Tacomas', '2-in-1s'); numbers stay as they are."""
    return phrases | {plural(p) for p in phrases if p[-1:].isalpha() or p.endswith("-in-1")}


def _common_words(words: set[str]) -> set[str]:
    """The words among `words` that are ordinary English (spacy-lookups-data lexeme probability)."""
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
    return {w for w in words if table.get(w, -99.0) > COMMON_WORD_LOGPROB}


def build_lexicon(catalog: Catalog) -> Lexicon:
    category = catalog.category
    brand_phrases: dict[str, str] = {}
    for brand in catalog.brands:
        for name in catalog.brand_names(brand):
            for variant in name_variants(name):
                brand_phrases[variant] = brand
                brand_phrases[variant + "s"] = brand  # 'no Teslas'

    names: dict[str, tuple[str, bool]] = {}
    single_words = set()
    for product in catalog.products:
        for name in (product.model, *product.aliases):
            for variant in with_plurals(name_variants(name)):
                if " " not in variant and variant.isalpha():
                    single_words.add(variant)
                names.setdefault(variant, (product.id, False))
                for brand in catalog.brand_names(product.brand):
                    for prefix in name_variants(brand):
                        names.setdefault(f"{prefix} {variant}", (product.id, True))
    common = _common_words(single_words) if single_words else set()
    products = tuple(
        ProductName(phrase, pid, needs_cue=(not prefixed and phrase in common))
        for phrase, (pid, prefixed) in sorted(names.items())
    )

    values: list[tuple[str, str, str]] = []
    quantities: list[Quantity] = []
    fixed_values = {
        (spec.attribute, v) for spec in category.needs.values() if spec.fixed for v in spec.fixed
    }
    for need, spec in category.needs.items():
        attribute = category.attributes[spec.attribute]
        if spec.op in ("max", "min"):
            low, high = attribute.range or (float("-inf"), float("inf"))
            quantities.append(
                Quantity(
                    need=need,
                    op=spec.op,
                    low=float(low),
                    high=float(high),
                    integer=attribute.type == "integer",
                    money=attribute.unit == "USD",
                    unit_words=tuple(w.lower() for w in attribute.unit_words),
                    context_words=tuple(s.lower() for s in attribute.synonyms),
                )
            )
            continue
        chosen = spec.fixed or attribute.values
        for value in chosen:
            if not spec.fixed and (spec.attribute, value) in fixed_values:
                continue  # 'AWD' goes to the yes/no need, not the general one
            phrases = {value.replace("_", " "), *attribute.value_synonyms.get(value, ())}
            for phrase in phrases:
                for variant in with_plurals(name_variants(phrase)):
                    values.append((variant, need, "yes" if spec.fixed else value))

    # A word that names a hard need ('budget') states a limit, not what matters most.
    need_labels = {spec.label.lower() for spec in category.needs.values()}
    priorities = []
    for name, priority in category.priorities.items():
        for attribute_name in priority.attributes:
            for word in category.attributes[attribute_name].synonyms:
                if word.lower() not in need_labels:
                    priorities.append((word.lower(), name))
    return Lexicon(
        products=products,
        brands=dict(sorted(brand_phrases.items())),
        values=tuple(sorted(set(values))),
        quantities=tuple(quantities),
        priorities=tuple(sorted(set(priorities))),
        **phrasing_words(catalog),
    )


def phrasing_words(catalog: Catalog) -> dict[str, Any]:
    """The lexicon's part for the shoppers' own phrasing: hints, superlatives, the words that name
    each need (for 'forget the budget'), each need's values (for 'anything but electric'), party
    sizes, ordinals, and the names a 'did you mean' question shows."""
    category = catalog.category
    phrasing = category.phrasing
    measures, need_words, choices = set(), set(), {}
    for name, attribute in category.attributes.items():
        if attribute.is_numeric:
            for word in attribute.synonyms:
                for variant in name_variants(word):
                    measures.add((variant, name, attribute.better or ""))
    fixed_values = {
        (spec.attribute, v) for spec in category.needs.values() if spec.fixed for v in spec.fixed
    }
    for need, spec in category.needs.items():
        attribute = category.attributes[spec.attribute]
        words = {spec.label, *attribute.synonyms}
        if spec.fixed:  # 'forget the AWD'
            for value in spec.fixed:
                words |= {value.replace("_", " "), *attribute.value_synonyms.get(value, ())}
        elif spec.op in ("in", "has_any"):
            choices[need] = tuple(
                v for v in attribute.values if (spec.attribute, v) not in fixed_values
            )
        for word in words:
            for variant in name_variants(word):
                need_words.add((variant, need))
    party = phrasing.party
    return {
        "hints": tuple(sorted({(v, p) for w, p in phrasing.hints for v in name_variants(w)})),
        "superlatives": tuple(
            sorted(
                {
                    (v, s.attribute, s.order)
                    for s in phrasing.superlatives
                    for v in name_variants(s.phrase)
                }
            )
        ),  # fmt: skip
        "measures": tuple(sorted(measures)),
        "need_words": tuple(sorted(need_words)),
        "choices": choices,
        "party": PartyWords(party.need, party.before, party.after, party.children, party.adults)
        if party
        else None,
        "ordinals": phrasing.ordinals,
        "display": {p.id: f"{p.brand} {p.model}" for p in catalog.products},
    }
