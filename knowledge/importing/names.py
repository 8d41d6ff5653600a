"""Writing a catalog's list of real model names from a public data file, as declared in
`sources/names/*.yml`: every brand and model the file lists for the declared model years, with the
values of catalog attributes its rows imply (body type, powertrain), its size class, and how it must
be written to count as a model name: after its brand when it is very short or has no letter ('ES',
'1500'), with a capital letter or after its brand when it is an ordinary English word ('Edge').

The list is data the advisor reads at run time (knowledge/other_models.py) to tell a real model it
has no data on from a word it did not understand. It is generated, committed, and generated again
when the file is updated: `advisor kb names FILE`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Catalog
from knowledge.errors import Errors, SourceFileError
from knowledge.importing.rows import Row, read_table
from knowledge.importing.writer import write_atomically
from knowledge.lexicon import COMMON_WORD_LOGPROB
from knowledge.loader import load
from knowledge.sources import SourceSpec, read_spec, sources_dir

NAMES_DIR = "names"
SHORT = 2  # a model name this short ('ES', 'X5'), or without a letter ('1500'), needs its brand


@dataclass(frozen=True)
class Implied:
    """How rows imply one attribute's values: the source's row classes, or words in a column."""

    attribute: str
    classes: bool = False
    column: str | None = None
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value -> words

    def of(self, spec: SourceSpec, row: Row) -> list[str]:
        if self.classes:
            found = spec.row_class(row.cells)
            return [found] if found else []
        cell = row.get(self.column or "").lower()
        return [v for v, words in self.values.items() if any(w.lower() in cell for w in words)]


@dataclass(frozen=True)
class NamesSpec:
    file: Path
    source: SourceSpec
    output: Path
    years: tuple[str, ...]
    brand: str
    model: str
    split: str | None
    implies: tuple[Implied, ...]
    size_column: str | None = None
    size_drop: re.Pattern | None = None
    size_order: tuple[str, ...] = ()

    def size_class(self, row: Row) -> str | None:
        if not self.size_column:
            return None
        text = row.get(self.size_column).strip()
        if self.size_drop is not None:
            text = self.size_drop.sub("", text).strip()
        return text or None

    def size_rank(self, size_class: str | None) -> int | None:
        words = (size_class or "").split()
        return (
            self.size_order.index(words[0]) + 1 if words and words[0] in self.size_order else None
        )


def declarations(catalog_path: str | Path) -> list[Path]:
    """The name-list declarations of a catalog: `sources/names/*.yml` with an `output`."""
    folder = sources_dir(catalog_path) / NAMES_DIR
    if not folder.is_dir():
        return []
    found = []
    for file in sorted(folder.glob("*.yml")):
        data = _yaml(file)
        if "output" in data:
            found.append(file)
    return found


def _yaml(file: Path) -> dict:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        detail = str(error).replace("\n", " ")
        raise SourceFileError(file, Errors.E100.format(detail=detail)) from error
    if not isinstance(data, dict):
        raise SourceFileError(file, Errors.E100.format(detail="the top level must be a mapping"))
    return data


def read_names_spec(file: Path, catalog: Catalog) -> NamesSpec:
    """Read one declaration; raises SourceFileError naming the file and the field."""
    data = _yaml(file)

    def bad(where: str, detail: str) -> SourceFileError:
        return SourceFileError(file, Errors.E130.format(detail=detail), field=where)

    for key in ("source", "output", "brand", "model"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise bad(key, "required text")
    source_file = (file.parent / data["source"]).resolve()
    if not source_file.is_file():
        raise bad("source", f"no source declaration at {source_file}")
    source = read_spec(source_file)
    years = data.get("years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise bad("years", "a list of model years")
    if years and not source.year:
        raise bad("years", f"{source_file.name} declares no model-year column")
    extra = data.get("columns") or []
    if not isinstance(extra, list) or not all(isinstance(c, str) for c in extra):
        raise bad("columns", "a list of column names")
    implies = []
    for attribute, how in (data.get("implies") or {}).items():
        implies.append(_implied(str(attribute), how, catalog, source, bad))
    size = data.get("size") or {}
    if not isinstance(size, dict):
        raise bad("size", "a mapping with column, drop and order")
    try:
        drop = re.compile(size["drop"]) if size.get("drop") else None
    except re.error as error:
        raise bad("size.drop", f"not a regular expression ({error})") from error
    order = size.get("order") or []
    if not isinstance(order, list) or not all(isinstance(w, str) for w in order):
        raise bad("size.order", "a list of words, smallest first")
    columns = {data["brand"], data["model"], *extra}
    columns |= {i.column for i in implies if i.column}
    if size.get("column"):
        columns.add(size["column"])
    source = replace(source, columns=tuple(dict.fromkeys([*source.columns, *sorted(columns)])))
    return NamesSpec(
        file=file,
        source=source,
        output=file.parent / data["output"],
        years=tuple(str(y) for y in years),
        brand=data["brand"],
        model=data["model"],
        split=data.get("split"),
        implies=tuple(implies),
        size_column=size.get("column"),
        size_drop=drop,
        size_order=tuple(order),
    )


def _implied(attribute: str, how: Any, catalog: Catalog, source: SourceSpec, bad) -> Implied:
    where = f"implies.{attribute}"
    declared = catalog.category.attributes.get(attribute)
    if declared is None or not declared.values:
        raise bad(where, f"'{attribute}' is not a category attribute with declared values")
    if not isinstance(how, dict):
        raise bad(where, "a mapping: {classes: true} or {column, values}")
    if how.get("classes"):
        if source.class_attribute != attribute:
            raise bad(where, f"the source's classes are of '{source.class_attribute}'")
        return Implied(attribute, classes=True)
    values = how.get("values")
    if not isinstance(how.get("column"), str) or not isinstance(values, dict):
        raise bad(where, "a column and the words that imply each value")
    mapping: dict[str, tuple[str, ...]] = {}
    for value, words in values.items():
        if str(value) not in declared.values:
            raise bad(f"{where}.values.{value}", f"not a value of '{attribute}'")
        listed = words if isinstance(words, list) else [words]
        mapping[str(value)] = tuple(str(w) for w in listed)
    return Implied(attribute, column=how["column"], values=mapping)


def common_words(words: set[str]) -> set[str]:
    """The words among `words` that are ordinary English (spacy-lookups-data lexeme probability,
    the test the recogniser applies to model names)."""
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")
    return {w for w in words if table.get(w, -99.0) > COMMON_WORD_LOGPROB}


def model_names(spec: NamesSpec, rows: list[Row]) -> tuple[list[dict[str, Any]], list[dict]]:
    """One entry per brand and model, most common implied values and size class first; and one
    per brand."""
    grouped: dict[tuple[str, str], list[Row]] = {}
    spelled: dict[str, str] = {}  # 'mini' -> 'MINI': one spelling per brand
    for row in rows:
        if spec.years and row.get(spec.source.year or "").strip() not in spec.years:
            continue
        brand = " ".join(row.get(spec.brand).split())
        brand = spelled.setdefault(brand.lower(), brand)
        models = row.get(spec.model).split(spec.split) if spec.split else [row.get(spec.model)]
        for model in (" ".join(m.split()) for m in models):
            if brand and model:
                grouped.setdefault((brand, model), []).append(row)
    single = {m.lower() for _, m in grouped if m.isalpha()}
    single |= {b.lower() for b, _ in grouped if b.isalpha()}
    common = common_words(single) if single else set()
    entries = []
    for (brand, model), group in sorted(grouped.items(), key=lambda k: (k[0][0].lower(), k[0][1])):
        implies = {}
        for implied in spec.implies:
            counts = Counter(v for row in group for v in implied.of(spec.source, row))
            if counts:
                implies[implied.attribute] = [v for v, _ in counts.most_common()]
        sizes = Counter(c for row in group if (c := spec.size_class(row)))
        entry: dict[str, Any] = {"brand": brand, "model": model}
        if sizes:
            size_class = sizes.most_common(1)[0][0]
            entry["class"] = size_class
            rank = spec.size_rank(size_class)
            if rank is not None:
                entry["size"] = rank
        if implies:
            entry["implies"] = implies
        alnum = re.sub(r"[^a-z0-9]", "", model.lower())
        if len(alnum) <= SHORT or not re.search(r"[a-z]", alnum):
            entry["needs_brand"] = True
        elif model.lower() in common:
            entry["common"] = True
        entries.append(entry)
    brands = []
    for brand in sorted({b for b, _ in grouped}, key=str.lower):
        brands.append({"brand": brand, **({"common": True} if brand.lower() in common else {})})
    return entries, brands


def names_text(
    spec: NamesSpec, entries: list[dict[str, Any]], brands: list[dict], data_file: Path
) -> str:
    """The generated file: a header naming how it was made, the source, then one line per model."""
    source = spec.source
    years = f" for model years {spec.years[0]}-{spec.years[-1]}" if spec.years else ""
    header = (
        f"# Generated by `advisor kb names {data_file.name}` from {spec.file.name}: every brand and "
        f"model\n# {source.name} lists{years}, with the values its rows imply.\n"
        "# Do not edit: change the declaration and run the command again.\n"
    )
    head = {
        "name": source.name,
        "label": source.label,
        "as_of": source.as_of.isoformat() if source.as_of else None,
    }
    source_part = yaml.safe_dump({"source": head}, sort_keys=False, allow_unicode=True)
    # one flow-style line per model keeps the file short and its diffs readable
    lists = ""
    for key, items in (("brands", brands), ("models", entries)):
        lists += f"{key}:\n" + "".join(
            "- " + yaml.safe_dump(e, default_flow_style=True, width=400, allow_unicode=True)
            for e in items
        )
    return header + source_part + lists


def write_names(catalog_path: str | Path | None, data_file: str | Path) -> list[tuple[Path, int]]:
    """Generate every name list the catalog declares from `data_file`; returns (file, models)."""
    catalog = load(catalog_path)
    files = declarations(catalog.source)
    if not files:
        raise SourceFileError(
            sources_dir(catalog.source) / NAMES_DIR,
            Errors.E130.format(detail="the catalog declares no name list (sources/names/*.yml)"),
        )
    written = []
    for file in files:
        spec = read_names_spec(file, catalog)
        table = read_table(data_file, spec.source)
        entries, brands = model_names(spec, table.rows)
        if not entries:
            raise SourceFileError(
                Path(data_file), Errors.E130.format(detail="no row of the declared model years")
            )
        text = names_text(spec, entries, brands, Path(data_file))
        if spec.output.is_file():
            write_atomically(spec.output, text)
        else:
            spec.output.write_text(text, encoding="utf-8")
        written.append((spec.output, len(entries)))
    return written
