"""A concept: a hypothetical product, in the catalog's own row format, for a concept test.

A concept is checked like a catalog row (knowledge.loader: its fields, attribute names, types,
units, ranges and declared values, each problem with its code and field) but it is exempt from the
source rules: it has no sources and no as-of date, because it is not a fact. It is always marked as
a concept (`hypothetical`), and every output that shows it says so.

Written by hand (CONCEPT.yml):

    concept:                       # or `concepts:` with a list of these
      id: maverick-6500            # optional; made from the name
      brand: Ford
      model: Maverick Hybrid 6500 lb
      values: {body_type: pickup, powertrain: hybrid, msrp_usd: 29000, towing_lb: 6500, ...}
    # or from a catalog product, with some figures changed:
    concept:
      from_product: ford-maverick-2025
      set: {towing_lb: 6500}

or on the command line (`advisor concept --from-product ID --set towing_lb=6500`). A changed figure
replaces every configuration's figure of that attribute (a concept has one figure per attribute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Catalog, Figure, Product
from knowledge.errors import CatalogError, CatalogProblem, Errors
from knowledge.gaps import figure_name

CONCEPT_SOURCE = "https://concept.invalid/hypothetical"  # never shown: a concept has no source
HYPOTHETICAL = "concept (hypothetical, not a real product)"
ROW_FIELDS = ("id", "brand", "model", "trim", "year", "aliases", "values")
SPEC_FIELDS = (*ROW_FIELDS, "from_product", "set", "name")


@dataclass(frozen=True)
class Concept:
    """A hypothetical product and how it was made."""

    product: Product
    name: str  # as shown: "Ford Maverick Hybrid 6500 lb (concept)"
    base: str | None = None  # the catalog product it was made from, if any
    changes: tuple[tuple[str, Any], ...] = ()  # (attribute, value) set on the base
    hypothetical: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.product.id,
            "name": self.name,
            "hypothetical": True,
            "brand": self.product.brand,
            "from_product": self.base,
            "changes": {k: v for k, v in self.changes},
            "values": {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.product.values.items()
            },
        }

    def with_values(self, changes: dict[str, Any], label: str) -> Concept:
        """The same concept with some figures changed (a sensitivity variant)."""
        product = _set_values(self.product, changes)
        return replace(self, product=product, name=f"{self.name}, {label}")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "concept"


def _set_values(product: Product, changes: dict[str, Any]) -> Product:
    values, figures = dict(product.values), dict(product.figures)
    for name, value in changes.items():
        values[name] = value
        figures[name] = (Figure(value),)
    return replace(product, values=values, figures=figures)


def parse_setting(catalog: Catalog, text: str) -> tuple[str, Any]:
    """'towing_lb=6500' -> ('towing_lb', '6500'), the attribute checked to exist (the value is
    checked with the rest of the concept)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise CatalogError(
            [
                CatalogProblem(
                    "--set", Errors.E132.format(detail=f"expected attr=value, got {text!r}")
                )
            ]
        )
    attribute = catalog.category.attributes.get(name)
    if attribute is None:
        known = ", ".join(catalog.category.attributes)
        raise CatalogError([CatalogProblem("--set", Errors.E101.format(name=name, known=known))])
    raw: Any = yaml.safe_load(value) if value.strip() else value
    if attribute.type == "set" and isinstance(raw, str):
        raw = [v.strip() for v in raw.split(",") if v.strip()]
    return name, raw


