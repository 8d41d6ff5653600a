"""How much of a catalog has figures: the share of products with a value, per brand and attribute,
the figures that cite only their product's general sources, and the coverage targets the catalog
declares (`sources/coverage.yml`), which the test suite holds the shipped catalog to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from knowledge.catalog import Catalog, Product
from knowledge.errors import Errors, SourceFileError
from knowledge.render import table
from knowledge.sources import sources_dir

TARGETS_FILE = "coverage.yml"


@dataclass(frozen=True)
class Target:
    """At least `share` of the products whose `where` attribute has one of `values` have a figure
    for `attribute`."""

    attribute: str
    share: float
    where: str | None = None
    values: tuple[str, ...] = ()

    def products(self, catalog: Catalog) -> list[Product]:
        if self.where is None:
            return list(catalog.products)
        return [p for p in catalog.products if p.value(self.where) in self.values]

    def measure(self, catalog: Catalog) -> tuple[int, int]:
        declared = catalog.category.attributes[self.attribute]
        pool = [p for p in self.products(catalog) if declared.applies_to(p.values)]
        return sum(1 for p in pool if p.value(self.attribute) is not None), len(pool)

    def describe(self) -> str:
        scope = f" of {', '.join(self.values)} ({self.where})" if self.where else ""
        return f"{self.attribute} for at least {self.share:.0%}{scope}"


def read_targets(catalog: Catalog) -> list[Target]:
    file = sources_dir(catalog.source) / TARGETS_FILE
    if not file.is_file():
        return []
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        targets = []
        for raw in data.get("targets") or []:
            where = raw.get("where") or {}
            (column, values), *rest = where.items() if where else [(None, [])]
            if rest or raw["attribute"] not in catalog.category.attributes:
                raise ValueError(f"target {raw!r}")
            targets.append(
                Target(raw["attribute"], float(raw["at_least"]), column, tuple(map(str, values)))
            )
        return targets
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as error:
        detail = f"targets: each needs attribute, at_least and optionally where ({error})"
        raise SourceFileError(file, Errors.E120.format(detail=detail)) from error


def share(products: list[Product], attribute: str, catalog: Catalog | None = None) -> float | None:
    """The share of `products` with a figure for `attribute`, counting (with `catalog`) only the
    products that can have one at all (its `applies_when`): no electric range for a gas car is no
    gap. None when no product counts."""
    declared = catalog.category.attributes.get(attribute) if catalog is not None else None
    pool = [p for p in products if declared is None or declared.applies_to(p.values)]
    if not pool:
        return None
    return sum(1 for p in pool if p.value(attribute) is not None) / len(pool)


def coverage(catalog: Catalog) -> dict[str, Any]:
    """Shares per brand and attribute, per attribute, overall, and each target's standing."""
    attributes = list(catalog.category.attributes)
    brands = {
        brand: {a: share([p for p in catalog if p.brand == brand], a, catalog) for a in attributes}
        for brand in catalog.brands
    }
    declared = catalog.category.attributes
    cells = [
        p.value(a) is not None
        for p in catalog
        for a in attributes
        if declared[a].applies_to(p.values)
    ]
    targets = []
    for target in read_targets(catalog):
        have, of = target.measure(catalog)
        targets.append(
            {
                "target": target.describe(),
                "attribute": target.attribute,
                "have": have,
                "of": of,
                "share": have / of if of else None,
                "met": of == 0 or have / of >= target.share,
                "missing": [
                    p.id
                    for p in target.products(catalog)
                    if p.value(target.attribute) is None
                    and declared[target.attribute].applies_to(p.values)
                ],
            }
        )
    return {
        "products": len(catalog),
        "brands": brands,
        "attributes": {a: share(list(catalog.products), a, catalog) for a in attributes},
        "overall": sum(cells) / len(cells) if cells else None,
        "targets": targets,
        "breadth": breadth(catalog),
    }


def unsourced(catalog: Catalog) -> dict[str, list[str]]:
    """Per product, the values that cite no source of their own (only the product's sources)."""
    out = {}
    for product in catalog:
        names = [
            name
            for name, figures in product.figures.items()
            if any(f.source is None for f in figures)
        ]
        if names:
            out[product.id] = names
    return out


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def breadth(catalog: Catalog) -> dict[str, Any]:
    """How many products and brands, and how the products spread over each category attribute's
    values (body, powertrain, driver-assistance equipment...), with the products lacking one."""
    spread: dict[str, dict[str, int]] = {}
    for name, attribute in catalog.category.attributes.items():
        if attribute.type != "category":
            continue
        counts = {v: 0 for v in attribute.values}
        counts["no figure"] = 0
        for product in catalog.products:
            value = product.value(name)
            counts[value if value in counts else "no figure"] += 1
        spread[name] = counts
    return {"products": len(catalog.products), "brands": len(catalog.brands), "values": spread}


def breadth_text(catalog: Catalog, data: dict[str, Any]) -> str:
    category = catalog.category
    lines = [f"Breadth: {data['products']} {category.items} from {data['brands']} brands."]
    for name, counts in data["values"].items():
        attribute = category.attributes[name]
        parts = [
            f"{attribute.format(v) if v != 'no figure' else v} {n}" for v, n in counts.items() if n
        ]
        lines.append(f"  {attribute.label}: {', '.join(parts)}")
    return "\n".join(lines)


def coverage_text(catalog: Catalog, data: dict[str, Any]) -> str:
    attributes = list(catalog.category.attributes)
    header = ["brand (products)", *attributes]
    counts = {b: sum(1 for p in catalog if p.brand == b) for b in catalog.brands}
    rows = [
        [f"{brand} ({counts[brand]})", *(percent(shares[a]) for a in attributes)]
        for brand, shares in data["brands"].items()
    ]
    rows.append(
        [f"all ({data['products']})", *(percent(data["attributes"][a]) for a in attributes)]
    )
    lines = [
        breadth_text(catalog, data["breadth"]),
        f"Coverage of {catalog.category.name}: share of {catalog.category.items} with a figure",
        table(header, rows),
        f"Overall: {percent(data['overall'])} of product x attribute cells have a figure.",
    ]
    for target in data["targets"]:
        mark = "met" if target["met"] else "NOT MET"
        lines.append(
            f"Target {target['target']}: {target['have']}/{target['of']} "
            f"({percent(target['share'])}) {mark}"
            + (f"; missing: {', '.join(target['missing'])}" if target["missing"] else "")
        )
    return "\n".join(lines)


def unsourced_text(found: dict[str, list[str]]) -> str:
    total = sum(len(v) for v in found.values())
    lines = [f"{total} value(s) in {len(found)} product(s) cite only their product's sources:"]
    lines += [f"  {pid}: {', '.join(names)}" for pid, names in found.items()]
    return "\n".join(lines)
