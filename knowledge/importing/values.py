"""Planning what a data file changes in a catalog's values: for each mapped product and each
attribute the declaration fills, the figures the file gives (one per pinned configuration), and
whether that fills a gap, confirms the value on file, or conflicts with it.

Nothing is written here; `writer.py` applies a plan. A conflict is changed only when accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from knowledge.catalog import Attribute, Catalog, Figure, Product
from knowledge.errors import SourceFileError
from knowledge.importing.rows import Row, Table
from knowledge.sources import Fill, SourceSpec

FILLED, CONFIRMED, CORRECTED, CONFLICT, KEPT, NO_FIGURE = (
    "filled",
    "confirmed",
    "corrected",
    "conflict",
    "kept",
    "no figure",
)


@dataclass(frozen=True)
class NewFigure:
    config: str | None
    value: Any
    source: str
    as_of: date
    row: Row
    trim: str | None = None

    def same_as(self, figure: Figure) -> bool:
        return (figure.value, figure.source, figure.as_of, figure.config, figure.trim) == (
            self.value,
            self.source,
            self.as_of,
            self.config,
            self.trim,
        )


@dataclass
class Outcome:
    """What the file says about one attribute of one product, against what is on file."""

    product: str
    attribute: str
    status: str
    old: tuple[Figure, ...]
    new: tuple[NewFigure, ...]
    writes: bool = False
    rows: tuple[Row, ...] = ()  # the mapped rows, one per configuration


@dataclass
class Plan:
    spec: SourceSpec
    file: str
    outcomes: list[Outcome] = field(default_factory=list)
    unmapped: dict[str, str] = field(default_factory=dict)  # product id -> why

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.writes]

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == CONFLICT]


def unmapped_products(catalog: Catalog, spec: SourceSpec) -> dict[str, str]:
    """Products the mapping does not pin: its listed reason, or that nobody has reviewed them."""
    out = {}
    for product in catalog.products:
        if product.id in spec.unmappable:
            out[product.id] = spec.unmappable[product.id]
        elif product.id not in spec.products:
            out[product.id] = f"not reviewed: pin it in {spec.file.name} (see --suggest)"
    return out


def plan_values(
    catalog: Catalog, spec: SourceSpec, table: Table, as_of: date, accept: bool = False
) -> Plan:
    """The outcome of importing `table` into `catalog`; raises SourceFileError on a mapping that
    names a row the file does not hold or a row that does not describe the product."""
    plan = Plan(spec, str(table.file), unmapped=unmapped_products(catalog, spec))
    for pid, pin in spec.products.items():
        product = catalog.by_id[pid]
        picked = [
            (config, _rows(spec, table, pid, selector, product)) for config, selector in pin.rows
        ]
        for config, rows in picked:
            _check_row(catalog, spec, table, product, config, rows[0])
        for attribute, fills in spec.fill.items():
            new = []
            for config, rows in picked:
                found = _figure(catalog.category.attributes[attribute], spec, fills, rows, as_of)
                if found is not None:
                    new.append(NewFigure(config, found[0], found[1], as_of, found[2], pin.trim))
            if new or _applies(spec, fills, [rows[0] for _, rows in picked]):
                outcome = _outcome(product, attribute, fills, tuple(new), pin.trim, accept)
                outcome.rows = tuple(rows[0] for _, rows in picked)
                plan.outcomes.append(outcome)
    return plan


def _rows(spec: SourceSpec, table: Table, pid: str, selector: dict, product: Product) -> list[Row]:
    rows = table.select(selector, product.year)
    if not rows:
        named = ", ".join(f"{k} {v!r}" for k, v in selector.items())
        year = f" for model year {product.year}" if spec.year else ""
        raise SourceFileError(
            spec.file, f"{named}{year} is not in {table.file}", field=f"products.{pid}"
        )
    if len(rows) > 1 and not spec.order:
        lines = ", ".join(str(r.line) for r in rows)
        raise SourceFileError(
            spec.file,
            f"names several rows of {table.file} (lines {lines})",
            field=f"products.{pid}",
        )
    return sorted(rows, key=lambda r: _order(spec, r), reverse=True)


def _order(spec: SourceSpec, row: Row) -> float:
    try:
        return float(row.get(spec.order or "") or 0)
    except ValueError:
        return 0.0


def _check_row(
    catalog: Catalog, spec: SourceSpec, table: Table, product: Product, config, row: Row
) -> None:
    where = f"products.{product.id}"
    if spec.class_attribute and product.value(spec.class_attribute) is not None:
        found, own = spec.row_class(row.cells), product.value(spec.class_attribute)
        if found != own:
            raise SourceFileError(
                spec.file,
                f"line {row.line} of {table.file} describes a {found} {spec.class_attribute}, "
                f"the product is {own}",
                field=where,
            )
    configuration = catalog.category.configuration
    if config is not None and configuration is not None:
        offered = product.value(configuration.attribute) or ()
        if config not in offered:
            raise SourceFileError(
                spec.file,
                f"'{config}' is not one of the product's {configuration.attribute}",
                field=where,
            )


def _applies(spec: SourceSpec, fills: tuple[Fill, ...], rows: list[Row]) -> bool:
    return any(_fill_for(spec, fills, row) for row in rows)


def _fill_for(spec: SourceSpec, fills: tuple[Fill, ...], row: Row) -> Fill | None:
    kind = spec.row_class(row.cells)
    return next((f for f in fills if not f.classes or kind in f.classes), None)


def _figure(attribute: Attribute, spec: SourceSpec, fills, rows: list[Row], as_of):
    """(value, citation, row) from the first row (in release order) with a usable cell."""
    for row in rows:
        fill = _fill_for(spec, fills, row)
        if fill is None:
            continue
        value = fill_value(attribute, fill, row.get(fill.column), spec.absent)
        if value is not None:
            return value, spec.citation(row.cells), row
    return None


def fill_value(attribute: Attribute, fill: Fill, cell: str, absent: tuple[str, ...]) -> Any:
    """A cell read as the fill declares: through its spellings, as a count of position groups, or
    as the attribute's own value."""
    if cell.strip() in absent:
        return None
    if fill.values:
        value = fill.value_of(cell)
        return None if value is None else cell_value(attribute, value, absent)
    if fill.per_group:
        groups = fill.groups_of(cell)
        return None if groups is None else cell_value(attribute, str(groups), absent)
    return cell_value(attribute, cell, absent)


