"""Importing a price list: a CSV a deployer keeps (or the catalog's own sources/prices.csv) of
starting prices, each with the page it was read from and the date it was read.

Columns (a header row; lines starting with `#` are comments):

    product_id              the catalog id, or instead:
    make, model, year       the brand (or an alias), the model (or an alias) and the model year
    trim                    optional: the trim the price is for (another trim than the product's
                            fills a gap only, and is written with `trim:`)
    <configuration key>     optional: the configuration the price is for (`drivetrain` for
                            vehicles); a product's rows for several configurations give one
                            figure each, the lowest price first
    msrp                    the starting price, in the unit of the catalog's price attribute
    source                  the http(s) URL of the page that gives it
    as_of                   the date it was read there, YYYY-MM-DD
    note                    optional, not imported: what the figure includes or excludes

The whole file is checked first: a bad row (unknown product, a price that is not a number or out
of range, a missing or low-quality source, a missing, malformed or future date, a duplicate) is
reported with the file, line and field, every problem at once, and nothing is written. Then the
importers' rules apply: a gap is filled; an equal value is confirmed (and cites its source from
then on); a differing value is a conflict, changed only with `accept`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog, Figure, Product, name_key
from knowledge.errors import Errors, SourceFileError
from knowledge.importing.rows import Row
from knowledge.importing.values import (
    CONFIRMED,
    CONFLICT,
    CORRECTED,
    FILLED,
    KEPT,
    NewFigure,
    Outcome,
)
from knowledge.source_checks import site_entry
from knowledge.sources import WEB_URL, read_sites

ID, MAKE, MODEL, YEAR, TRIM = "product_id", "make", "model", "year", "trim"
PRICE, SOURCE, AS_OF, NOTE = "msrp", "source", "as_of", "note"
REQUIRED = (PRICE, SOURCE, AS_OF)
NUMBER = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d+)?)$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PriceListError(SourceFileError):
    """Every problem of a price list, each with its line and field; the catalog is untouched."""

    def __init__(self, file: Path | str, problems: list[tuple[int | None, str, str]]):
        self.file, self.problems = str(file), problems
        self.row, self.field = (problems[0][0], problems[0][1]) if problems else (None, "")
        lines = [
            f"{file}"
            + (f", line {line}" if line else "")
            + (f", field '{name}'" if name else "")
            + f": {Errors.E123.format(detail=message)}"
            for line, name, message in problems
        ]
        ValueError.__init__(self, "\n".join(lines))


@dataclass
class PricePlan:
    """What a price list changes: one outcome per product it names."""

    file: str
    attribute: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.writes]

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == CONFLICT]


@dataclass(frozen=True)
class PriceRow:
    line: int
    product: Product
    figure: NewFigure


def read_price_rows(catalog: Catalog, file: Path | str) -> list[PriceRow]:
    """Every row of the list, checked; raises PriceListError with every problem found."""
    path = Path(file)
    attribute = catalog.category.roles.price
    if attribute is None:
        raise PriceListError(path, [(None, "", "the catalog declares no price (roles.price)")])
    problems: list[tuple[int | None, str, str]] = []
    header, header_line, records = _records(path)
    config = catalog.category.configuration
    known = {ID, MAKE, MODEL, YEAR, TRIM, PRICE, SOURCE, AS_OF, NOTE}
    known |= {config.key} if config else set()
    unknown = [c for c in header if c not in known]
    missing = [c for c in REQUIRED if c not in header]
    if ID not in header and not {MAKE, MODEL, YEAR} <= set(header):
        missing.append(f"{ID} (or {MAKE}, {MODEL} and {YEAR})")
    if unknown or missing:
        detail = "; ".join(
            [f"missing column(s) {', '.join(missing)}"] * bool(missing)
            + [f"unknown column(s) {', '.join(unknown)}: expected {', '.join(sorted(known))}"]
            * bool(unknown)
        )
        raise PriceListError(path, [(header_line, "", detail)])
    short = [(line, len(cells)) for line, cells in records if len(cells) != len(header)]
    if short:
        raise PriceListError(
            path,
            [(line, "", f"{n} fields where the header has {len(header)}") for line, n in short],
        )
    low_quality = read_sites(catalog.source)["low_quality"]
    rows: list[PriceRow] = []
    for line, row in records:
        cells = dict(zip(header, row, strict=True))

        def bad(name: str, message: str, line: int = line) -> None:
            problems.append((line, name, message))

        product = _product(catalog, cells, bad)
        value = _price(catalog, attribute, cells.get(PRICE, ""), bad)
        source = _source(cells.get(SOURCE, ""), low_quality, bad)
        as_of = _as_of(cells.get(AS_OF, ""), bad)
        chosen = _configuration(catalog, product, cells, bad)
        if product is None or None in (value, source, as_of) or chosen is False:
            continue
        trim = cells.get(TRIM, "").strip() or None
        if trim is not None and product.trim and trim.lower() == product.trim.lower():
            trim = None
        figure = NewFigure(chosen or None, value, source, as_of, Row(line, cells), trim)
        rows.append(PriceRow(line, product, figure))
    problems += _duplicates(rows)
    if problems:
        raise PriceListError(path, problems)
    return rows


def _records(path: Path) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """The header, its line, and the (line, cells) records; comment and blank lines skipped."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise PriceListError(
            path, [(None, "", f"cannot read the file ({error.strerror})")]
        ) from error
    except UnicodeDecodeError as error:
        raise PriceListError(path, [(None, "", f"not UTF-8 text at byte {error.start}")]) from error
    lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines), newline=""))
    header: list[str] | None = None
    header_line, records = 0, []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, header_line = [c.strip().lower() for c in cells], reader.line_num
            else:
                records.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as error:
        raise PriceListError(path, [(reader.line_num, "", f"unreadable CSV ({error})")]) from error
    if header is None:
        raise PriceListError(path, [(None, "", "the file is empty: expected a CSV header")])
    return header, header_line, records


