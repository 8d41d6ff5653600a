"""Custom JSON payloads for the web widget: product cards and comparison tables."""

from __future__ import annotations

from typing import Any

from knowledge.catalog import Catalog, Product
from knowledge.citations import Citation, citation, site_label
from knowledge.compare import Comparison
from knowledge.gaps import might_fit_dict
from knowledge.matching import Advice, Match


def product_card(
    catalog: Catalog,
    product: Product,
    reasons: list[str] | None = None,
    missing: list[str] | None = None,
) -> dict[str, Any]:
    """One product's card; `missing` says which figures that count for the shopper are not on
    file (the card shows them, so a lower score is never a silent one)."""
    attributes = catalog.category.attributes
    facts = []
    for name, value in product.values.items():
        found = citation(catalog, product, name)
        fact = {"label": attributes[name].label, "value": attributes[name].format(value)}
        facts.append({**fact, "source": found.to_dict() if found else None})
    return {
        "id": product.id,
        "name": product.full_name,
        "brand": product.brand,
        "facts": facts[:8],
        "reasons": reasons or [],
        "missing": missing or [],
        "known_issues": [
            {
                "kind": i.kind,
                "summary": i.summary,
                "source": i.source,
                "source_label": site_label(catalog, product, i.source) if i.source else None,
            }
            for i in product.known_issues
        ],
        "sources": list(product.sources),
        "as_of": product.as_of.isoformat(),
    }


def cards_payload(
    catalog: Catalog,
    matches: tuple[Match, ...] | list[Match],
    needs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Cards for `matches`, each with its match score as "fit"; `needs` is the profile they answer."""
    payload: dict[str, Any] = {
        "type": "product_cards",
        "items": [
            {
                **product_card(
                    catalog,
                    m.product,
                    [r.text for r in m.reasons],
                    [r.text for r in m.reasons if r.kind == "missing"],
                ),
                "fit": round(m.score, 4),
            }
            for m in matches
        ],
    }
    if needs is not None:
        payload["needs"] = needs
    return payload


def advice_payload(catalog: Catalog, advice: Advice) -> dict[str, Any]:
    """Cards (or nothing fits), with what might also fit but for a figure not on file."""
    if advice.nothing_fits:
        payload = {"type": "nothing_fits", **advice.nothing_fits.to_dict()}
    else:
        payload = cards_payload(catalog, advice.matches, advice.profile.to_dict())
    if advice.might_fit:
        payload["might_also_fit"] = might_fit_dict(advice.might_fit, advice.might_fit_shown)
    return payload


def comparison_payload(comparison: Comparison) -> dict[str, Any]:
    return {"type": "comparison_table", **comparison.to_dict()}


def citations_payload(citations: list[Citation]) -> dict[str, Any]:
    """The sources of a text answer's figures, for the widget to show as labelled links."""
    return {"type": "citations", "items": [c.to_dict() for c in citations]}