def cell_value(attribute: Attribute, cell: str, absent: tuple[str, ...]) -> Any:
    """A cell as a value of the attribute; None when absent, not a number or out of range."""
    text = cell.strip()
    if text in absent:
        return None
    if not attribute.is_numeric:
        return text if not attribute.values or text in attribute.values else None
    try:
        number = float(text)
    except ValueError:
        return None
    if attribute.range and not attribute.range[0] <= number <= attribute.range[1]:
        return None
    if attribute.type == "integer" or number.is_integer():
        return int(number) if number.is_integer() else None
    return number


def _outcome(
    product: Product, attribute: str, fills, new: tuple[NewFigure, ...], trim, accept: bool
) -> Outcome:
    """Fill a gap; confirm what agrees; a value the mapped rows contradict (or leave without a
    figure, as an unrated vehicle) is a conflict, changed only when accepted."""
    old = product.figures.get(attribute, ())
    if not old:
        status = FILLED if new else NO_FIGURE
        return Outcome(product.id, attribute, status, old, new, writes=bool(new))
    if len(old) == len(new) and all(n.same_as(o) for n, o in zip(new, old, strict=True)):
        return Outcome(product.id, attribute, CONFIRMED, old, new)
    if all(f.only_where_missing for f in fills) or (trim is not None and trim != product.trim):
        # Filling a gap only, or a figure for another trim: never contradicts the one on file.
        return Outcome(product.id, attribute, KEPT, old, new)
    if _agrees(old, new):
        return Outcome(product.id, attribute, CONFIRMED, old, new, writes=True)
    if accept:
        return Outcome(product.id, attribute, CORRECTED, old, new, writes=True)
    return Outcome(product.id, attribute, CONFLICT, old, new)


def _agrees(old: tuple[Figure, ...], new: tuple[NewFigure, ...]) -> bool:
    """The values on file say what the file says: the headline and every configuration's."""
    if not new or old[0].value != new[0].value:
        return False
    by_config = {n.config: n.value for n in new}
    return all(o.config is None or by_config.get(o.config) == o.value for o in old)
