"""Where each stated figure comes from: its own source and date where it has one, else the
product's first source, each with the short label answers show ("EPA", "NHTSA", the maker's name).

Labels come from the catalog's `sources/sites.yml` (`labels`); a maker's own site is labelled with
the brand, recognised by the brand's name or one of its aliases in the site's host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from knowledge.catalog import Catalog, Product, name_key
from knowledge.errors import SourceFileError
from knowledge.source_checks import host, site_entry
from knowledge.sources import read_sites


@dataclass(frozen=True)
class Citation:
    url: str
    label: str
    as_of: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "label": self.label,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    def text(self) -> str:
        when = f", as of {self.as_of.isoformat()}" if self.as_of else ""
        return f"{self.label}{when}: {self.url}"


@lru_cache(maxsize=8)
def _sites(source: str) -> dict[str, dict[str, Any]]:
    try:
        return read_sites(source)
    except SourceFileError:
        return {"labels": {}, "low_quality": {}, "lookups": {}, "makers": {}}


def site_label(catalog: Catalog, product: Product, url: str) -> str:
    """'EPA' for fueleconomy.gov (sites.yml), 'Chevrolet' for chevrolet.com, else the host."""
    label = site_entry(url, _sites(catalog.source)["labels"])
    if label:
        return label
    if is_maker_url(catalog, product.brand, url):
        return product.brand
    name = name_key(host(url))
    if any(name_key(b) and name_key(b) in name for b in catalog.brand_names(product.brand)):
        return product.brand
    return host(url)


def product_citation(catalog: Catalog, product: Product) -> Citation:
    url = product.sources[0]
    return Citation(url, site_label(catalog, product, url), product.as_of)


def citation(
    catalog: Catalog, product: Product, attribute: str, configs: tuple[str, ...] = ()
) -> Citation | None:
    """The citation for the figure a product states for `attribute` (None when it has none)."""
    figure = product.figure(attribute, configs)
    if figure is None:
        return None
    if figure.source is None:
        return product_citation(catalog, product)
    return Citation(figure.source, site_label(catalog, product, figure.source), figure.as_of)


def lookup(catalog: Catalog, name: str) -> dict[str, str] | None:
    """A look-up the catalog declares in sites.yml (`lookups`), e.g. the recall look-up by VIN."""
    return _sites(catalog.source).get("lookups", {}).get(name)


def maker(catalog: Catalog, brand: str) -> dict[str, Any] | None:
    """The brand's own site and press sites as sites.yml declares them (`makers`), or None."""
    return _sites(catalog.source).get("makers", {}).get(brand)


def maker_hosts(catalog: Catalog, brand: str) -> dict[str, str]:
    """{host: brand} for the brand's declared site and press sites (for site_entry)."""
    found = maker(catalog, brand)
    urls = [found["site"], *found["press"]] if found else []
    return {host(u): brand for u in urls if host(u)}


def is_maker_url(catalog: Catalog, brand: str, url: str) -> bool:
    """Whether `url` is on one of the brand's declared sites (or a subdomain of one)."""
    return site_entry(url, maker_hosts(catalog, brand)) is not None


def maker_page(catalog: Catalog, product: Product) -> str | None:
    """Where the maker publishes current figures for this product: the first of the product's
    sources on the maker's declared sites, else the maker's site; None when none is declared."""
    own = [u for u in product.sources if is_maker_url(catalog, product.brand, u)]
    found = maker(catalog, product.brand)
    return own[0] if own else (found["site"] if found else None)
