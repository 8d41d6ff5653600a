"""The catalog model: a category (attributes, needs, priorities) and its products.

Everything here is plain data; reading and validating YAML lives in `loader.py`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from knowledge.errors import UnknownProductError
from knowledge.phrasing import Phrasing
from knowledge.roles import Ownership, Phrases, Question, Roles

ATTRIBUTE_TYPES = ("number", "integer", "boolean", "category", "set")
DIRECTIONS = ("higher", "lower")
NEED_OPS = ("max", "min", "in", "has_any")


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str
    type: str
    unit: str | None = None
    better: str | None = None
    range: tuple[float, float] | None = None
    values: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    value_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    value_labels: dict[str, str] = field(default_factory=dict)
    unit_words: tuple[str, ...] = ()  # how shoppers write the unit after a number: 'lbs', 'seater'
    # Phrases that ask for this figure without naming it ('how much does * cost'); '*' is any words.
    questions: tuple[str, ...] = ()
    # Words about the attribute that name it too loosely for the bot to read as a need ('room' is
    # seats or cargo): the insights miners never report them as a missing feature.
    related_words: tuple[str, ...] = ()
    # Products the figure exists for at all ({'powertrain': ('electric', 'plug_in_hybrid')} for an
    # electric range): outside them a missing value is not a gap in the data, the product simply
    # has no such figure, and it misses a need on it as it would on any other attribute.
    applies_when: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def applies_to(self, values: dict) -> bool:
        """Whether a product with these values can have this figure at all (it may, when the
        value deciding it is not on file either)."""
        for name, allowed in self.applies_when.items():
            value = values.get(name)
            if value is None:
                continue
            has = set(value) if isinstance(value, tuple) else {value}
            if not has & set(allowed):
                return False
        return True

    def value_label(self, value: str) -> str:
        """A declared value as people read it: 'suv' -> 'SUV' (from value_labels), 'a_b' -> 'a b'."""
        return self.value_labels.get(value, str(value).replace("_", " "))

    @property
    def is_numeric(self) -> bool:
        return self.type in ("number", "integer")

    def format(self, value: Any) -> str:
        """A value as people read it: '$34,995', '2.7 lb', '16 GB', 'macOS, Windows'."""
        if value is None:
            return "no data"
        if self.type == "boolean":
            return "yes" if value else "no"
        if self.type == "set":
            return ", ".join(self.value_label(v) for v in value)
        if self.type == "category":
            return self.value_label(value)
        if self.unit == "USD":
            return f"${value:,.0f}"
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return f"{number} {self.unit}" if self.unit else number


@dataclass(frozen=True)
class NeedSpec:
    """A hard constraint a shopper can state, e.g. budget = price_usd <= X."""

    name: str
    attribute: str
    op: str
    label: str
    fixed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PrioritySpec:
    """A soft priority, scored on the first of its attributes that a product has."""

    name: str
    attributes: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class ConfigurationSpec:
    """Which attribute names a product's configurations (e.g. `drivetrains`), and the key a figure
    uses to say which one it describes (e.g. `drivetrain: awd`)."""

    attribute: str
    key: str


@dataclass(frozen=True)
class Figure:
    """One figure and what it describes: the configuration (trim, variant) and its own source."""

    value: Any
    source: str | None = None
    as_of: date | None = None
    trim: str | None = None
    config: str | None = None  # a value of the category's configuration attribute, e.g. 'awd'


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    item: str
    items: str
    attributes: dict[str, Attribute]
    needs: dict[str, NeedSpec]
    priorities: dict[str, PrioritySpec]
    default_priorities: tuple[str, ...]
    deployer: str | None = None
    house_brand: str | None = None
    brand_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    recall_check: str | None = None  # how a shopper checks for new recalls before buying
    roles: Roles = field(default_factory=Roles)  # price, size and energy-use attributes
    ownership: Ownership | None = None  # cost-to-own assumptions
    interview: tuple[Question, ...] = ()  # the needs interview's questions, in order
    phrases: Phrases = field(default_factory=Phrases)  # sample requests for help texts
    configuration: ConfigurationSpec | None = None  # which attribute tells configurations apart
    phrasing: Phrasing = field(default_factory=Phrasing)  # shoppers' own ways of stating needs
    # features.yml: {canonical word: the words shoppers use for it}, for grouping free-text
    # feature requests by meaning (analysis.feature_meaning)
    feature_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # feature_glossary.yml: {feature id: (its name, *the ways shoppers say it)}, the features
    # requests are matched to by meaning (analysis.feature_meaning)
    feature_glossary: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownIssue:
    kind: str
    summary: str
    source: str | None = None
    date: date | None = None
    id: str | None = None  # the regulator's campaign number, for a recall
    year: int | None = None  # the campaign year, where no date is given


@dataclass(frozen=True, eq=False)
class Product:
    """One product. Identity is its id: two products are the same only if their ids are."""

    id: str
    brand: str
    model: str
    values: dict[str, Any]
    sources: tuple[str, ...]
    as_of: date
    trim: str | None = None
    year: int | None = None
    aliases: tuple[str, ...] = ()
    known_issues: tuple[KnownIssue, ...] = ()
    file: str = ""
    # Every value's figures, headline first; a plain value is one figure without its own source.
    figures: dict[str, tuple[Figure, ...]] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def name(self) -> str:
        return f"{self.brand} {self.model}"

    @property
    def full_name(self) -> str:
        year = f"{self.year} " if self.year else ""
        trim = f" {self.trim}" if self.trim else ""
        return f"{year}{self.brand} {self.model}{trim}"

    def value(self, attribute: str) -> Any:
        return self.values.get(attribute)

    def figure(self, attribute: str, configs: Iterable[str] = ()) -> Figure | None:
        """The figure for the first of `configs` that one describes, else the headline figure."""
        figures = self.figures.get(attribute) or (
            (Figure(self.values[attribute]),) if attribute in self.values else ()
        )
        for config in configs:
            for figure in figures:
                if figure.config == config:
                    return figure
        return figures[0] if figures else None

    def configured(self, configs: Iterable[str]) -> Product:
        """This product with, for each value, the figure of the first of `configs` it has."""
        wanted = tuple(configs)
        if not wanted:
            return self
        values, figures = dict(self.values), dict(self.figures)
        for name, found in self.figures.items():
            chosen = self.figure(name, wanted)
            if chosen is not None:
                values[name] = chosen.value
                figures[name] = (chosen, *(f for f in found if f is not chosen))
        return replace(self, values=values, figures=figures)


def name_key(text: str) -> str:
    """Normalise a product name for lookup: 'CR-V', 'cr v' and 'CRV' all become 'crv'."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@dataclass(frozen=True)
