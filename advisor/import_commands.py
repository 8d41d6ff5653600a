"""`advisor kb import-*`: public data files into the catalog, through the declarations and the
reviewed product mapping kept in the catalog's sources/ folder."""

from __future__ import annotations

import json
from datetime import date

import click

from advisor.options import CATALOG_OPTION
from knowledge.coverage import coverage, coverage_text, unsourced_text
from knowledge.coverage import unsourced as unsourced_values
from knowledge.errors import CatalogError, SourceFileError
from knowledge.importing.price_run import import_prices, prices_report
from knowledge.importing.rows import read_table
from knowledge.importing.run import (
    import_issues,
    import_values,
    issues_report,
    open_source,
    report,
)
from knowledge.importing.suggest import candidates, suggestion_text
from knowledge.importing.values import unmapped_products
from knowledge.loader import load
from knowledge.render import table as text_table


def _import_options(function):
    for option in reversed(
        [
            click.argument("file", type=click.Path(dir_okay=False)),
            CATALOG_OPTION,
            click.option(
                "--accept",
                is_flag=True,
                help="Change values that differ from the file (conflicts).",
            ),
            click.option(
                "--dry-run", is_flag=True, help="Report what would change; write nothing."
            ),
            click.option(
                "--suggest",
                is_flag=True,
                help="List candidate rows for each product the mapping does not pin; write nothing.",
            ),
            click.option(
                "--as-of",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="The date the file was downloaded (default: the declaration's source.as_of).",
            ),
        ]
    ):
        function = option(function)
    return function


def run_import(
    declaration: str, file, catalog_path, accept, dry_run, suggest, as_of=None, issues=False
) -> None:
    try:
        if suggest:
            click.echo(suggestions(catalog_path, declaration, file))
            return
        if issues:
            plan = import_issues(catalog_path, declaration, file, accept, dry_run)
        else:
            when: date | None = as_of.date() if as_of else None
            plan = import_values(catalog_path, declaration, file, accept, when, dry_run)
    except (SourceFileError, CatalogError) as error:
        raise click.ClickException(f"{error}\nThe catalog was left as it was.") from error
    click.echo(issues_report(plan, dry_run) if issues else report(plan, dry_run))


def suggestions(catalog_path, declaration: str, file) -> str:
    catalog, spec = open_source(catalog_path, declaration)
    table = read_table(file, spec)
    todo = [
        catalog.by_id[pid] for pid in unmapped_products(catalog, spec) if pid not in spec.unmappable
    ]
    if not todo:
        return f"Every product is pinned in {spec.file.name} or listed as unmappable."
    return "\n".join(suggestion_text(spec, candidates(catalog, spec, table, p)) for p in todo)


@click.command("import-epa")
@_import_options
def import_epa(**options) -> None:
    """Fill EPA combined mpg, MPGe and electric range from fueleconomy.gov's vehicles.csv(.zip).

    Columns, powertrain rules and the product -> EPA id mapping are declared in the catalog's
    sources/epa.yml; each figure cites fueleconomy.gov's page for its EPA id.

    Example: advisor kb import-epa ../shared/data/epa/vehicles.csv.zip
    """
    run_import("epa.yml", **options)


@click.command("import-nhtsa-ratings")
@_import_options
def import_nhtsa_ratings(**options) -> None:
    """Fill NHTSA overall 5-Star Safety Ratings (and seats where missing) from Safercar_data.csv.

    Columns and the product -> NHTSA make/model/body/drive mapping are declared in the catalog's
    sources/nhtsa-ratings.yml; each figure cites NHTSA's page for that vehicle.

    Example: advisor kb import-nhtsa-ratings ../shared/data/nhtsa/safercar_MY2024-2026.csv
    """
    run_import("nhtsa-ratings.yml", **options)


@click.command("import-recalls")
@_import_options
def import_recalls(as_of, **options) -> None:
    """Attach NHTSA recall campaigns as known issues, from NHTSA's recall documents file.

    One known issue per campaign whose make, model and model year map to the product (the
    mapping in the catalog's sources/nhtsa-recalls.yml), with the campaign id and year, a short
    summary from NHTSA's text (the owner letter where there is one) and NHTSA's campaign page.

    Example: advisor kb import-recalls ../shared/data/nhtsa/recall_documents_MY2024-2026.csv
    """
    run_import("nhtsa-recalls.yml", issues=True, **options)


@click.command("add-lines")
@CATALOG_OPTION
@click.option(
    "--epa",
    "epa_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="EPA's vehicles.csv(.zip).",
)
@click.option(
    "--nhtsa-ratings",
    "ratings_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="NHTSA's Safercar_data.csv.",
)
@click.option(
    "--nhtsa-recalls",
    "recalls_file",
    type=click.Path(dir_okay=False),
    help="NHTSA's recall documents file; without it, no recall pins are written or imported.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be added; write nothing.")
