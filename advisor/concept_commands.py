"""`advisor concept`, `advisor clusters` and `advisor bench-concept`: what a hypothetical product
would win, which groups of unmet shoppers one change would serve, and how fast the replay is."""

from __future__ import annotations

import json
from pathlib import Path

import click

from advisor.mining_commands import DB_OPTION, emit, epoch, open_catalog, open_log, window_options
from advisor.options import CATALOG_OPTION
from knowledge.catalog import Catalog
from knowledge.errors import CatalogError


def build_concepts(catalog: Catalog, files, from_product, settings, name):
    """The concepts of the files, then the one made with --from-product/--set, validated."""
    from analysis.concept import check_unique, load_concepts, make_concept, parse_setting

    concepts = []
    try:
        for path in files:
            concepts += load_concepts(catalog, Path(path))
        if settings and not from_product:
            raise click.UsageError("--set changes a product: give --from-product ID as well.")
        if from_product:
            changes = dict(parse_setting(catalog, s) for s in settings)
            spec = {"from_product": from_product, "set": changes}
            if name:
                spec["name"] = name
            concepts.append(make_concept(catalog, spec, "--from-product"))
    except CatalogError as error:
        raise click.ClickException(str(error)) from error
    if not concepts:
        raise click.UsageError("Give a CONCEPT.yml, or --from-product ID with --set attr=value.")
    return check_unique(concepts)


def assumption_options(command):
    command = click.option(
        "--price",
        type=click.FloatRange(0),
        help="The concept's price, as its price figure too (default: its own figure).",
    )(command)
    command = click.option(
        "--buy-share",
        type=click.FloatRange(0, 1),
        help="Share of won shoppers who buy (default 0.05, printed as an assumption).",
    )(command)
    return click.option(
        "--shoppers-per-year",
        type=click.FloatRange(0),
        help="Shoppers a year the log represents (default: the window's rate over 365 days).",
    )(command)


@click.command("concept")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--from-product", help="Start the concept from this catalog product id.")
@click.option(
    "--set", "settings", multiple=True, metavar="ATTR=VALUE", help="A figure of the concept."
)
@click.option("--name", help="What to call the --from-product concept.")
@DB_OPTION
@CATALOG_OPTION
@window_options
@assumption_options
@click.option("--no-sensitivity", is_flag=True, help="Skip the sensitivity table.")
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the figures as CSV (long form).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def concept_cmd(
    files, from_product, settings, name, db, catalog_path, since, until, shoppers_per_year,
    buy_share, price, no_sensitivity, as_json, as_csv, out,
):  # fmt: skip
    """Concept test: replay every logged shopper's last stated needs against one or more
    hypothetical products (side by side) by the advisor's ranking rules: new demand, the share it
    would take and from whom (own brand or competitors), a volume and revenue estimate with its
    interval and assumptions, and a sensitivity table.

    Example: advisor concept --from-product ford-maverick-2025 --set towing_lb=6500 --since 2026-01-01
    """
    from analysis.concept_view import concept_test, render_csv, render_text

    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    if since and until and until < since:
        raise click.UsageError("--until is before --since")
    catalog = open_catalog(catalog_path)
    concepts = build_concepts(catalog, files, from_product, settings, name)
    with open_log(db) as log:
        report = concept_test(
            log, catalog, concepts, epoch(since), epoch(until, 1), shoppers_per_year, buy_share,
            price, not no_sensitivity,
        )  # fmt: skip
    if as_json:
        emit(json.dumps(report.to_dict(), indent=2), out)
    elif as_csv:
        emit(render_csv(report), out)
    else:
        emit(render_text(report), out)


@click.command("clusters")
@DB_OPTION
@CATALOG_OPTION
@window_options
@click.option("--min-shoppers", default=2, show_default=True, type=click.IntRange(1))
@click.option(
    "--top", default=10, show_default=True, type=click.IntRange(1), help="Clusters shown."
)
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the clusters as CSV.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def clusters_cmd(db, catalog_path, since, until, min_shoppers, top, as_json, as_csv, out):
    """Need clusters: unmet shoppers grouped by similar needs (not only identical combinations),
    each with its size, share, trend, quotes, nearest products and the smallest change to one
    of them that serves most of the cluster, with the concept test command that tries it.

    Example: advisor clusters --since 2026-01-01 --min-shoppers 5
    """
    from analysis.clusters import cluster_unmet, render_clusters, render_clusters_csv
    from analysis.concept_replay import Replay, read_shoppers

    if as_json and as_csv:
        raise click.UsageError("Choose one of --json and --csv.")
    catalog = open_catalog(catalog_path)
    with open_log(db) as log:
        shoppers = read_shoppers(log, epoch(since), epoch(until, 1))
    replay = Replay(catalog, shoppers)
    clusters = cluster_unmet(catalog, shoppers, replay.check, min_shoppers)
    if as_json:
        data = {
            "shoppers_with_needs": shoppers.shoppers,
            "note": "A smallest change is a hypothetical product (a concept), not a real one.",
            "clusters": [c.to_dict() for c in clusters[:top]],
        }
        emit(json.dumps(data, indent=2), out)
    elif as_csv:
        emit(render_clusters_csv(clusters[:top]), out)
    else:
        emit(render_clusters(clusters, shoppers.shoppers, top), out)


COMMANDS = (concept_cmd, clusters_cmd)
