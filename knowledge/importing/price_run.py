"""Running a price list into a catalog (knowledge.importing.prices reads and plans it): write the
plan through the importers' writer unless dry, and report what was filled, confirmed, corrected,
kept and found in conflict."""

from __future__ import annotations

from pathlib import Path

from knowledge.catalog import Catalog
from knowledge.importing.prices import PricePlan, plan_prices
from knowledge.importing.run import _set_value, _write
from knowledge.importing.values import CONFIRMED, CONFLICT, CORRECTED, FILLED, KEPT
from knowledge.loader import load
from knowledge.render import table


def import_prices(
    catalog_path: str | Path | None,
    file: str | Path,
    accept: bool = False,
    dry_run: bool = False,
) -> PricePlan:
    """Import a price list into the catalog (unless dry); returns what was done. The changed
    catalog is validated as a whole before any file is replaced (knowledge.importing.writer)."""
    catalog = load(catalog_path)
    plan = plan_prices(catalog, file, accept)
    if not dry_run:
        _write(catalog, plan, lambda o: _set_value(catalog, o.attribute, o.new))
    return plan


def prices_report(plan: PricePlan, catalog: Catalog, dry_run: bool = False) -> str:
    """What a price-list run filled, confirmed, corrected, kept and found in conflict."""
    attribute = catalog.category.attributes[plan.attribute]
    statuses = (FILLED, CONFIRMED, CORRECTED, CONFLICT, KEPT)
    counts = {s: sum(1 for o in plan.outcomes if o.status == s) for s in statuses}
    lines = [f"price list: {plan.file}" + (" (dry run: nothing written)" if dry_run else "")]
    lines.append(table(["attribute", *statuses], [[plan.attribute, *map(str, counts.values())]]))
    sourced = sum(1 for o in plan.outcomes if o.status == CONFIRMED and o.writes)
    if sourced:
        lines.append(f"{sourced} confirmed value(s) now cite the page the list names.")

    def shown(figures) -> str:
        return ", ".join(
            attribute.format(f.value) + (f" ({f.config})" if f.config else "") for f in figures
        )

    for outcome in plan.outcomes:
        where = ", ".join(f"line {r.line}" for r in outcome.rows)
        if outcome.status == CONFLICT:
            lines.append(
                f"  conflict (changed only with --accept): {outcome.product}: on file "
                f"{shown(outcome.old)}, the list {shown(outcome.new)} [{where}: "
                f"{outcome.new[0].source}]"
            )
        elif outcome.status == CORRECTED:
            lines.append(
                f"  corrected {outcome.product}: {shown(outcome.old)} -> {shown(outcome.new)}"
            )
        elif outcome.status == KEPT:
            lines.append(
                f"  kept {outcome.product}: {shown(outcome.old)} on file; the list's "
                f"{shown(outcome.new)} is for trim {outcome.new[0].trim} [{where}]"
            )
    return "\n".join(lines)
