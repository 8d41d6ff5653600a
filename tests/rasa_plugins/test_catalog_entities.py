"""The catalog entity component's cache key follows the catalog it builds its lexicon from."""

from __future__ import annotations

from knowledge.loader import CATALOGS_DIR, DEFAULT_CATALOG
from rasa_plugins.catalog_entities import CatalogEntityExtractor


def test_rasa_cache_key_differs_between_catalogs(monkeypatch):
    vehicles = CatalogEntityExtractor.fingerprint_addon({"catalog": None})
    laptops = CatalogEntityExtractor.fingerprint_addon({"catalog": str(CATALOGS_DIR / "laptops")})
    assert vehicles != laptops
    assert vehicles == CatalogEntityExtractor.fingerprint_addon({"catalog": str(DEFAULT_CATALOG)})
    monkeypatch.setenv("ADVISOR_CATALOG", str(CATALOGS_DIR / "laptops"))
    assert CatalogEntityExtractor.fingerprint_addon({"catalog": None}) == laptops