def add_lines_command(catalog_path, epa_file, ratings_file, recalls_file, dry_run) -> None:
    """Add the model lines declared in the catalog's sources/lines.yml from the public files.

    Each new line gets its body, powertrain and drivetrains from the files' own rows (each citing
    its row) and is pinned in epa.yml, nhtsa-ratings.yml and nhtsa-recalls.yml; the importers then
    fill every figure they declare. Lines already in the catalog are left alone.

    Example: advisor kb add-lines --epa ../shared/data/epa/vehicles.csv.zip
    --nhtsa-ratings ../shared/data/nhtsa/safercar_MY2024-2026.csv
    --nhtsa-recalls ../shared/data/nhtsa/recall_documents_MY2024-2026.csv
    """
    from knowledge.importing.lines import add_lines

    files = {"efficiency": epa_file, "ratings": ratings_file, "issues": recalls_file}
    try:
        planned, present = add_lines(catalog_path, files, dry_run)
    except (SourceFileError, CatalogError) as error:
        raise click.ClickException(f"{error}\nThe catalog was left as it was.") from error
    if planned:
        header = list(planned[0].shown)
        rows = [[item.shown[h] for h in header] for item in planned]
        verb = "Would add" if dry_run else "Added"
        click.echo(f"{verb} {len(planned)} line(s):")
        click.echo(text_table(header, rows))
    click.echo(f"{len(present)} declared line(s) already in the catalog.")
    if dry_run or not planned:
        return
    steps = [("epa.yml", epa_file, False), ("nhtsa-ratings.yml", ratings_file, False)]
    if recalls_file:
        steps.append(("nhtsa-recalls.yml", recalls_file, True))
    for declaration, file, issues in steps:
        run_import(declaration, file, catalog_path, False, False, False, issues=issues)


@click.command("import-prices")
@click.argument("file", type=click.Path(dir_okay=False))
@CATALOG_OPTION
@click.option("--accept", is_flag=True, help="Change prices that differ from the list (conflicts).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def import_prices_cmd(file, catalog_path, accept: bool, dry_run: bool) -> None:
    """Fill starting prices from a price list (CSV), each with its source URL and as-of date.

    Columns: product_id (or make, model, year), msrp, source, as_of; optional trim, the
    configuration (drivetrain) and note. Every row is checked before anything is written: a bad
    row is reported with its line and field and the catalog is left as it was. A price that
    differs from the one on file is a conflict, changed only with --accept. The catalog's own
    list is sources/prices.csv.

    Example: advisor kb import-prices knowledge/catalogs/vehicles/sources/prices.csv --dry-run
    """
    try:
        catalog = load(catalog_path)
        plan = import_prices(catalog_path, file, accept, dry_run)
    except (SourceFileError, CatalogError) as error:
        raise click.ClickException(f"{error}\nThe catalog was left as it was.") from error
    click.echo(prices_report(plan, catalog, dry_run))


@click.command("coverage")
@CATALOG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--unsourced", is_flag=True, help="Also list the values that cite only their product's sources."
)
def kb_coverage(catalog_path, as_json: bool, unsourced: bool) -> None:
    """Share of products with a figure, per brand and attribute, overall, and against the targets
    the catalog declares (sources/coverage.yml).

    Example: advisor kb coverage --unsourced
    """
    try:
        catalog = load(catalog_path)
        data = coverage(catalog)
    except (SourceFileError, CatalogError) as error:
        raise click.ClickException(str(error)) from error
    if unsourced:
        data["unsourced"] = unsourced_values(catalog)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(coverage_text(catalog, data))
    if unsourced:
        click.echo(unsourced_text(data["unsourced"]))


@click.command("names")
@click.argument("file", type=click.Path(dir_okay=False))
@CATALOG_OPTION
def kb_names(file, catalog_path) -> None:
    """Write the catalog's list of real model names (the brands and models a public file lists,
    with the body type and powertrain each implies) from FILE, as sources/names/*.yml declares.

    The advisor reads the list to tell a model it has no data on from a word it did not
    understand. A catalog without such a declaration has no list.

    Example: advisor kb names ../shared/data/epa/vehicles.csv.zip
    """
    from knowledge.importing.names import write_names

    try:
        written = write_names(catalog_path, file)
    except (SourceFileError, CatalogError) as error:
        raise click.ClickException(str(error)) from error
    for path, count in written:
        click.echo(f"Wrote {path}: {count} models")


IMPORT_COMMANDS = (
    import_epa,
    import_nhtsa_ratings,
    import_recalls,
    import_prices_cmd,
    add_lines_command,
    kb_coverage,
    kb_names,
)
