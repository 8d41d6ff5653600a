"""Catalog commands of the `advisor` CLI: checks, recommendations, comparisons, the rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from advisor.import_commands import IMPORT_COMMANDS
from advisor.options import CATALOG_OPTION
from knowledge.bot_domain import GENERATED_FILE, catalog_label, domain_text, write_domain
from knowledge.catalog import Catalog
from knowledge.citations import citation
from knowledge.compare import compare as compare_products
from knowledge.errors import CatalogError, NeedsError, UnknownProductError
from knowledge.loader import DEFAULT_CATALOG, default_catalog_path, load, validate
from knowledge.matching import ranking_rules, recommend
from knowledge.needs import build_profile
from knowledge.render import render_advice, render_comparison


def open_catalog(path: str | None) -> Catalog:
    try:
        return load(path)
    except CatalogError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def kb() -> None:
    """Catalog (knowledge base) commands."""


@kb.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True))
def kb_validate(path: str | None) -> None:
    """Check a catalog and print every problem with its file, product and field.

    Figures that carry their own source are checked against the catalog's source declarations
    (sources/*.yml); sources on sites listed as low quality (sources/sites.yml) are warned about.

    Example: advisor kb validate knowledge/catalogs/vehicles
    """
    report = validate(path)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not report.ok:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(report.problems)} problem(s) found")
    catalog = report.catalog
    assert catalog is not None
    click.echo(
        f"OK: {catalog.category.name}: {len(catalog)} {catalog.category.items} "
        f"from {len(catalog.brands)} brands"
    )


@kb.command("domain")
@CATALOG_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write a complete domain folder here (core.yml copied beside the generated needs.yml).",
)
@click.option("--check", is_flag=True, help="Only check that bot/domain/needs.yml is current.")
def kb_domain(catalog_path: str | None, out: Path | None, check: bool) -> None:
    """Generate the Rasa domain's need entities and slots, the needs form and its questions from
    the catalog's category.yml (ops.stack.ensure_model does this before training).

    Without --out it rewrites bot/domain/needs.yml, the generated part kept for the default
    catalog; with --out it writes a folder to train another catalog with (`--domain FOLDER`).

    Example: advisor kb domain --catalog knowledge/catalogs/laptops --out models/domain/laptops
    """
    from advisor.settings import project_dir

    path = Path(catalog_path) if catalog_path else default_catalog_path()
    text = domain_text(open_catalog(str(path)).category, catalog_label(path))
    hand_written = project_dir() / "bot" / "domain"
    committed = hand_written / GENERATED_FILE
    if check:
        if not committed.is_file() or committed.read_text(encoding="utf-8") != text:
            raise click.ClickException(f"{committed} is stale: run `advisor kb domain`")
        click.echo(f"OK: {committed} is what {catalog_label(path)} generates")
    elif out:
        click.echo(f"Wrote {write_domain(out, hand_written, text)}")
    elif path.resolve() != DEFAULT_CATALOG.resolve():
        raise click.UsageError(
            f"{committed} is the generated part for the shipped catalog; for {path} give --out "
            "FOLDER (advisor run does this by itself)"
        )
    else:
        committed.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {committed}")


@kb.command("show")
@click.argument("name")
@CATALOG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_show(name: str, catalog_path: str | None, as_json: bool) -> None:
    """Show one product's facts (each sourced figure with its source and date), sources and known
    issues.

    Example: advisor kb show "Chevy Equinox EV"
    """
    catalog = open_catalog(catalog_path)
    product = find_or_explain(catalog, name)
    attributes = catalog.category.attributes
    if as_json:
        data = {
            "id": product.id,
            "name": product.full_name,
            "values": {
                k: list(v) if isinstance(v, tuple) else v for k, v in product.values.items()
            },
            "known_issues": [
                i.__dict__ | {"date": str(i.date or "")} for i in product.known_issues
            ],
            "sources": list(product.sources),
            "as_of": product.as_of.isoformat(),
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(product.full_name)
    for key, attribute in attributes.items():
        found = citation(catalog, product, key) if product.figure(key) else None
        own = f" [{found.text()}]" if found and product.figure(key).source else ""
        click.echo(f"  {attribute.label}: {attribute.format(product.value(key))}{own}")
    for issue in product.known_issues:
        click.echo(f"  ! {issue.kind}: {issue.summary} {issue.source or ''}".rstrip())
    click.echo(f"  as of {product.as_of}; sources: {', '.join(product.sources)}")


def parse_need_args(args: list[str]) -> dict[str, str | bool]:
    """['--budget', '45000', '--awd', '--seats=7'] -> {'budget': '45000', 'awd': True, 'seats': '7'}."""
    needs: dict[str, str | bool] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise click.UsageError(f"Unexpected argument {arg!r}: needs are given as --name value")
        name, _, value = arg[2:].partition("=")
        name = name.replace("-", "_")
        if not value:
            if i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
                i += 1
            else:
                needs[name] = True
                i += 1
                continue
        needs[name] = value
        i += 1
    return needs


@click.command(
    "recommend", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@CATALOG_OPTION
@click.option("--prefer", multiple=True, help="A priority (repeatable), e.g. fuel_economy, cargo.")
@click.option("--exclude-brand", multiple=True, help="A brand to leave out (repeatable).")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option(
    "--might-fit",
    "might_fit_shown",
    default="3",
    show_default=True,
    help="How many products that might also fit (a figure not on file) to name; 'all' for every one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def recommend_cmd(ctx, catalog_path, prefer, exclude_brand, top, might_fit_shown, as_json) -> None:
    """Recommend products for stated needs, with reasons; the nearest misses when nothing fits;
    then the products that might also fit but lack a figure for a need ("and N more" names how
    many more: --might-fit all lists them).

    Needs are the category's own (`advisor needs-list`), given as --NAME VALUE.

    Example: advisor recommend --budget 45000 --seats 7 --powertrain hybrid --prefer fuel_economy
    """
    catalog = open_catalog(catalog_path)
    try:
        profile = build_profile(catalog.category, parse_need_args(ctx.args), list(prefer))
    except NeedsError as error:
        raise click.UsageError(str(error)) from error
    for brand in exclude_brand:
        profile = profile.excluding(brand)
    if might_fit_shown == "all":
        shown = len(catalog)
    elif might_fit_shown.isdigit() and int(might_fit_shown) > 0:
        shown = int(might_fit_shown)
    else:
        raise click.UsageError(
            f"--might-fit takes a number of 1 or more, or 'all', not {might_fit_shown!r}"
        )
    advice = recommend(catalog, profile, top=top, might_fit_shown=shown)
    click.echo(
        json.dumps(advice.to_dict(), indent=2) if as_json else render_advice(catalog, advice)
    )


@click.command("needs-list")
@CATALOG_OPTION
def needs_list(catalog_path: str | None) -> None:
    """List the needs and priorities a shopper can state in this catalog.

    Example: advisor needs-list --catalog knowledge/catalogs/laptops
    """
    catalog = open_catalog(catalog_path)
    category = catalog.category
    for name, spec in category.needs.items():
        attribute = category.attributes[spec.attribute]
        kind = {"max": "at most", "min": "at least", "in": "one of", "has_any": "any of"}[spec.op]
        hint = (
            ", ".join(attribute.values)
            if attribute.values and not spec.fixed
            else attribute.unit or ""
        )
        if spec.fixed:
            click.echo(f"--{name}  ({spec.label}: a flag)")
        else:
            click.echo(f"--{name} VALUE  ({spec.label}: {kind} {hint})".rstrip())
    click.echo("--prefer: " + ", ".join(category.priorities))


@click.command("compare")
@click.argument("names", nargs=-1, required=True)
@CATALOG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def compare_cmd(names: tuple[str, ...], catalog_path: str | None, as_json: bool) -> None:
    """Compare 2 or 3 products side by side, with data-derived pros, cons and known issues.

    Example: advisor compare "Toyota RAV4 Hybrid" "Honda CR-V Hybrid"
    """
    if not 2 <= len(names) <= 3:
        raise click.UsageError("Give 2 or 3 product names.")
    catalog = open_catalog(catalog_path)
    products = [find_or_explain(catalog, n) for n in names]
    try:
        comparison = compare_products(catalog, products)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(
        json.dumps(comparison.to_dict(), indent=2) if as_json else render_comparison(comparison)
    )


@click.command("rules")
@CATALOG_OPTION
def rules(catalog_path: str | None) -> None:
    """Print who runs this advisor and the ranking rules every brand is held to.

    Example: advisor rules
    """
    catalog = open_catalog(catalog_path)
    deployer = catalog.category.deployer
    if deployer:
        click.echo(f"This advisor is run by {deployer}.")
    click.echo(ranking_rules(catalog))


def find_or_explain(catalog: Catalog, name: str):
    try:
        return catalog.find(name)
    except UnknownProductError as error:
        raise click.ClickException(str(error)) from error


for _command in IMPORT_COMMANDS:
    kb.add_command(_command)

COMMANDS = (kb, recommend_cmd, needs_list, compare_cmd, rules)
