"""Running a value importer: read the declaration and the file, plan, write (unless dry), report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from knowledge.catalog import Catalog
from knowledge.errors import Errors, SourceFileError
from knowledge.importing.issues import NewIssue, plan_issues
from knowledge.importing.rows import read_table
from knowledge.importing.values import (
    CONFIRMED,
    CONFLICT,
    CORRECTED,
    FILLED,
    KEPT,
    NO_FIGURE,
    NewFigure,
    Plan,
    plan_values,
)
from knowledge.importing.writer import block_map, figure_node, rewrite
from knowledge.loader import load
from knowledge.render import table as text_table
from knowledge.sources import SourceSpec, read_spec, sources_dir

COLUMNS = (FILLED, CONFIRMED, CORRECTED, CONFLICT, NO_FIGURE, KEPT)


def open_source(catalog_path: str | Path | None, declaration: str) -> tuple[Catalog, SourceSpec]:
    catalog = load(catalog_path)
    file = sources_dir(catalog.source) / declaration
    if not file.is_file():
        raise SourceFileError(file, Errors.E120.format(detail="no such declaration"))
    return catalog, read_spec(file)


def source_as_of(spec: SourceSpec, as_of: date | None) -> date:
    chosen = as_of or spec.as_of
    if chosen is None:
        raise SourceFileError(
            spec.file, Errors.E120.format(detail="declare source.as_of or pass --as-of")
        )
    return chosen


def import_values(
    catalog_path: str | Path | None,
    declaration: str,
    data_file: str | Path,
    accept: bool = False,
    as_of: date | None = None,
    dry_run: bool = False,
) -> Plan:
    """Import the declared values of `data_file` into the catalog; returns what was done."""
    catalog, spec = open_source(catalog_path, declaration)
    table = read_table(data_file, spec)
    plan = plan_values(catalog, spec, table, source_as_of(spec, as_of), accept)
    if not dry_run:
        _write(catalog, plan, lambda o: _set_value(catalog, o.attribute, o.new))
    return plan


def _write(catalog: Catalog, plan: Plan, edit_for) -> None:
    """Apply the plan's writes, one edit (from `edit_for(outcome)`) per outcome."""
    edits: dict[str, list] = {}
    for outcome in plan.writes:
        edits.setdefault(outcome.product, []).append(edit_for(outcome))
    if edits:
        rewrite(catalog, edits)


def import_issues(
    catalog_path: str | Path | None,
    declaration: str,
    data_file: str | Path,
    accept: bool = False,
    dry_run: bool = False,
) -> Plan:
    """Attach one known issue per campaign of each mapped product; returns what was done."""
    catalog, spec = open_source(catalog_path, declaration)
    plan = plan_issues(catalog, spec, read_table(data_file, spec), accept)
    if not dry_run:
        _write(catalog, plan, lambda o: _set_issue(o.new[0]))
    return plan


def _set_issue(issue: NewIssue):
    """An edit that replaces the product's issue with the same id, or adds it in id order."""

    def edit(row) -> None:
        if "known_issues" not in row:
            keys = list(row)
            row.insert(
                keys.index("sources") if "sources" in keys else len(keys), "known_issues", []
            )
        issues = row["known_issues"]
        node = block_map(issue.fields())
        same = [i for i, old in enumerate(issues) if str(old.get("id")) == issue.id]
        if same:
            issues[same[0]] = node
            return
        later = [i for i, old in enumerate(issues) if str(old.get("id") or "") > issue.id]
        issues.insert(later[0] if later else len(issues), node)

    return edit


def figure_fields(catalog: Catalog, figure: NewFigure) -> dict:
    fields: dict = {"value": figure.value}
    configuration = catalog.category.configuration
    if figure.config is not None and configuration is not None:
        fields[configuration.key] = figure.config
    if figure.trim is not None:
        fields["trim"] = figure.trim
    fields["source"] = figure.source
    fields["as_of"] = figure.as_of
    return fields


