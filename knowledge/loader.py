"""Reading and validating catalogs from YAML.

Every problem is collected with its file, product and field, so `advisor kb validate` can print all of
them at once and the bot never runs on half a catalog.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from math import isfinite
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import (
    Attribute,
    Catalog,
    Category,
    Figure,
    KnownIssue,
    Product,
)
from knowledge.category_schema import is_name, names, read_category
from knowledge.configurations import FIGURE_FIELDS, check_configs, with_configuration
from knowledge.errors import CatalogError, CatalogProblem, Errors, Problems

# libyaml's parser when PyYAML was built with it (about 15 times faster on the catalog), else the
# pure-Python one; both build the same safe types.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CATALOGS_DIR = Path(__file__).parent / "catalogs"
DEFAULT_CATALOG = CATALOGS_DIR / "vehicles"
OWNERSHIP_FILE = "ownership.yml"  # cost-to-own assumptions beside category.yml (optional)
FEATURES_FILE = "features.yml"  # words for free-text feature requests (optional)
GLOSSARY_FILE = "feature_glossary.yml"  # the features shoppers ask for, and how (optional)
PRODUCT_FIELDS = (
    "id",
    "brand",
    "model",
    "trim",
    "year",
    "aliases",
    "values",
    "known_issues",
    "sources",
    "as_of",
)
REQUIRED_PRODUCT_FIELDS = ("id", "brand", "model", "values", "as_of")
ISSUE_KINDS = ("recall", "issue")
ISSUE_FIELDS = ("kind", "summary", "date", "source", "id", "year")
URL = re.compile(r"^https?://\S+$")
UNIT_VALUE = re.compile(r"^\s*(-?[\d,]*\.?\d+)\s*(.*?)\s*$")


@dataclass
class Report(Problems):
    """What validating a catalog found: the catalog (when usable), every problem, and warnings
    (worth a look, but the catalog is usable)."""

    catalog: Catalog | None = None
    warnings: list[CatalogProblem] = field(default_factory=list)


def default_catalog_path() -> Path:
    return Path(os.environ.get("ADVISOR_CATALOG") or DEFAULT_CATALOG)


def catalog_files(path: Path | str | None = None) -> list[Path]:
    """The YAML files a catalog is read from (a folder's, or the one file)."""
    path = Path(path) if path else default_catalog_path()
    return sorted(path.rglob("*.yml")) if path.is_dir() else [path]


def catalog_fingerprint(path: Path | str | None = None) -> str:
    """A digest of the catalog's files: names and content."""
    digest = hashlib.sha256()
    for file in catalog_files(path):
        digest.update(file.name.encode())
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()[:16]


def _with_feature_files(category, folder: Path, report: Report):
    """The category with its optional feature vocabulary and glossary, each from its own file
    beside category.yml (knowledge.feature_words)."""
    from knowledge.feature_words import read_feature_words, read_glossary

    for name, read, field_name in (
        (FEATURES_FILE, read_feature_words, "feature_words"),
        (GLOSSARY_FILE, read_glossary, "feature_glossary"),
    ):
        file = folder / name
        if file.is_file():
            category = replace(
                category, **{field_name: read(_read_yaml(file, report), file, report)}
            )
    return category


def validate(path: Path | str | None = None) -> Report:
    """Read and check a catalog; never raises for bad data, returns a Report instead."""
    path = Path(path) if path else default_catalog_path()
    report = Report()
    if path.is_dir() and (path / "category.yml").is_file():
        head = _read_yaml(path / "category.yml", report)
        product_files = (
            sorted((path / "products").glob("*.yml")) if (path / "products").is_dir() else []
        )
        head_file = path / "category.yml"
    elif path.is_dir() and len(list(path.glob("*.yml"))) == 1:
        head_file = next(path.glob("*.yml"))
        head = _read_yaml(head_file, report)
        product_files = []
    elif path.is_file():
        head_file, head, product_files = path, _read_yaml(path, report), []
    else:
        report.add(path, Errors.E113.format(path=path))
        return report
    if head is None:
        return report
    head, ownership_file = _with_ownership_file(head, head_file, report)
    if head is None:
        return report
    category = read_category(head, head_file, report, ownership_file)
    if category is None:
        return report
    category = with_configuration(category, head.get("configuration"), head_file, report)
    if category is None:
        return report
    if head_file.name == "category.yml":
        category = _with_feature_files(category, head_file.parent, report)
    products: list[Product] = []
    seen: dict[str, str] = {}
    sources = [(head_file, head)] + [(f, _read_yaml(f, report)) for f in product_files]
    for file, data in sources:
        if data is None:
            continue
        rows = data.get("products", []) if isinstance(data, dict) else None
        if not isinstance(rows, list):
            report.wrong_type(file, "a list under 'products'", rows)
            continue
        for row in rows:
            product = _product(row, file, category, report)
            if product is None:
                continue
            if product.id in seen:
                report.add(
                    file,
                    Errors.E104.format(id=product.id, first=seen[product.id]),
                    product.id,
                    "id",
                )
                continue
            seen[product.id] = str(file)
            products.append(product)
    if report.ok:
        report.catalog = Catalog(category, tuple(products), str(path))
        from knowledge.source_checks import check_sources  # reads the catalog's sources/ folder

        check_sources(report.catalog, report)
        if not report.ok:
            report.catalog = None
    return report


def load(path: Path | str | None = None) -> Catalog:
    """The catalog at `path` (default: DEFAULT_CATALOG or $ADVISOR_CATALOG); raises CatalogError
    listing every problem."""
    report = validate(path)
    if not report.ok:
        raise CatalogError(report.problems)
    assert report.catalog is not None
    return report.catalog


@lru_cache(maxsize=8)
def _cached(path: str) -> Catalog:
    return load(path)


def get_catalog(path: Path | str | None = None) -> Catalog:
    """The catalog, read once per process (no I/O at import time)."""
    return _cached(str(Path(path) if path else default_catalog_path()))


def _with_ownership_file(
    head: dict, head_file: Path, report: Report
) -> tuple[dict | None, Path | None]:
    """A catalog folder may keep its cost-to-own assumptions in `ownership.yml` beside
    category.yml (a deployer replaces that one file); declared in both places is an error."""
    file = head_file.parent / OWNERSHIP_FILE
    if head_file.name != "category.yml" or not file.is_file():
        return head, None
    data = _read_yaml(file, report)
    if data is None:
        return None, file
    if "ownership" in head:
        report.add(file, Errors.E116.format(detail="declared here and in category.yml: keep one"))
        return None, file
    return {**head, "ownership": data.get("ownership", data)}, file


def _read_yaml(file: Path, report: Report) -> Any:
    try:
        with open(file, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as error:
        report.add(file, Errors.E100.format(detail=str(error).replace("\n", " ")))
        return None
    if not isinstance(data, dict):
        report.add(file, Errors.E100.format(detail="the top level must be a mapping"))
        return None
    return data


def _product(row: Any, file: Path, category: Category, report: Report) -> Product | None:
    if not isinstance(row, dict):
        report.wrong_type(file, "a product mapping", row)
        return None
    pid = str(row.get("id") or f"#{row.get('model', '?')}")
    before = len(report.problems)
    for key in row:
        if key not in PRODUCT_FIELDS:
            report.add(
                file, Errors.E110.format(field=key, allowed=", ".join(PRODUCT_FIELDS)), pid, key
            )
    for key in REQUIRED_PRODUCT_FIELDS:
        if row.get(key) in (None, ""):
            report.add(file, Errors.E107.format(field=key), pid, key)
    for key in ("id", "brand", "model", "trim"):
        if row.get(key) not in (None, "") and not is_name(row[key]):
            report.wrong_type(file, "a name", row[key], pid, key)
    aliases = names(row.get("aliases") or [])
    if aliases is None:
        report.wrong_type(file, "a list of names", row["aliases"], pid, "aliases")
    raw_issues = row.get("known_issues") or []
    if not isinstance(raw_issues, list):
        report.wrong_type(file, "a list of known issues", raw_issues, pid, "known_issues")
        raw_issues = []
    sources = row.get("sources") or []
    if not isinstance(sources, list) or not sources:
        report.add(file, Errors.E105, pid, "sources")
    else:
        for url in sources:
            if not isinstance(url, str) or not URL.match(url):
                report.add(file, Errors.E111.format(value=url), pid, "sources")
    as_of = _date(row.get("as_of"), file, pid, "as_of", report) if row.get("as_of") else None
    year = row.get("year")
    if year is not None and not (isinstance(year, int) and 1990 <= year <= 2100):
        report.wrong_type(file, "a model year like 2025", year, pid, "year")
    values, figures = {}, {}
    raw_values = row.get("values") or {}
    if not isinstance(raw_values, dict):
        report.wrong_type(file, "a mapping of attribute values", raw_values, pid, "values")
        raw_values = {}
    for name, raw in raw_values.items():
        attribute = category.attributes.get(name)
        if attribute is None:
            known = ", ".join(category.attributes)
            report.add(file, Errors.E101.format(name=name, known=known), pid, f"values.{name}")
            continue
        if raw is None:
            continue
        found = _figures(attribute, raw, file, pid, category, report)
        if found:
            values[name], figures[name] = found[0].value, found
    check_configs(figures, values, file, pid, category, report)
    for name in values:
        attribute = category.attributes[name]
        if not attribute.applies_to(values):
            kind = "; ".join(f"{k} {' or '.join(v)}" for k, v in attribute.applies_when.items())
            has = "; ".join(f"{k} {values.get(k)}" for k in attribute.applies_when)
            detail = f"{attribute.label} exists only for {kind}; this product has {has}"
            report.add(file, Errors.E118.format(detail=detail), pid, f"values.{name}")
    issues = tuple(_issue(i, file, pid, report) for i in raw_issues)
    if len(report.problems) > before:
        return None
    return Product(
        id=pid,
        brand=str(row["brand"]),
        model=str(row["model"]),
        trim=str(row["trim"]) if row.get("trim") else None,
        year=year,
        aliases=aliases or (),
        values=values,
        known_issues=tuple(i for i in issues if i),
        sources=tuple(sources),
        as_of=as_of,
        file=str(file),
        figures=figures,
    )


def is_figure_form(raw: Any) -> bool:
    """A value written with its own source: a mapping with `value`, or a list of such mappings."""
    if isinstance(raw, dict):
        return "value" in raw
    return isinstance(raw, list) and bool(raw) and all(isinstance(r, dict) for r in raw)


def _figures(
    attribute: Attribute, raw: Any, file: Path, pid: str, category: Category, report: Report
) -> tuple[Figure, ...]:
    """The figures of one value: a plain value (no source of its own), one mapping or a list."""
    if not is_figure_form(raw):
        value = _value(attribute, raw, file, pid, report)
        return (Figure(value),) if value is not None else ()
    where = f"values.{attribute.name}"
    config_key = category.configuration.key if category.configuration else None
    allowed = FIGURE_FIELDS + ((config_key,) if config_key else ())
    found = []
    for item in raw if isinstance(raw, list) else [raw]:
        unknown = [k for k in item if k not in allowed]
        if unknown or "value" not in item:
            detail = f"each figure needs 'value' and may have only {', '.join(allowed)}"
            report.add(file, Errors.E118.format(detail=detail), pid, where)
            return ()
        if not (isinstance(item.get("source"), str) and URL.match(item["source"])):
            report.add(file, Errors.E111.format(value=item.get("source")), pid, where)
            return ()
        if item.get("as_of") in (None, ""):
            report.add(file, Errors.E107.format(field="as_of"), pid, where)
            return ()
        when = _date(item["as_of"], file, pid, where, report)
        value = _value(attribute, item["value"], file, pid, report)
        if when is None or value is None:
            return ()
        config = item.get(config_key) if config_key else None
        trim = item.get("trim")
        found.append(
            Figure(
                value,
                item["source"],
                when,
                str(trim) if trim is not None else None,
                str(config) if config is not None else None,
            )
        )
    return tuple(found)


def _value(attribute: Attribute, raw: Any, file: Path, pid: str, report: Report) -> Any:
    where = f"values.{attribute.name}"
    if attribute.is_numeric:
        number = raw
        if isinstance(raw, str):
            match = UNIT_VALUE.match(raw)
            if not match:
                report.wrong_type(file, f"a {attribute.type}", raw, pid, where)
                return None
            number, unit = float(match.group(1).replace(",", "")), match.group(2)
            if unit and unit.lower() != (attribute.unit or "").lower():
                report.add(file, Errors.E103.format(expected=attribute.unit, got=unit), pid, where)
                return None
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not isfinite(number):
            report.wrong_type(file, f"a {attribute.type}", raw, pid, where)
            return None
        if attribute.type == "integer":
            if not float(number).is_integer():
                report.wrong_type(file, "a whole number", raw, pid, where)
                return None
            number = int(number)
        if attribute.range and not attribute.range[0] <= number <= attribute.range[1]:
            low, high = attribute.range
            report.add(file, Errors.E106.format(value=number, low=low, high=high), pid, where)
            return None
        return number
    if attribute.type == "boolean":
        if not isinstance(raw, bool):
            report.wrong_type(file, "true or false", raw, pid, where)
            return None
        return raw
    options = raw if attribute.type == "set" else [raw]
    if attribute.type == "set" and not isinstance(raw, list):
        report.wrong_type(file, "a list", raw, pid, where)
        return None
    bad = [o for o in options if str(o) not in attribute.values]
    if bad:
        report.add(
            file, Errors.E108.format(value=bad[0], allowed=", ".join(attribute.values)), pid, where
        )
        return None
    return tuple(sorted(str(o) for o in options)) if attribute.type == "set" else str(raw)


def _date(raw: Any, file: Path, pid: str, field_name: str, report: Report) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        report.add(file, Errors.E109.format(value=raw), pid, field_name)
        return None


def _issue(raw: Any, file: Path, pid: str, report: Report) -> KnownIssue | None:
    if not isinstance(raw, dict) or not raw.get("summary"):
        report.add(file, Errors.E114.format(detail="each needs a 'summary'"), pid, "known_issues")
        return None
    kind = raw.get("kind", "issue")
    if kind not in ISSUE_KINDS:
        report.add(
            file,
            Errors.E108.format(value=kind, allowed=", ".join(ISSUE_KINDS)),
            pid,
            "known_issues",
        )
        return None
    unknown = [k for k in raw if k not in ISSUE_FIELDS]
    if unknown:
        detail = f"unknown field '{unknown[0]}': expected one of {', '.join(ISSUE_FIELDS)}"
        report.add(file, Errors.E114.format(detail=detail), pid, "known_issues")
        return None
    source = raw.get("source")
    if source is not None and not (isinstance(source, str) and URL.match(source)):
        report.add(file, Errors.E111.format(value=source), pid, "known_issues")
        return None
    year = raw.get("year")
    if year is not None and not (isinstance(year, int) and 1950 <= year <= 2100):
        report.wrong_type(file, "a year like 2024", year, pid, "known_issues")
        return None
    if raw.get("id") is not None and not is_name(raw["id"]):
        report.wrong_type(file, "a campaign id", raw["id"], pid, "known_issues")
        return None
    when = _date(raw["date"], file, pid, "known_issues", report) if raw.get("date") else None
    return KnownIssue(
        kind=kind,
        summary=str(raw["summary"]),
        source=source,
        date=when,
        id=str(raw["id"]) if raw.get("id") is not None else None,
        year=year,
    )
