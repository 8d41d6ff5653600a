"""Candidate rows for a product, so a person can pin the mapping: rows of the product's model year,
brand and model name (the declared columns) and, where the declaration sorts rows into classes,
of the product's class; grouped by the configuration each row describes.

A product's candidates are `unique` when each configuration has at most one row, `several` when
some configuration has more (a person must choose, and say why), `none` when nothing fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalog import Catalog, Product, name_key
from knowledge.importing.rows import Row, Table
from knowledge.sources import SourceSpec

UNIQUE, SEVERAL, NONE = "unique", "several", "none"


@dataclass(frozen=True)
class Candidates:
    product: Product
    by_config: dict[str | None, tuple[Row, ...]]

    @property
    def status(self) -> str:
        if not any(self.by_config.values()):
            return NONE
        return SEVERAL if any(len(rows) > 1 for rows in self.by_config.values()) else UNIQUE

    @property
    def rows(self) -> list[Row]:
        return list({id(r): r for rows in self.by_config.values() for r in rows}.values())


def candidates(catalog: Catalog, spec: SourceSpec, table: Table, product: Product) -> Candidates:
    brands = {name_key(b) for b in catalog.brand_names(product.brand)}
    model = name_key(product.model)
    own_class = product.value(spec.class_attribute) if spec.class_attribute else None
    found = []
    for row in table.of_year(product.year):
        if spec.brand_column and name_key(row.get(spec.brand_column)) not in brands:
            continue
        names = [name_key(row.get(c)) for c in spec.model_columns]
        if spec.model_columns and not any(
            n and (n.startswith(model) or model.startswith(n)) for n in names
        ):
            continue
        if own_class is not None and spec.row_class(row.cells) != own_class:
            continue
        found.append(row)
    return Candidates(product, _by_config(catalog, spec, product, found))


def _by_config(catalog: Catalog, spec: SourceSpec, product: Product, rows: list[Row]):
    configuration = catalog.category.configuration
    if configuration is None or not spec.config_column:
        return {None: tuple(rows)}
    offered = product.value(configuration.attribute) or ()
    if not offered:
        return {None: tuple(rows)}
    groups: dict[str | None, list[Row]] = {c: [] for c in offered}
    for row in rows:
        for config in spec.config_values.get(row.get(spec.config_column), ()):
            if config in groups:
                groups[config].append(row)
    return {c: tuple(r) for c, r in groups.items()}


def pinned_as_suggested(spec: SourceSpec, found: Candidates) -> bool:
    """The product's pin is exactly its unique candidates (so no reason is needed)."""
    pin = spec.products.get(found.product.id)
    if pin is None or found.status != UNIQUE:
        return False
    wanted = {config: rows[0] for config, rows in found.by_config.items() if rows}
    pinned = {config: selector for config, selector in pin.rows}
    if set(wanted) != set(pinned):
        return False
    return all(
        all(
            row.get(k).strip().lower() == v.strip().lower()
            for k, v in pinned[c].items()
            if k in row.cells
        )
        for c, row in wanted.items()
    )


def suggestion_text(spec: SourceSpec, found: Candidates) -> str:
    """Candidates as a person reads them, with a ready mapping entry when they are unique."""
    product = found.product
    lines = [f"{product.id} ({product.full_name}): {found.status}"]
    for config, rows in found.by_config.items():
        label = config or "rows"
        if not rows:
            lines.append(f"  {label}: no candidate")
        for row in rows:
            shown = ", ".join(f"{c}={row.get(c)}" for c in (*spec.key, *spec.show))
            lines.append(f"  {label}: line {row.line}: {shown}")
    if found.status == UNIQUE:
        entries = {
            config: rows[0].get(spec.key[0])
            if len(spec.key) == 1
            else {k: rows[0].get(k) for k in spec.key}
            for config, rows in found.by_config.items()
            if rows
        }
        lines.append(f"  pin: {product.id}: {{rows: {entries}}}")
    return "\n".join(lines)