def make_concept(catalog: Catalog, spec: dict[str, Any], where: str = "concept") -> Concept:
    """A validated Concept from its declaration; raises CatalogError naming every problem."""
    from knowledge.loader import Report, _product

    file = Path(where)
    report = Report()
    if not isinstance(spec, dict):
        report.wrong_type(file, "a concept mapping", spec)
        raise CatalogError(report.problems)
    unknown = [k for k in spec if k not in SPEC_FIELDS]
    for key in unknown:
        report.add(file, Errors.E110.format(field=key, allowed=", ".join(SPEC_FIELDS)), None, key)
    base_id = spec.get("from_product")
    changes = spec.get("set") or {}
    if not isinstance(changes, dict):
        report.wrong_type(file, "a mapping of attribute values", changes, None, "set")
        changes = {}
    if base_id is not None:
        base = catalog.by_id.get(str(base_id))
        if base is None:
            hint = ", ".join(catalog.suggest(str(base_id))) or "see `advisor kb list`"
            detail = f"no product {base_id!r} to start from (did you mean: {hint})"
            report.add(file, Errors.E132.format(detail=detail), None, "from_product")
            raise CatalogError(report.problems)
        row = {
            "id": spec.get("id") or f"concept-{base.id}",
            "brand": spec.get("brand") or base.brand,
            "model": spec.get("model") or base.model,
            "trim": spec.get("trim", base.trim),
            "year": spec.get("year", base.year),
            "values": {k: list(v) if isinstance(v, tuple) else v for k, v in base.values.items()},
        }
        row["values"].update(spec.get("values") or {})
        row["values"].update(changes)
    else:
        row = {k: spec[k] for k in ROW_FIELDS if k in spec}
        row.setdefault("id", "concept-" + slug(f"{spec.get('brand', '')} {spec.get('model', '')}"))
        row["values"] = {**(spec.get("values") or {}), **changes}
    # exempt from the source rules: the row gets a placeholder no output ever shows
    row = {**row, "sources": [CONCEPT_SOURCE], "as_of": date.today().isoformat()}
    row = {k: v for k, v in row.items() if v is not None}
    product = _product(row, file, catalog.category, report)
    if product is None or not report.ok:
        raise CatalogError(report.problems)
    if base_id is not None:  # keep the base's per-configuration figures for what is not changed
        base = catalog.by_id[str(base_id)]
        kept = {
            k: v
            for k, v in base.figures.items()
            if k not in changes and k not in (spec.get("values") or {})
        }
        product = replace(product, figures={**product.figures, **kept})
        product = replace(product, values={**product.values, **{k: base.values[k] for k in kept}})
    product = replace(product, sources=(), file=where)
    name = spec.get("name") or product.full_name
    if not spec.get("name") and changes:
        attributes = catalog.category.attributes
        name += " with " + ", ".join(
            f"{attributes[k].format(product.values.get(k))} {figure_name(attributes[k])}"
            for k in changes
        )
    return Concept(
        product,
        f"{name} (concept)",
        str(base_id) if base_id is not None else None,
        tuple((k, product.values.get(k)) for k in changes),
    )


def load_concepts(catalog: Catalog, path: Path) -> list[Concept]:
    """The concepts declared in a YAML file (`concept:` or `concepts:`)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        detail = str(error).replace("\n", " ")
        raise CatalogError(
            [CatalogProblem(str(path), Errors.E100.format(detail=detail))]
        ) from error
    specs: Any = None
    if isinstance(data, dict):
        specs = [data["concept"]] if "concept" in data else data.get("concepts")
    if not isinstance(specs, list) or not specs:
        detail = "the file needs 'concept:' (one mapping) or 'concepts:' (a list)"
        raise CatalogError([CatalogProblem(str(path), Errors.E132.format(detail=detail))])
    return [make_concept(catalog, s, f"{path}#{i + 1}") for i, s in enumerate(specs)]


def check_unique(concepts: list[Concept]) -> list[Concept]:
    """Concepts with distinct ids (a repeated id gets -2, -3 ...)."""
    seen: dict[str, int] = {}
    out = []
    for concept in concepts:
        n = seen[concept.product.id] = seen.get(concept.product.id, 0) + 1
        if n > 1:
            concept = replace(
                concept, product=replace(concept.product, id=f"{concept.product.id}-{n}")
            )
        out.append(concept)
    return out
