"""Real products the catalog lacks: recognising their names in a message, and the catalog's
products with a like name (what the advisor then says is knowledge/no_data.py).

The names come from data, not code: a catalog may keep generated lists of the brands and models a
public file lists (`sources/names/*.yml`, written by `advisor kb names`; see FORMAT.md), each model
with the attribute values its rows imply (a Ford Bronco is a gas SUV) and its size class. A catalog
without such a list simply recognises no unknown names.

- A name the catalog knows (any product's model, alias, with or without its brand) is never
  reported, nor any part of it ('Bronco' in 'Bronco Sport').
- A product of the catalog whose name contains the unknown one, or is contained in it, is offered
  as what it is: 'I have the Ford Bronco Sport, a different model'. When the only difference is a
  declared attribute value ('Accord' and 'Accord Hybrid'), it is that version of the same model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Catalog, Product, name_key
from knowledge.errors import Errors, SourceFileError
from knowledge.sources import SafeLoader, sources_dir

NAMES_DIR = "names"
WORD = re.compile(r"[A-Za-z0-9]+(?:[.\-'][A-Za-z0-9]+)*")
LONGEST = 4  # words in the longest name looked for


@dataclass(frozen=True)
class OtherModel:
    brand: str
    model: str
    implies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    size_class: str | None = None
    size: int | None = None  # rank of the size class, smallest first
    needs_brand: bool = False  # counts only after its brand ('ES', '1500')
    common: bool = False  # an English word: needs a capital letter or its brand ('Edge')

    @property
    def name(self) -> str:
        return f"{self.brand} {self.model}"


@dataclass(frozen=True)
class NameList:
    brands: dict[str, bool]  # brand -> an ordinary English word
    models: tuple[OtherModel, ...]
    source: str = ""


@dataclass(frozen=True)
class Mention:
    """A real product (or brand) named in a message that the catalog has no data on."""

    text: str
    start: int
    end: int
    brand: str
    model: OtherModel | None = None  # None: a brand with no product in the catalog

    @property
    def name(self) -> str:
        return self.model.name if self.model else self.brand


@dataclass(frozen=True)
class Namesake:
    """A catalog product whose name is like the unknown one's."""

    product: Product
    version_of: str | None = None  # 'hybrid': the same model in another version
    size: str | None = None  # 'smaller' or 'larger', when the size classes say so


def read_name_list(catalog_path: str | Path) -> NameList:
    """Every generated list under the catalog's sources/names/ (files with `models`)."""
    folder = sources_dir(catalog_path) / NAMES_DIR
    brands: dict[str, bool] = {}
    models: list[OtherModel] = []
    sources = []
    for file in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=SafeLoader) or {}  # noqa: S506
        except (OSError, yaml.YAMLError) as error:
            raise SourceFileError(file, Errors.E100.format(detail=str(error))) from error
        if not isinstance(data, dict) or "models" not in data:
            continue  # a declaration, not a list
        for i, raw in enumerate(data.get("models") or []):
            models.append(_model(file, i, raw))
        for raw in data.get("brands") or []:
            if isinstance(raw, dict) and isinstance(raw.get("brand"), str):
                brands[raw["brand"]] = bool(raw.get("common"))
        sources.append(str((data.get("source") or {}).get("name") or file.name))
    for model in models:
        brands.setdefault(model.brand, False)
    return NameList(brands, tuple(models), "; ".join(sources))


def _model(file: Path, i: int, raw: Any) -> OtherModel:
    where = f"models[{i}]"
    if not (isinstance(raw, dict) and isinstance(raw.get("brand"), str) and raw.get("model")):
        detail = "each model needs a brand and a model"
        raise SourceFileError(file, Errors.E130.format(detail=detail), field=where)
    implies = raw.get("implies") or {}
    if not isinstance(implies, dict) or not all(isinstance(v, list) for v in implies.values()):
        detail = "implies must map attributes to lists of values"
        raise SourceFileError(file, Errors.E130.format(detail=detail), field=f"{where}.implies")
    return OtherModel(
        brand=raw["brand"],
        model=str(raw["model"]),
        implies={str(k): tuple(str(x) for x in v) for k, v in implies.items()},
        size_class=raw.get("class"),
        size=raw.get("size") if isinstance(raw.get("size"), int) else None,
        needs_brand=bool(raw.get("needs_brand")),
        common=bool(raw.get("common")),
    )


