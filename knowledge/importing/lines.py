"""New product lines taken from the public files themselves (`advisor kb add-lines`).

A catalog's `sources/lines.yml` names the lines to add: an id, brand, model and model year, and
which rows of the efficiency file (`epa`) and the ratings file (`ratings`) describe the line. From
those rows alone the line gets its body (the ratings file's body style, checked against the
efficiency file's vehicle class), its powertrain (the efficiency file's classes), its drivetrains
(every configuration of the efficiency file's rows) and its sources. The line's pins are added to
the value declarations (and to the known-issues declaration, or its `unmappable` list with why),
so the value importers then fill every figure they declare, each citing its own row, and keep it
up to date on every later run. Nothing else is written: a figure no file gives stays empty.

The code knows only the declared shapes; which files, columns and spellings are used lives in the
YAML.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from knowledge.catalog import Catalog
from knowledge.errors import Errors, SourceFileError
from knowledge.importing.rows import Row, Table, read_table
from knowledge.importing.writer import (
    block_map,
    check_texts,
    flow_map,
    round_trip,
    write_all_atomically,
)
from knowledge.sources import PLACEHOLDER, SourceSpec, read_spec, sources_dir

LINES_FILE = "lines.yml"


@dataclass(frozen=True)
class Spelled:
    """A column whose cells name values of an attribute: {value: [spellings]}."""

    column: str
    values: dict[str, tuple[str, ...]]

    def read(self, cell: str) -> set[str]:
        text = " ".join(cell.split()).lower()
        return {v for v, spellings in self.values.items() if text in {s.lower() for s in spellings}}


@dataclass(frozen=True)
class Line:
    id: str
    brand: str
    model: str
    year: int
    epa: dict[str, Any]  # selector: {column: value}, optional `rows` {config: key}, `class`
    ratings: dict[str, str]  # selector of the ratings rows (every drive train)
    issues: tuple[str, ...] = ()  # the known-issues file's model names, when it has any
    aliases: tuple[str, ...] = ()
    reason: str | None = None
    body: str | None = None  # where the two files disagree: the one whose body is right (reason)


@dataclass
class LinesSpec:
    file: Path
    body_attribute: str
    epa_body: Spelled
    ratings_body: Spelled
    ratings_config: str
    sources: dict[str, str]  # efficiency / ratings / issues -> declaration file name
    search: dict[str, str]  # page templates cited as the line's own sources
    lines: list[Line] = field(default_factory=list)


@dataclass
class PlannedLine:
    line: Line
    row: dict[str, Any]  # the product row to write
    epa_pin: dict[str, Any]
    ratings_pin: dict[str, Any]
    issues_pin: dict[str, Any] | None
    issues_reason: str | None
    shown: dict[str, str]  # for the report


def read_lines(catalog_path: str | Path) -> LinesSpec:
    file = sources_dir(catalog_path) / LINES_FILE
    if not file.is_file():
        raise SourceFileError(file, Errors.E120.format(detail="no such declaration"))
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        detail = str(error).replace("\n", " ")
        raise SourceFileError(file, Errors.E100.format(detail=detail)) from error

    def bad(where: str, detail: str) -> SourceFileError:
        return SourceFileError(file, Errors.E120.format(detail=f"{where}: {detail}"))

    if not isinstance(data, dict):
        raise bad("top level", "a mapping")

    def spelled(where: str, raw: Any) -> Spelled:
        if not (
            isinstance(raw, dict)
            and isinstance(raw.get("column"), str)
            and isinstance(raw.get("values"), dict)
            and all(isinstance(v, list) for v in raw["values"].values())
        ):
            raise bad(where, "a mapping with 'column' and 'values' {value: [spellings]}")
        return Spelled(
            raw["column"], {str(k): tuple(map(str, v)) for k, v in raw["values"].items()}
        )

    body = data.get("body") or {}
    sources = data.get("sources") or {}
    search = data.get("cite") or {}
    for name in ("efficiency", "ratings", "issues"):
        if not isinstance(sources.get(name), str):
            raise bad(f"sources.{name}", "the declaration file it names")
    spec = LinesSpec(
        file=file,
        body_attribute=str(body.get("attribute") or ""),
        epa_body=spelled("body.efficiency", body.get("efficiency")),
        ratings_body=spelled("body.ratings", body.get("ratings")),
        ratings_config=str(data.get("ratings_config") or ""),
        sources={k: str(v) for k, v in sources.items()},
        search={str(k): str(v) for k, v in search.items()},
    )
    if not spec.body_attribute or not spec.ratings_config:
        raise bad("body.attribute / ratings_config", "required column names")
    seen: set[str] = set()
    for i, raw in enumerate(data.get("lines") or []):
        where = f"lines[{i}]" + (f" ({raw.get('id')})" if isinstance(raw, dict) else "")
        if not isinstance(raw, dict):
            raise bad(where, "a mapping")
        missing = [k for k in ("id", "brand", "model", "year", "epa", "ratings") if not raw.get(k)]
        if missing:
            raise bad(where, f"needs {', '.join(missing)}")
        if not isinstance(raw["year"], int):
            raise bad(f"{where}.year", "a model year like 2025")
        if raw.get("body") and not raw.get("reason"):
            raise bad(f"{where}.body", "say why, in 'reason', where the files disagree")
        if not isinstance(raw["epa"], dict) or not isinstance(raw["ratings"], dict):
            raise bad(where, "'epa' and 'ratings' are mappings of columns to values")
        if raw["id"] in seen:
            raise bad(where, "listed twice")
        seen.add(raw["id"])
        spec.lines.append(
            Line(
                id=str(raw["id"]),
                brand=str(raw["brand"]),
                model=str(raw["model"]),
                year=raw["year"],
                epa=dict(raw["epa"]),
                ratings={str(k): str(v) for k, v in raw["ratings"].items()},
                issues=tuple(str(m) for m in raw.get("issues") or ()),
                aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                reason=raw.get("reason"),
                body=str(raw["body"]) if raw.get("body") else None,
            )
        )
    return spec


def _specs(catalog_path, lines: LinesSpec) -> dict[str, SourceSpec]:
    folder = sources_dir(catalog_path)
    return {role: read_spec(folder / name) for role, name in lines.sources.items()}


def plan_lines(
    catalog: Catalog, lines: LinesSpec, tables: dict[str, Table], specs: dict[str, SourceSpec]
) -> tuple[list[PlannedLine], list[str]]:
    """The lines to add (those not yet in the catalog) and the ids already there."""
    planned, present, problems = [], [], []
    for line in lines.lines:
        if line.id in catalog.by_id:
            present.append(line.id)
            continue
        try:
            planned.append(_plan(catalog, lines, line, tables, specs))
        except SourceFileError as error:
            problems.append(error.detail)
    if problems:
        detail = f"{len(problems)} line(s) cannot be added:\n  " + "\n  ".join(problems)
        raise SourceFileError(lines.file, detail)
    return planned, present


def _plan(catalog, lines: LinesSpec, line: Line, tables, specs) -> PlannedLine:
    where = f"lines ({line.id})"

    def bad(detail: str) -> SourceFileError:
        return SourceFileError(lines.file, Errors.E120.format(detail=f"{where}: {detail}"))

    epa_spec, epa = specs["efficiency"], tables["efficiency"]
    ratings_spec, ratings = specs["ratings"], tables["ratings"]
    category = catalog.category
    config_attr = category.configuration.attribute if category.configuration else None
    selector = {
        k: [str(x).lower() for x in (v if isinstance(v, list) else [v])]
        for k, v in line.epa.items()
        if k not in ("rows", "class")
    }
    wanted_class = line.epa.get("class")
    rows = [
        r
        for r in epa.of_year(line.year)
        if all(r.get(k).strip().lower() in v for k, v in selector.items())
        and (wanted_class is None or epa_spec.row_class(r.cells) == wanted_class)
    ]
    if not rows:
        raise bad(f"no {epa_spec.label} row of {line.year} has {selector}")
    classes = {epa_spec.row_class(r.cells) for r in rows}
    if len(classes) != 1 or None in classes:
        raise bad(
            f"{epa_spec.label} rows of several {epa_spec.class_attribute}s ({sorted(map(str, classes))}): "
            "name one with epa.class"
        )
    (kind,) = classes
    by_config: dict[str, list[Row]] = {}
    for row in rows:
        config = _config(epa_spec, row)
        if config is None:
            raise bad(
                f"line {row.line}: {epa_spec.config_column} {row.get(epa_spec.config_column)!r} is not declared"
            )
        by_config.setdefault(config, []).append(row)
    pinned = line.epa.get("rows") or {}
    chosen: dict[str, Row] = {}
    reasons = []
    for config, found in by_config.items():
        if config in pinned:
            match = [r for r in found if r.get(epa_spec.key[0]) == str(pinned[config])]
            if not match:
                raise bad(f"epa.rows.{config}: {pinned[config]} is not one of its rows")
            chosen[config] = match[0]
            continue
        best = max(found, key=lambda r: (_efficiency(epa_spec, r, kind), -r.line))
        chosen[config] = best
        if len(found) > 1:
            reasons.append(f"{config.upper()}: the most efficient of {len(found)} rows")
    configs = (
        [c for c in category.attributes[config_attr].values if c in chosen]
        if config_attr
        else list(chosen)
    )
    # Body: the ratings file's body style, which the efficiency file's class must allow.
    rating_rows = [
        r
        for r in ratings.of_year(line.year)
        if all(r.get(k).strip().lower() == v.lower() for k, v in line.ratings.items())
    ]
    if not rating_rows:
        raise bad(f"no {ratings_spec.label} row of {line.year} has {line.ratings}")
    bodies = set().union(
        *(lines.ratings_body.read(r.get(lines.ratings_body.column)) for r in rating_rows)
    )
    allowed = set().union(
        *(lines.epa_body.read(r.get(lines.epa_body.column)) for r in chosen.values())
    )
    body_from_epa = False
    if line.body is not None:
        if line.body not in bodies | allowed:
            raise bad(f"body: neither file gives {line.body} ({sorted(bodies | allowed)})")
        body, body_from_epa = line.body, line.body not in bodies
    else:
        if len(bodies) != 1:
            raise bad(
                f"{ratings_spec.label} body styles name {sorted(bodies) or 'no declared body'}"
            )
        (body,) = bodies
        if body not in allowed:
            raise bad(
                f"{ratings_spec.label} says {body}, {epa_spec.label}'s class allows "
                f"{sorted(allowed) or 'none'}: name the right one in 'body', with the reason"
            )
    ratings_pin_rows = {}
    drive_values = sorted({r.get(lines.ratings_config).strip() for r in rating_rows})
    for config in configs:
        fits = [d for d in drive_values if config in ratings_spec.config_values.get(d, ())]
        # the drive train NHTSA names first for this configuration ("AWD" for awd, "4WD" for 4wd)
        fits.sort(key=lambda d: ratings_spec.config_values[d].index(config))
        if fits:
            ratings_pin_rows[config] = {lines.ratings_config: fits[0]}
    if not ratings_pin_rows:
        raise bad(f"no {ratings_spec.label} drive train fits {configs}")
    first = chosen[configs[0]]
    epa_as_of, ratings_as_of = epa_spec.as_of, ratings_spec.as_of
    first_rating = next(
        r
        for r in rating_rows
        if r.get(lines.ratings_config).strip()
        == next(iter(ratings_pin_rows.values()))[lines.ratings_config]
    )
    cells = {"year": str(line.year), "make": line.brand, "model": line.model, **first.cells}
    values = CommentedMap()
    body_source = (
        (epa_spec.citation(first.cells), epa_as_of)
        if body_from_epa
        else (ratings_spec.citation(first_rating.cells), ratings_as_of)
    )
    values[lines.body_attribute] = flow_map(
        {"value": body, "source": body_source[0], "as_of": body_source[1]}
    )
    values[epa_spec.class_attribute] = flow_map(
        {"value": kind, "source": epa_spec.citation(first.cells), "as_of": epa_as_of}
    )
    if config_attr:
        drives = CommentedSeq(configs)
        drives.fa.set_flow_style()
        values[config_attr] = flow_map(
            {
                "value": drives,
                "source": _fill(lines.search["efficiency"], cells),
                "as_of": epa_as_of,
            }
        )
    row = CommentedMap()
    row["id"] = line.id
    row["brand"] = line.brand
    row["model"] = line.model
    row["year"] = line.year
    if line.aliases:
        aliases = CommentedSeq(line.aliases)
        aliases.fa.set_flow_style()
        row["aliases"] = aliases
    row["values"] = values
    row["sources"] = CommentedSeq(
        [
            _fill(lines.search["efficiency"], cells),
            _fill(lines.search["ratings"], first_rating.cells),
        ]
    )
    row["as_of"] = date.fromordinal(epa_as_of.toordinal())
    epa_pin = {
        "rows": {
            c: int(chosen[c].get(epa_spec.key[0]))
            if chosen[c].get(epa_spec.key[0]).isdigit()
            else chosen[c].get(epa_spec.key[0])
            for c in configs
        }
    }
    named = ", ".join(f"{k} {'/'.join(v)}" for k, v in selector.items())
    rule = f"the {line.year} rows with {named}" + (f" ({kind})" if wanted_class else "")
    epa_pin["reason"] = "; ".join(filter(None, [line.reason, rule, *reasons]))
    ratings_pin = {
        "same": dict(line.ratings),
        "rows": ratings_pin_rows,
        "reason": "; ".join(
            filter(None, [line.reason if line.body else None, "one row per drive train it rates"])
        ),
    }
    issues_pin, issues_reason = None, None
    issue_spec, issue_table = specs["issues"], tables.get("issues")
    if issue_table is not None:
        make = (
            {issue_spec.brand_column: line.ratings.get(issue_spec.brand_column, line.brand.upper())}
            if issue_spec.brand_column
            else {}
        )
        held = [
            m
            for m in line.issues
            if issue_table.select({**make, issue_spec.model_columns[0]: m}, line.year)
        ]
        if held:
            issues_pin = {"same": make, "rows": [{issue_spec.model_columns[0]: m} for m in held]}
        else:
            named = ", ".join(line.issues) or line.model.upper()
            issues_reason = (
                f"{issue_spec.label}'s file holds no {line.year} campaign for {named}; "
                "check the VIN look-up"
            )
    shown = {
        "id": line.id,
        lines.body_attribute: body,
        epa_spec.class_attribute: kind,
        config_attr or "configs": "/".join(configs),
        epa_spec.label: ", ".join(f"{c}:{chosen[c].get(epa_spec.key[0])}" for c in configs),
        ratings_spec.label: ", ".join(
            f"{c}:{v[lines.ratings_config]}" for c, v in ratings_pin_rows.items()
        ),
    }
    return PlannedLine(line, row, epa_pin, ratings_pin, issues_pin, issues_reason, shown)


def _config(spec: SourceSpec, row: Row) -> str | None:
    values = spec.config_values.get(row.get(spec.config_column or "").strip())
    return values[0] if values else None


def _efficiency(spec: SourceSpec, row: Row, kind: str) -> float:
    """The row's first declared efficiency figure for its class (higher is better)."""
    for fills in spec.fill.values():
        for fill in fills:
            if not fill.classes or kind in fill.classes:
                try:
                    return float(row.get(fill.column) or 0)
                except ValueError:
                    return 0.0
    return 0.0


