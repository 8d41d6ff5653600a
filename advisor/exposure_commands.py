"""`advisor exposure`: the brand exposure audit over the logged recommendations as a table, with
how much of each brand's under-exposure missing figures explain."""

from __future__ import annotations

import json

import click

from advisor.mining_commands import (
    DB_OPTION,
    epoch,
    open_catalog,
    open_log,
    window_options,
)
from advisor.options import CATALOG_OPTION
from analysis.exposure import DEFAULT_TOLERANCE, ExposureAudit, exposure_row
from knowledge.catalog import Catalog
from knowledge.render import table


@click.command("exposure")
@CATALOG_OPTION
@window_options
@DB_OPTION
@click.option(
    "--tolerance",
    default=DEFAULT_TOLERANCE,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Flag a brand whose share shown and share of merit differ by more than this.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def exposure_cmd(db, since, until, catalog_path, tolerance, as_json):
    """The brand exposure audit over the logged recommendations: per brand, share shown vs share
    of merit, and how much of its under-exposure comes from missing figures (products that met
    every need they have a figure for) rather than from the figures on file.

    Example: advisor exposure --since 2026-01-01 --json
    """
    if since and until and until < since:
        raise click.UsageError("--until is before --since")
    catalog = open_catalog(catalog_path)
    audit = ExposureAudit(catalog)
    log = open_log(db)
    try:
        for turn in log.iter_turns(since=epoch(since), until=epoch(until, 1)):
            audit.add(turn)
    finally:
        log.close()
    rows = audit.rows()
    if as_json:
        data = {
            "turns": audit.turns,
            "tolerance": tolerance,
            "brands": [exposure_row(r, tolerance) for r in rows],
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(exposure_text(catalog, audit.turns, rows, tolerance))


def exposure_text(catalog: Catalog, turns: int, rows, tolerance: float) -> str:
    def points(share: float) -> str:
        return f"{share * 100:.1f}"

    labels = catalog.category.attributes
    header = [
        "brand",
        "shown",
        "share shown",
        "share of merit",
        "flag",
        "might fit",
        "share if known",
        "under (pts)",
        "missing figures (pts)",
        "figures on file (pts)",
        "figures missing most",
    ]
    body = [
        [
            r.brand,
            str(r.shown),
            f"{r.shown_share:.1%}",
            f"{r.eligible_share:.1%}",
            r.flag(tolerance),
            str(r.might_fit),
            f"{r.possible_share:.1%}",
            points(r.under_exposure),
            points(r.from_missing_figures),
            points(r.from_specs),
            ", ".join(f"{labels[a].label if a in labels else a} ({n})" for a, n in r.missing[:2]),
        ]
        for r in rows
    ]
    return "\n".join(
        [
            f"Brand exposure over {turns:,} turns that showed recommendations "
            f"(tolerance {tolerance:.0%}).",
            "share if known: the brand's share of the products that met or might have met the "
            "needs (every need they have a figure for met); under: how far its share shown falls "
            "below that, split into what missing figures explain (share if known minus share of "
            "merit) and the rest (its matches ranked below others on the figures on file).",
            table(header, body) if body else "No recommendations were logged in this window.",
        ]
    )


COMMANDS = (exposure_cmd,)