class NameIndex:
    """The names of one catalog's list, ready to look up: every key a name can be written as."""

    def __init__(self, catalog: Catalog, names: NameList):
        self.catalog = catalog
        self.names = names
        self.known = set(catalog.name_index)
        ours = {b.lower() for b in catalog.brands}
        self.models: dict[str, list[tuple[OtherModel, bool]]] = {}  # key -> (model, branded)
        self.brands: dict[str, tuple[str, bool]] = {}  # key -> (brand, common)
        for brand, common in names.brands.items():
            if brand.lower() not in ours:
                for key in (name_key(brand), name_key(brand) + "s"):
                    self.brands.setdefault(key, (brand, common))
        for model in names.models:
            for brand in self._brand_names(model.brand):
                self._add(name_key(f"{brand} {model.model}"), model, True)
            if not model.needs_brand:
                self._add(name_key(model.model), model, False)
        self.by_entry: dict[str, OtherModel] = {}
        for model in names.models:
            self.by_entry.setdefault(name_key(model.name), model)

    def _brand_names(self, brand: str) -> tuple[str, ...]:
        for ours in self.catalog.brands:
            if ours.lower() == brand.lower():
                return self.catalog.brand_names(ours)
        return (brand,)

    def _add(self, key: str, model: OtherModel, branded: bool) -> None:
        if key and key not in self.known:
            self.models.setdefault(key, []).append((model, branded))
            self.models.setdefault(key + "s", []).append((model, branded))

    def entry_for(self, product: Product) -> OtherModel | None:
        """The list's entry for a catalog product: its brand and model (or alias), or the
        shortest start of them the list has ('Tucson Hybrid' is EPA's 'Tucson')."""
        for name in (product.model, *product.aliases):
            words = name.split()
            for length in range(len(words), 0, -1):
                start = " ".join(words[:length])
                for brand in self.catalog.brand_names(product.brand):
                    found = self.by_entry.get(name_key(f"{brand} {start}"))
                    if found is None and start.lower().startswith(brand.lower()):
                        found = self.by_entry.get(name_key(start))
                    if found is not None:
                        return found
        return None


_INDEXES: dict[int, NameIndex] = {}


def name_index(catalog: Catalog) -> NameIndex:
    """The catalog's name index, built once per catalog object."""
    index = _INDEXES.get(id(catalog))
    if index is None or index.catalog is not catalog:
        index = _INDEXES[id(catalog)] = NameIndex(catalog, read_name_list(catalog.source))
    return index


def unknown_mentions(
    catalog: Catalog, text: str, taken: list[tuple[int, int]] | tuple = ()
) -> list[Mention]:
    """The real products (and brands) `text` names that the catalog has no data on, in order.
    Spans in `taken` (products the recogniser found) are skipped."""
    index = name_index(catalog)
    if not index.names.models:
        return []
    words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]
    found: list[Mention] = []
    i = 0
    while i < len(words):
        step = _match_at(index, text, words, i, taken, found)
        i += step
    return found


def _match_at(index: NameIndex, text, words, i, taken, found: list[Mention]) -> int:
    """Look for a name starting at word i; returns how many words it used (1 when none)."""
    for length in range(min(LONGEST, len(words) - i), 0, -1):
        span = words[i : i + length]
        start, end = span[0][1], span[-1][2]
        if any(s < end and start < e for s, e in taken):
            continue
        written = text[start:end]
        key = name_key(re.sub(r"'s$", "", written))
        if key in index.known:
            return length  # a catalog product, or part of one's name
        for model, branded in index.models.get(key, []):
            if branded or _stands_alone(model.common, written, i):
                found.append(Mention(written, start, end, model.brand, model))
                return length
        if length == 1 and key in index.brands:
            brand, common = index.brands[key]
            if not common or _stands_alone(True, written, i):
                found.append(Mention(written, start, end, brand))
                return 1
    return 1


def _stands_alone(common: bool, written: str, position: int) -> bool:
    """An ordinary English word names a product only when capitalised mid-sentence."""
    return not common or (written[:1].isupper() and position > 0)


def namesakes(catalog: Catalog, mention: Mention) -> list[Namesake]:
    """Catalog products whose name contains the unknown model's, or is contained in it (same
    brand): each said to be a different model, or the version of the same one it is."""
    if mention.model is None:
        return []
    index = name_index(catalog)
    wanted = [name_key(w) for w in mention.model.model.split()]
    out: list[Namesake] = []
    for product in catalog.products:
        if product.brand.lower() != mention.brand.lower():
            continue
        for name in (product.model, *product.aliases):
            have = [name_key(w) for w in name.split()]
            if not (_within(wanted, have) or _within(have, wanted)):
                continue
            extra = [w for w in name.split() if name_key(w) not in wanted]
            version = _version_word(catalog, extra) if have[: len(wanted)] == wanted else None
            out.append(Namesake(product, version, _size_word(index, mention.model, product)))
            break
    return out


def _within(part: list[str], whole: list[str]) -> bool:
    """Whether the words `part` appear together, in order, inside the longer `whole`."""
    n = len(part)
    return 0 < n < len(whole) and any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def _version_word(catalog: Catalog, extra: list[str]) -> str | None:
    """'Hybrid' when the extra words of a name are a declared attribute value ('hybrid')."""
    if not extra:
        return None
    phrase = " ".join(extra).lower()
    for attribute in catalog.category.attributes.values():
        for value in attribute.values:
            words = {value.replace("_", " "), *attribute.value_synonyms.get(value, ())}
            if phrase in {w.lower() for w in words}:
                return attribute.value_label(value)
    return None


def _size_word(index: NameIndex, model: OtherModel, product: Product) -> str | None:
    """'smaller' or 'larger' when both size classes are of one kind ('Small Sport Utility Vehicle'
    and 'Standard Sport Utility Vehicle') and rank differently."""
    mine = index.entry_for(product)
    if mine is None or mine.size is None or model.size is None or mine.size == model.size:
        return None
    if _kind(mine.size_class) != _kind(model.size_class):
        return None
    return "smaller" if mine.size < model.size else "larger"


def _kind(size_class: str | None) -> str:
    """A size class without its size word: 'Small Sport Utility Vehicle' -> 'sport utility vehicle'."""
    words = (size_class or "").lower().split()
    return " ".join(words[1:])