def _fill(template: str, cells: dict[str, str]) -> str:
    from urllib.parse import quote

    return PLACEHOLDER.sub(lambda m: quote(cells.get(m.group(1), ""), safe=""), template)


def add_lines(
    catalog_path: str | Path | None,
    files: dict[str, str | Path],
    dry_run: bool = False,
) -> tuple[list[PlannedLine], list[str]]:
    """Plan the declared lines that are not in the catalog yet and (unless dry) write them: product
    rows into the brand's products file, pins into the declarations. All or nothing."""
    from knowledge.loader import load

    catalog = load(catalog_path)
    lines = read_lines(catalog.source)
    specs = _specs(catalog.source, lines)
    tables = {role: read_table(files[role], specs[role]) for role in specs if files.get(role)}
    for role in ("efficiency", "ratings"):
        if role not in tables:
            raise SourceFileError(lines.file, f"the {role} file is needed")
    planned, present = plan_lines(catalog, lines, tables, specs)
    if planned and not dry_run:
        _write(catalog, lines, specs, planned)
    return planned, present


def _write(catalog: Catalog, lines: LinesSpec, specs, planned: list[PlannedLine]) -> None:
    yaml_rt = round_trip()
    root = Path(catalog.source)
    products_dir = root / "products"
    texts: dict[Path, str] = {}

    def loaded(path: Path, header: str):
        if path in texts:
            return yaml_rt.load(texts[path])
        if path.is_file():
            return yaml_rt.load(path.read_text(encoding="utf-8"))
        return yaml_rt.load(header)

    def dumped(path: Path, data) -> None:
        out = io.StringIO()
        yaml_rt.dump(data, out)
        texts[path] = out.getvalue()

    by_brand: dict[str, list[PlannedLine]] = {}
    for item in planned:
        by_brand.setdefault(item.line.brand, []).append(item)
    for brand, items in by_brand.items():
        existing = [Path(p.file) for p in catalog.products if p.brand == brand]
        path = existing[0] if existing else products_dir / f"{_slug(brand)}.yml"
        header = (
            f"# {brand}: model lines taken from the public files (sources/{LINES_FILE}, "
            "`advisor kb add-lines`).\n# Every value cites its own row; a figure no file gives "
            "is left out.\nproducts: []\n"
        )
        data = loaded(path, header)
        if data.get("products") is None:
            data["products"] = CommentedSeq()
        for item in items:
            data["products"].append(item.row)
        dumped(path, data)
    for role, pin_of in (("efficiency", "epa_pin"), ("ratings", "ratings_pin"), ("issues", None)):
        spec = specs[role]
        data = loaded(spec.file, "")
        # New pins go first: a comment that heads the next section hangs off the last old pin.
        for item in reversed(planned):
            if role == "issues":
                if item.issues_pin is not None:
                    data["products"].insert(0, item.line.id, _pin_node(item.issues_pin))
                else:
                    if data.get("unmappable") is None:
                        data["unmappable"] = CommentedMap()
                    data["unmappable"].insert(0, item.line.id, item.issues_reason)
            else:
                data["products"].insert(0, item.line.id, _pin_node(getattr(item, pin_of)))
        dumped(spec.file, data)
    check_texts(catalog, texts)
    write_all_atomically(texts)


def _pin_node(pin: dict[str, Any]) -> CommentedMap:
    node = CommentedMap()
    for key, value in pin.items():
        if isinstance(value, dict):
            node[key] = flow_map(
                {k: flow_map(v) if isinstance(v, dict) else v for k, v in value.items()}
            )
        elif isinstance(value, list):
            seq = CommentedSeq(flow_map(v) for v in value)
            seq.fa.set_flow_style()
            node[key] = seq
        else:
            node[key] = value
    return block_map(dict(node))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