class Catalog:
    category: Category
    products: tuple[Product, ...]
    source: str = ""

    def __iter__(self):
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    @cached_property
    def by_id(self) -> dict[str, Product]:
        return {p.id: p for p in self.products}

    @cached_property
    def brands(self) -> tuple[str, ...]:
        return tuple(sorted({p.brand for p in self.products}))

    @cached_property
    def value_ranges(self) -> dict[str, tuple[float, float]]:
        """Min and max of each numeric attribute over the catalog, for normalising scores."""
        ranges: dict[str, tuple[float, float]] = {}
        for name, attribute in self.category.attributes.items():
            if not attribute.is_numeric:
                continue
            present = [p.values[name] for p in self.products if p.values.get(name) is not None]
            if present:
                ranges[name] = (min(present), max(present))
        return ranges

    def brand_names(self, brand: str) -> tuple[str, ...]:
        return (brand, *self.category.brand_aliases.get(brand, ()))

    @cached_property
    def name_index(self) -> dict[str, list[Product]]:
        """Every way a product can be named (model, brand + model, aliases, brand alias + model)."""
        index: dict[str, list[Product]] = {}
        for product in self.products:
            names = {product.model, *product.aliases}
            keys = set()
            for name in names:
                keys.add(name_key(name))
                for brand in self.brand_names(product.brand):
                    keys.add(name_key(f"{brand} {name}"))
                    if product.year:
                        keys.add(name_key(f"{product.year} {brand} {name}"))
            for key in keys:
                index.setdefault(key, []).append(product)
        return index

    def find(self, name: str) -> Product:
        """The product a shopper means by `name`; raises UnknownProductError with suggestions."""
        if name in self.by_id:
            return self.by_id[name]
        matches = self.name_index.get(name_key(name), [])
        if matches:
            # Several model years of one model: the newest is what a shopper means.
            return max(matches, key=lambda p: (p.year or 0, p.id))
        raise UnknownProductError(name, self.suggest(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Catalog product names closest to `name`, for 'did you mean' answers."""
        key = name_key(name)
        close = difflib.get_close_matches(key, list(self.name_index), n=limit * 3, cutoff=0.6)
        if not close:
            close = [k for k in self.name_index if key and (key in k or k in key)]
        seen: list[str] = []
        for candidate in close:
            for product in self.name_index[candidate]:
                if product.name not in seen:
                    seen.append(product.name)
        return seen[:limit]