def _set_value(catalog: Catalog, attribute: str, new: tuple[NewFigure, ...]):
    """An edit that writes the figures (or removes the value, when the source has none)."""
    node = figure_node([figure_fields(catalog, f) for f in new]) if new else None
    order = list(catalog.category.attributes)

    def edit(row) -> None:
        values = row["values"]
        if node is None:
            values.pop(attribute, None)
            return
        if attribute in values:
            values[attribute] = node
            return
        later = [k for k in values if k in order and order.index(k) > order.index(attribute)]
        values.insert(list(values).index(later[0]) if later else len(values), attribute, node)

    return edit


def describe(values) -> str:
    return (
        ", ".join(f"{f.value}" + (f" ({f.config})" if f.config else "") for f in values)
        or "no figure"
    )


def heading(plan: Plan, dry_run: bool) -> str:
    return f"{plan.spec.name}: {plan.file}" + (" (dry run: nothing written)" if dry_run else "")


def unmapped_lines(plan: Plan) -> list[str]:
    """The products the run could not map, each with why."""
    if not plan.unmapped:
        return []
    lines = [f"Not mapped ({len(plan.unmapped)}):"]
    return lines + [f"  {pid}: {why}" for pid, why in sorted(plan.unmapped.items())]


def issues_report(plan: Plan, dry_run: bool = False) -> str:
    """What a known-issues run attached, confirmed, corrected and could not map."""
    spec = plan.spec
    lines = [heading(plan, dry_run)]
    counts = {c: 0 for c in (FILLED, CONFIRMED, CORRECTED, CONFLICT)}
    for outcome in plan.outcomes:
        counts[outcome.status] += 1
    products = len({o.product for o in plan.outcomes})
    header = ["attribute", "attached", CONFIRMED, CORRECTED, CONFLICT, "products", "not mapped"]
    cells = [str(counts[c]) for c in (FILLED, CONFIRMED, CORRECTED, CONFLICT)]
    lines.append(
        text_table(header, [["known_issues", *cells, str(products), str(len(plan.unmapped))]])
    )
    for outcome in plan.outcomes:
        if outcome.status in (CONFLICT, CORRECTED):
            old, new = outcome.old[0], outcome.new[0]
            verb = (
                "corrected"
                if outcome.status == CORRECTED
                else "conflict (changed only with --accept)"
            )
            lines.append(
                f"  {verb}: {outcome.product} {new.id}: on file {old.summary!r} ({old.source}), "
                f"{spec.label} {new.summary!r} ({new.source}, line {outcome.rows[0].line})"
            )
    return "\n".join(lines + unmapped_lines(plan))


def report(plan: Plan, dry_run: bool = False) -> str:
    """What a run filled, confirmed, corrected and could not map, per attribute."""
    spec = plan.spec
    lines = [heading(plan, dry_run)]
    attributes = list(dict.fromkeys(o.attribute for o in plan.outcomes)) or list(spec.fill)
    rows = []
    for attribute in attributes:
        counts = {c: 0 for c in COLUMNS}
        for outcome in plan.outcomes:
            if outcome.attribute == attribute:
                counts[outcome.status] += 1
        rows.append([attribute, *(str(counts[c]) for c in COLUMNS), str(len(plan.unmapped))])
    header = ["attribute", *COLUMNS, "not mapped"]
    lines.append(text_table(header, rows))
    sourced = sum(1 for o in plan.outcomes if o.status == CONFIRMED and o.writes)
    if sourced:
        lines.append(f"{sourced} confirmed value(s) now cite their {spec.label} row.")
    if plan.conflicts:
        lines.append("Conflicts (changed only with --accept):")
        for outcome in plan.conflicts:
            rows_named = "; ".join(
                f"line {row.line}: {spec.citation(row.cells)}" for row in outcome.rows
            )
            lines.append(
                f"  {outcome.product} {outcome.attribute}: on file {describe(outcome.old)}, "
                f"{spec.label} {describe(outcome.new)} [{rows_named}]"
            )
    corrected = [o for o in plan.outcomes if o.status == CORRECTED]
    for outcome in corrected:
        lines.append(
            f"  corrected {outcome.product} {outcome.attribute}: {describe(outcome.old)} -> "
            f"{describe(outcome.new)}"
        )
    return "\n".join(lines + unmapped_lines(plan))
