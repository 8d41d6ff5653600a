"""Source declarations kept with a catalog (`<catalog>/sources/*.yml`): what a public data file is,
which of its columns fill which attribute, and which rows each product describes.

The code here knows only generic shapes: a file of rows, the columns that name a row (`key`), the
column holding the model year, a citation URL template filled from a row, rules that sort rows into
classes, and a reviewed mapping from product ids to rows. Everything specific to one data source
lives in its YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import yaml

from knowledge.errors import Errors, SourceFileError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when built with it

SOURCES_DIR = "sources"
SITES_FILE = "sites.yml"
NOT_DECLARATIONS = (SITES_FILE, "coverage.yml", "lines.yml")  # the other files kept in sources/
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
WEB_URL = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass(frozen=True)
class Rule:
    """`when` every condition holds for a row, the row is of class `name` (a value of an attribute)."""

    name: str
    when: dict[str, Any]

    def fits(self, row: dict[str, str]) -> bool:
        for column, test in self.when.items():
            cell = row.get(column, "")
            if isinstance(test, dict):
                if "contains" in test and str(test["contains"]).lower() not in cell.lower():
                    return False
                if "in" in test and cell not in [str(v) for v in test["in"]]:
                    return False
            elif cell != str(test):
                return False
        return True


@dataclass(frozen=True)
class Fill:
    """One column that fills an attribute, for rows of the listed classes (all, when empty)."""

    column: str
    classes: tuple[str, ...] = ()
    only_where_missing: bool = False  # fill a gap, but never report a differing value
    # The source's spellings of each value ({standard: [Standard, Stanard]}); a cell none of them
    # names (case and surrounding blanks aside) gives no figure.
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A cell listing numbered positions ("1,3,4,5,6,7,9"): the figure is how many groups of this
    # many positions it reaches (seat positions 7-9 are the third row: 3 per row).
    per_group: int | None = None

    def value_of(self, cell: str) -> str | None:
        text = " ".join(cell.split()).lower()
        return next(
            (value for value, spellings in self.values.items() if text in _lowered(spellings)),
            None,
        )

    def groups_of(self, cell: str) -> int | None:
        """Groups reached by the listed positions; None when the cell lists none, or lists several
        layouts (one per line) that reach different counts."""
        counts = set()
        for line in cell.splitlines():
            numbers = [int(n) for n in re.findall(r"\d+", line)]
            if numbers:
                counts.add(-(-max(numbers) // (self.per_group or 1)))
        return counts.pop() if len(counts) == 1 else None


def _lowered(spellings: tuple[str, ...]) -> set[str]:
    return {" ".join(s.split()).lower() for s in spellings}


@dataclass(frozen=True)
class Pin:
    """The rows one product describes: {configuration: row selector} (or a list without
    configurations), each selector a mapping of key columns to values."""

    rows: tuple[tuple[str | None, dict[str, str]], ...]
    reason: str | None = None
    trim: str | None = None  # the trim the rows describe, when it is not the product's


@dataclass
class SourceSpec:
    """One declared source and its reviewed product mapping."""

    file: Path
    name: str
    label: str
    key: tuple[str, ...]
    year: str | None
    cite: str
    as_of: date | None
    columns: tuple[str, ...]
    member: str | None = None
    order: str | None = None
    absent: tuple[str, ...] = ("",)  # cells that mean "no figure"
    show: tuple[str, ...] = ()  # columns --suggest prints for a candidate row
    brand_column: str | None = None
    model_columns: tuple[str, ...] = ()
    config_column: str | None = None
    config_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    class_attribute: str | None = None
    rules: tuple[Rule, ...] = ()
    fill: dict[str, tuple[Fill, ...]] = field(default_factory=dict)
    issues: dict[str, Any] = field(default_factory=dict)
    group: str | None = None
    products: dict[str, Pin] = field(default_factory=dict)
    unmappable: dict[str, str] = field(default_factory=dict)

    def row_class(self, row: dict[str, str]) -> str | None:
        return next((r.name for r in self.rules if r.fits(row)), None)

    def citation(self, row: dict[str, str]) -> str:
        """The cite template filled from a row, each field URL-quoted."""
        return PLACEHOLDER.sub(lambda m: quote(row.get(m.group(1), ""), safe=""), self.cite)

    def cite_pattern(self) -> re.Pattern:
        parts = PLACEHOLDER.split(self.cite)
        text = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<f{i // 2}>[^/?&#]+)"
            for i, part in enumerate(parts)
        )
        return re.compile(f"^{text}$")

    def cite_fields(self, url: str) -> dict[str, str] | None:
        """The row fields a citation URL names, or None when it is not of the cite form."""
        match = self.cite_pattern().match(url)
        if match is None:
            return None
        names = PLACEHOLDER.findall(self.cite)
        return {name: unquote(match.group(f"f{i}")) for i, name in enumerate(names)}


def sources_dir(catalog_path: str | Path) -> Path:
    path = Path(catalog_path)
    return (path if path.is_dir() else path.parent) / SOURCES_DIR


def declaration_files(catalog_path: str | Path) -> list[Path]:
    folder = sources_dir(catalog_path)
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.glob("*.yml") if f.name not in NOT_DECLARATIONS)


def read_sites(catalog_path: str | Path) -> dict[str, dict]:
    """`sites.yml`: {'labels': {host: short label}, 'low_quality': {host: why},
    'lookups': {name: {'label': ..., 'url': ...}}, 'makers': {brand: {'site': url, 'press': [url]}}}."""
    file = sources_dir(catalog_path) / SITES_FILE
    if not file.is_file():
        return {"labels": {}, "low_quality": {}, "lookups": {}, "makers": {}}
    data = _yaml(file)
    out: dict[str, dict] = {}
    for key in ("labels", "low_quality"):
        section = data.get(key) or {}
        if not isinstance(section, dict):
            raise SourceFileError(
                file, Errors.E120.format(detail=f"'{key}' must map hosts to text")
            )
        out[key] = {str(k).lower(): str(v) for k, v in section.items()}
    lookups = data.get("lookups") or {}
    if not isinstance(lookups, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("url"), str) and isinstance(v.get("label"), str)
        for v in lookups.values()
    ):
        detail = "'lookups' must map names to {label, url}"
        raise SourceFileError(file, Errors.E120.format(detail=detail))
    out["lookups"] = {str(k): {"label": v["label"], "url": v["url"]} for k, v in lookups.items()}
    out["makers"] = _makers(file, data.get("makers") or {})
    return out


def _makers(file: Path, raw: Any) -> dict[str, dict]:
    """`makers:` brand -> {site: the maker's own site, press: [its press or media sites]}."""

    def bad(detail: str) -> SourceFileError:
        return SourceFileError(file, Errors.E120.format(detail=f"makers: {detail}"))

    if not isinstance(raw, dict):
        raise bad("must map each brand to {site: URL, press: [URL, ...]}")
    makers = {}
    for brand, entry in raw.items():
        site = entry.get("site") if isinstance(entry, dict) else None
        press = (entry.get("press") or []) if isinstance(entry, dict) else None
        if isinstance(press, str):
            press = [press]
        urls = [site, *press] if isinstance(press, list) else [None]
        if not all(isinstance(u, str) and WEB_URL.match(u) for u in urls):
            raise bad(f"'{brand}' needs site: an http(s) URL (and press: a list of URLs)")
        makers[str(brand)] = {"site": site, "press": list(press)}
    return makers


def _yaml(file: Path) -> dict:
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as error:
        detail = str(error).replace("\n", " ")
        raise SourceFileError(file, Errors.E100.format(detail=detail)) from error
    if not isinstance(data, dict):
        raise SourceFileError(file, Errors.E100.format(detail="the top level must be a mapping"))
    return data


def read_spec(file: Path) -> SourceSpec:
    """Read one declaration; raises SourceFileError naming the file and the field."""
    data = _yaml(file)

    def bad(where: str, detail: str) -> SourceFileError:
        return SourceFileError(file, Errors.E120.format(detail=f"{where}: {detail}"))

    head = data.get("source")
    if not isinstance(head, dict):
        raise bad("source", "a mapping with label, key, cite and columns is required")
    for name in ("label", "cite"):
        if not isinstance(head.get(name), str) or not head[name].strip():
            raise bad(f"source.{name}", "required text")
    key = _names(head.get("key"))
    columns = _names(head.get("columns"))
    if not key or not columns:
        raise bad("source.key/columns", "lists of column names are required")
    as_of = head.get("as_of")
    if as_of is not None and not isinstance(as_of, date):
        raise bad("source.as_of", "a date YYYY-MM-DD")
    match = data.get("candidates") or {}
    config = match.get("config") or {}
    classes = data.get("classes") or {}
    spec = SourceSpec(
        file=file,
        name=str(head.get("name") or head["label"]),
        label=head["label"],
        key=key,
        year=head.get("year"),
        cite=head["cite"],
        as_of=as_of,
        columns=columns,
        member=head.get("member"),
        order=head.get("order"),
        absent=_names(head.get("absent")) or ("",),
        show=_names(match.get("show")) or (),
        group=head.get("group"),
        brand_column=match.get("brand"),
        model_columns=_names(match.get("model")) or (),
        config_column=config.get("column"),
        config_values={str(k): _names(v) or () for k, v in (config.get("values") or {}).items()},
        class_attribute=classes.get("attribute"),
        rules=tuple(
            Rule(str(r["class"]), dict(r.get("when") or {})) for r in classes.get("rules") or []
        ),
        issues=dict(data.get("issues") or {}),
    )
    for attribute, fills in (data.get("fill") or {}).items():
        items = fills if isinstance(fills, list) else [fills]
        if not all(isinstance(i, dict) and isinstance(i.get("column"), str) for i in items):
            raise bad(f"fill.{attribute}", "each fill needs a 'column'")
        spec.fill[str(attribute)] = tuple(
            _fill(i, lambda d, a=attribute: bad(f"fill.{a}", d)) for i in items
        )
    needed = {*spec.key, *(f.column for fs in spec.fill.values() for f in fs)}
    needed |= {c for c in (spec.year, spec.order, spec.group) if c}
    needed |= set(PLACEHOLDER.findall(spec.cite)) | set(spec.show)
    missing = sorted(needed - set(spec.columns))
    if missing:
        raise bad("source.columns", f"must list every column used; missing {', '.join(missing)}")
    for pid, raw in (data.get("products") or {}).items():
        spec.products[str(pid)] = _pin(raw, spec, lambda d, p=pid: bad(f"products.{p}", d))
    for pid, reason in (data.get("unmappable") or {}).items():
        if not isinstance(reason, str) or not reason.strip():
            raise bad(f"unmappable.{pid}", "give the reason in one line")
        spec.unmappable[str(pid)] = reason
    both = sorted(set(spec.products) & set(spec.unmappable))
    if both:
        raise bad("unmappable", f"{', '.join(both)} also mapped under products")
    return spec


def _fill(raw: dict, bad) -> Fill:
    spellings = raw.get("values") or {}
    if not isinstance(spellings, dict) or not all(
        _names(v) is not None for v in spellings.values()
    ):
        raise bad("'values' maps each value to the list of the source's spellings of it")
    per_group = raw.get("per_group")
    if per_group is not None and (
        not isinstance(per_group, int) or isinstance(per_group, bool) or per_group < 1
    ):
        raise bad("'per_group' must be a whole number of positions, 1 or more")
    if per_group is not None and spellings:
        raise bad("a fill reads either 'values' or 'per_group', not both")
    return Fill(
        raw["column"],
        _names(raw.get("classes")) or (),
        bool(raw.get("only_where_missing")),
        {str(k): _names(v) or () for k, v in spellings.items()},
        per_group,
    )


def _names(raw: Any) -> tuple[str, ...] | None:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(v, (str, int)) for v in raw):
        return tuple(str(v) for v in raw)
    return None


