"""Options shared by the CLI's command modules."""

from __future__ import annotations

import click

CATALOG_OPTION = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True),
    default=None,
    help="Catalog folder or file (default: the vehicles catalog, or $ADVISOR_CATALOG).",
)
