"""Configurations: the category declares which attribute names a product's configurations (e.g.
drivetrains) and the key a figure uses to say which one it describes; a product's figures must
each describe a configuration it offers, one figure per configuration."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from knowledge.catalog import Category, ConfigurationSpec
from knowledge.category_schema import is_name
from knowledge.errors import Errors, Problems

FIGURE_FIELDS = ("value", "source", "as_of", "trim")


def with_configuration(category: Category, raw: Any, file: Path, report: Problems):
    """The category with its `configuration` declaration: {attribute: <set or category>, key}."""
    if raw is None:
        return category
    attribute = (
        category.attributes.get(str(raw.get("attribute"))) if isinstance(raw, dict) else None
    )
    key = raw.get("key") if isinstance(raw, dict) else None
    if (
        attribute is None
        or attribute.type not in ("set", "category")
        or not is_name(key)
        or str(key) in FIGURE_FIELDS
    ):
        detail = (
            "'configuration' must be {attribute: a declared set or category attribute, key: a "
            f"figure field name other than {', '.join(FIGURE_FIELDS)}}}"
        )
        report.add(file, Errors.E112.format(detail=detail))
        return None
    return replace(category, configuration=ConfigurationSpec(attribute.name, str(key)))


def check_configs(
    figures: dict, values: dict, file: Path, pid: str, category: Category, report: Problems
) -> None:
    """Each figure's configuration is one the product offers, and no configuration has two."""
    spec = category.configuration
    if spec is None:
        return
    offered = values.get(spec.attribute)
    offered = set(offered) if isinstance(offered, tuple) else {offered} if offered else None
    for name, found in figures.items():
        configs = [f.config for f in found if f.config is not None]
        for config in configs:
            if offered is not None and config not in offered:
                detail = f"{spec.key} '{config}' is not one of the {spec.attribute} offered"
                report.add(file, Errors.E118.format(detail=detail), pid, f"values.{name}")
        if len(configs) != len(set(configs)) or (len(found) > 1 and len(configs) < len(found)):
            detail = f"several figures need a different '{spec.key}' each"
            report.add(file, Errors.E118.format(detail=detail), pid, f"values.{name}")