def _product(catalog: Catalog, cells: dict[str, str], bad) -> Product | None:
    """The product a row names by id, or by make, model, year (and trim, among several)."""
    pid = cells.get(ID, "")
    named = _by_name(catalog, cells, bad) if cells.get(MODEL) or cells.get(MAKE) else None
    if pid:
        product = catalog.by_id.get(pid)
        if product is None:
            close = [p for p in catalog.by_id if name_key(pid)[:6] in name_key(p)][:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            bad(ID, f"no product '{pid}' in the catalog{hint}")
            return None
        if named is not None and named is not product:
            bad(ID, f"'{pid}' is not the {named.full_name} that make, model and year name")
            return None
        year = cells.get(YEAR, "")
        if year and year != str(product.year):
            bad(YEAR, f"'{pid}' is model year {product.year}, not {year}")
            return None
        return product
    if not (cells.get(MAKE) and cells.get(MODEL) and cells.get(YEAR)):
        bad(ID, f"give {ID}, or {MAKE}, {MODEL} and {YEAR}")
        return None
    return named


def _by_name(catalog: Catalog, cells: dict[str, str], bad) -> Product | None:
    make, model, year = cells.get(MAKE, ""), cells.get(MODEL, ""), cells.get(YEAR, "")
    brands = [b for b in catalog.brands if name_key(make) in map(name_key, catalog.brand_names(b))]
    if not brands:
        bad(MAKE, f"no brand '{make}' in the catalog (it has {', '.join(catalog.brands)})")
        return None
    found = [
        p
        for p in catalog.products
        if p.brand in brands
        and name_key(model) in {name_key(n) for n in (p.model, *p.aliases)}
        and str(p.year) == year
    ]
    trim = cells.get(TRIM, "").lower()
    if len(found) > 1 and trim:
        found = [p for p in found if (p.trim or "").lower() == trim] or found
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(p.id for p in found)
        bad(MODEL, f"{make} {model} {year} names several products ({ids}): give {ID}")
        return None
    years = sorted(
        {
            str(p.year)
            for p in catalog.products
            if p.brand in brands and name_key(model) in {name_key(n) for n in (p.model, *p.aliases)}
        }
    )
    hint = f"; the catalog has model year(s) {', '.join(years)}" if years else ""
    bad(MODEL, f"no {make} {model} of model year {year} in the catalog{hint}")
    return None


def _price(catalog: Catalog, attribute: str, cell: str, bad) -> Any:
    spec = catalog.category.attributes[attribute]
    match = NUMBER.match(cell)
    if not match:
        bad(PRICE, f"{cell!r} is not a price: expected a number such as 31900")
        return None
    number = float(match.group(1).replace(",", ""))
    if spec.range and not spec.range[0] <= number <= spec.range[1]:
        bad(PRICE, Errors.E106.format(value=cell, low=spec.range[0], high=spec.range[1]))
        return None
    return int(number) if number.is_integer() else number


def _source(cell: str, low_quality: dict[str, str], bad) -> str | None:
    if not WEB_URL.match(cell):
        bad(SOURCE, f"{cell!r} is not a source: every price needs the http(s) URL it was read from")
        return None
    why = site_entry(cell, low_quality)
    if why:
        bad(SOURCE, "refused: " + Errors.W121.format(why=why, url=cell))
        return None
    return cell


def _as_of(cell: str, bad) -> date | None:
    try:
        when = date.fromisoformat(cell) if DAY.match(cell) else None
    except ValueError:
        when = None
    if when is None:
        bad(AS_OF, f"{cell!r} is not a date: every price needs the day it was read, YYYY-MM-DD")
        return None
    if when > date.today():
        bad(AS_OF, f"{cell} is in the future")
        return None
    return when


def _configuration(catalog: Catalog, product: Product | None, cells: dict[str, str], bad):
    """The configuration a row is for ('' for none); False after reporting a bad one."""
    spec = catalog.category.configuration
    value = cells.get(spec.key, "").strip().lower() if spec else ""
    if not value or product is None or spec is None:
        return value
    offered = product.value(spec.attribute) or ()
    if value not in offered:
        bad(spec.key, f"'{value}' is not one of the {product.full_name}'s {spec.attribute}")
        return False
    return value


def _duplicates(rows: list[PriceRow]) -> list[tuple[int | None, str, str]]:
    """Two rows for one product's configuration, or rows for several trims of one product."""
    problems: list[tuple[int | None, str, str]] = []
    seen: dict[tuple[str, str | None], int] = {}
    trims: dict[str, tuple[str | None, int]] = {}
    for row in rows:
        key = (row.product.id, row.figure.config)
        if key in seen:
            what = f" ({row.figure.config})" if row.figure.config else ""
            problems.append(
                (
                    row.line,
                    ID,
                    f"a second price for {row.product.id}{what} (first on line {seen[key]})",
                )
            )
        seen.setdefault(key, row.line)
        first = trims.setdefault(row.product.id, (row.figure.trim, row.line))
        if first[0] != row.figure.trim:
            problems.append(
                (
                    row.line,
                    TRIM,
                    f"another trim for {row.product.id} than on line {first[1]}: one "
                    "starting price per product (and configuration)",
                )
            )
    return problems


def plan_prices(catalog: Catalog, file: Path | str, accept: bool = False) -> PricePlan:
    """What importing the list would change; raises PriceListError on any bad row."""
    attribute = catalog.category.roles.price or ""
    rows = read_price_rows(catalog, file)
    plan = PricePlan(str(file), attribute)
    by_product: dict[str, list[PriceRow]] = {}
    for row in rows:
        by_product.setdefault(row.product.id, []).append(row)
    for pid, chosen in by_product.items():
        product = catalog.by_id[pid]
        chosen.sort(key=lambda r: (r.figure.config is not None, r.figure.value, r.line))
        new = tuple(r.figure for r in chosen)
        outcome = price_outcome(product, attribute, new, accept)
        outcome.rows = tuple(r.figure.row for r in chosen)
        plan.outcomes.append(outcome)
    return plan


def price_outcome(
    product: Product, attribute: str, new: tuple[NewFigure, ...], accept: bool
) -> Outcome:
    """The importers' rules: fill a gap; confirm an equal value (citing its source from then on);
    a price for another trim never overwrites one on file; a differing value is a conflict,
    changed only when accepted."""
    old = product.figures.get(attribute, ())
    if not old:
        return Outcome(product.id, attribute, FILLED, old, new, writes=True)
    if len(old) == len(new) and all(n.same_as(o) for n, o in zip(new, old, strict=True)):
        return Outcome(product.id, attribute, CONFIRMED, old, new)
    if any(n.trim is not None for n in new):
        return Outcome(product.id, attribute, KEPT, old, new)
    if _agrees(old, new):
        return Outcome(product.id, attribute, CONFIRMED, old, new, writes=True)
    status = CORRECTED if accept else CONFLICT
    return Outcome(product.id, attribute, status, old, new, writes=accept)


def _agrees(old: tuple[Figure, ...], new: tuple[NewFigure, ...]) -> bool:
    if old[0].value != new[0].value:
        return False
    by_config = {n.config: n.value for n in new}
    return all(o.config is None or by_config.get(o.config) == o.value for o in old)
