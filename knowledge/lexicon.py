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
class Lexicon:
    products: tuple[ProductName, ...] = ()
    brands: dict[str, str] = field(default_factory=dict)  # phrase -> brand
    values: tuple[tuple[str, str, str], ...] = ()  # (phrase, entity, value)
    quantities: tuple[Quantity, ...] = ()
    priorities: tuple[tuple[str, str], ...] = ()  # (phrase, priority)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
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
        )


def name_variants(name: str) -> set[str]:
    """'CR-V' -> {'cr-v', 'crv', 'cr v'}; 'ID.4' -> {'id.4', 'id4', 'id 4'}."""
    lowered = str(name).lower().strip()
    variants = {lowered}
    if re.search(r"[-.]", lowered):
        variants.add(re.sub(r"[-.]", "", lowered))
        variants.add(re.sub(r"\s+", " ", re.sub(r"[-.]", " ", lowered)).strip())
    return variants


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
            for variant in name_variants(name):
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
                for variant in name_variants(phrase):
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
    )
