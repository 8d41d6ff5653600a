"""Checking figures against the catalog's source declarations (`sources/*.yml`): a figure of an
attribute a declared source fills must cite that source's page for a row the product is mapped
to, and a source on a site the catalog lists as low quality is flagged."""

from __future__ import annotations

from urllib.parse import urlparse

from knowledge.catalog import Catalog, Product
from knowledge.errors import Errors, Problems, SourceFileError
from knowledge.sources import SITES_FILE, SourceSpec, read_sites, read_specs, sources_dir


def host(url: str) -> str:
    return (urlparse(url).hostname or "").lower().removeprefix("www.")


def site_entry(url: str, table: dict[str, str]) -> str | None:
    """The entry for the url's site in {host: text}: the host itself or a parent domain."""
    name = host(url)
    for site, text in table.items():
        if name == site or name.endswith("." + site):
            return text
    return None


def check_sources(catalog: Catalog, report) -> None:
    """Add every declaration problem and wrong citation to `report` (errors), and every source on
    a low-quality site to `report.warnings`."""
    try:
        specs = read_specs(catalog.source)
        sites = read_sites(catalog.source)
    except SourceFileError as error:
        report.add(error.file, str(error).split(": ", 1)[1])
        return
    for spec in specs:
        for pid in [*spec.products, *spec.unmappable]:
            if pid not in catalog.by_id:
                detail = f"product '{pid}' is not in the catalog"
                report.add(spec.file, Errors.E120.format(detail=detail))
        for product in catalog.products:
            _check_citations(spec, product, report)
    warnings = Problems()
    for product in catalog.products:
        for url, where in cited_urls(product):
            why = site_entry(url, sites["low_quality"])
            if why:
                warnings.add(product.file, Errors.W121.format(why=why, url=url), product.id, where)
    makers = sites.get("makers") or {}
    if makers:
        file = sources_dir(catalog.source) / SITES_FILE
        for brand in catalog.brands:
            if brand not in makers:
                warnings.add(file, Errors.W122.format(brand=brand), field="makers")
    report.warnings.extend(warnings.problems)


def cited_urls(product: Product) -> list[tuple[str, str]]:
    """Every URL a product cites, with the field that cites it."""
    urls = [(url, "sources") for url in product.sources]
    for name, figures in product.figures.items():
        urls += [(f.source, f"values.{name}") for f in figures if f.source]
    urls += [(i.source, "known_issues") for i in product.known_issues if i.source]
    return urls


def _check_citations(spec: SourceSpec, product: Product, report: Problems) -> None:
    pin = spec.products.get(product.id)
    for attribute, fills in spec.fill.items():
        if all(f.only_where_missing for f in fills):
            continue
        for figure in product.figures.get(attribute, ()):
            if figure.source is None:
                continue
            where = f"values.{attribute}"
            fields = spec.cite_fields(figure.source)
            if fields is None:
                detail = f"a {spec.label} figure must cite {spec.cite}, not {figure.source}"
                report.add(product.file, Errors.E119.format(detail=detail), product.id, where)
                continue
            if spec.year and spec.year in fields and fields[spec.year] != str(product.year):
                detail = f"{figure.source} is for model year {fields[spec.year]}"
                report.add(product.file, Errors.E119.format(detail=detail), product.id, where)
                continue
            rows = [
                config
                for config, selector in (pin.rows if pin else ())
                if all(selector.get(k, v).lower() == v.lower() for k, v in fields.items())
            ]
            if not rows:
                detail = f"{figure.source} names a row the {spec.file.name} mapping does not pin"
                report.add(product.file, Errors.E119.format(detail=detail), product.id, where)
            elif figure.config is not None and rows[0] is not None and figure.config not in rows:
                detail = f"{figure.source} is mapped to {rows[0]}, the figure says {figure.config}"
                report.add(product.file, Errors.E119.format(detail=detail), product.id, where)