def _pin(raw: Any, spec: SourceSpec, bad) -> Pin:
    if not isinstance(raw, dict) or "rows" not in raw:
        raise bad("a mapping with 'rows' (and 'reason' where a person chose among rows)")
    same = raw.get("same") or {}
    rows = raw["rows"]
    items = list(rows.items()) if isinstance(rows, dict) else [(None, r) for r in rows or []]
    if not items:
        raise bad("'rows' must name at least one row")
    out = []
    for config, entry in items:
        if isinstance(entry, dict):
            selector = {**same, **entry}
        elif len(spec.key) == 1:
            selector = {**same, spec.key[0]: entry}
        else:
            raise bad(f"a row must map the key columns {', '.join(spec.key)} to values")
        missing = [k for k in spec.key if k not in selector]
        if missing:
            raise bad(f"a row must give {', '.join(missing)}")
        out.append(
            (str(config) if config is not None else None, {k: str(v) for k, v in selector.items()})
        )
    reason = raw.get("reason")
    if reason is not None and not (isinstance(reason, str) and reason.strip()):
        raise bad("'reason' must be one line of text")
    trim = raw.get("trim")
    return Pin(tuple(out), reason, str(trim) if trim is not None else None)


def read_specs(catalog_path: str | Path) -> list[SourceSpec]:
    return [read_spec(f) for f in declaration_files(catalog_path)]
