"""Custom JSON payloads for the web widget: product cards, comparison tables, nothing fits, cost to
own, a product's details.

Every clickable next step is `{"title": ..., "label": ..., "payload": ...}`: the title is what the
button says, the label what the conversation shows as the shopper's words (never the payload), and
the payload a Rasa intent message (`/ask_cost_to_own{"product": "..."}`), so a click needs no NLU.
Steps on a product sit under its "actions"; steps for the whole answer under "buttons".
"""

from __future__ import annotations

import json
from typing import Any

from knowledge.catalog import Catalog, Product
from knowledge.citations import Citation, citation, product_citation, site_label
from knowledge.compare import Comparison
from knowledge.gaps import might_fit_dict
from knowledge.matching import Advice, Match
from knowledge.ownership import CostToOwn

# How many more products 'show more' shows at a time.
MORE = 3


def intent_payload(intent: str, **entities: Any) -> str:
    """'/ask_fact{"product": "toyota-rav4-2025"}': an intent with its entities, parsed by Rasa
    without NLU."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def step(title: str, label: str, intent: str, **entities: Any) -> dict[str, str]:
    return {"title": title, "label": label, "payload": intent_payload(intent, **entities)}


def source_links(catalog: Catalog, product: Product) -> list[dict[str, Any]]:
    """The product's sources as labelled links ('EPA', 'NHTSA', the maker's name), dated."""
    return [
        Citation(url, site_label(catalog, product, url), product.as_of).to_dict()
        for url in product.sources
    ]


def product_actions(
    catalog: Catalog, product: Product, compare_with: Product | None = None
) -> list[dict[str, str]]:
    """The next steps a product's card offers: compare (with `compare_with`), details, known
    problems and, where the category states cost-to-own assumptions, cost to own."""
    phrases, name = catalog.category.phrases, product.full_name
    found = []
    if compare_with is not None:
        found.append(
            step(
                phrases.step("compare"),
                f"Compare the {product.name} with the {compare_with.name}",
                "compare",
                product=[product.id, compare_with.id],
            )
        )
    found.append(
        step(phrases.step("details"), f"Details of the {name}", "ask_fact", product=product.id)
    )
    found.append(
        step(
            phrases.step("known_issues"),
            f"{phrases.step('known_issues')} for the {name}",
            "ask_known_issues",
            product=product.id,
        )
    )
    if catalog.category.ownership is not None:
        found.append(
            step(
                phrases.step("cost_to_own"),
                f"Cost to own the {name}",
                "ask_cost_to_own",
                product=product.id,
            )
        )
    return found


def product_card(
    catalog: Catalog,
    product: Product,
    reasons: list[str] | None = None,
    missing: list[str] | None = None,
    *,
    compare_with: Product | None = None,
    all_facts: bool = False,
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
        "facts": facts if all_facts else facts[:8],
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
        "source_links": source_links(catalog, product),
        "as_of": product.as_of.isoformat(),
        "actions": product_actions(catalog, product, compare_with),
    }


def cards_payload(
    catalog: Catalog,
    matches: tuple[Match, ...] | list[Match],
    needs: dict[str, Any] | None = None,
    start: int = 1,
    more: int = 0,
    compare_base: Product | None = None,
) -> dict[str, Any]:
    """Cards for `matches`, numbered from `start`, each with its match score as "fit" and its next
    steps (the first card compares with the second, every other one with the first, or with
    `compare_base`); `more` products not shown yet get a 'show more' button; `needs` is the
    profile they answer. A card lists the figures that count for the shopper but are not on file."""
    products = [m.product for m in matches]
    items = []
    for index, match in enumerate(matches):
        other = compare_base or (products[1] if index == 0 and len(products) > 1 else None)
        if other is None and index > 0:
            other = products[0]
        if other is not None and other.id == match.product.id:
            other = None
        card = product_card(
            catalog,
            match.product,
            [r.text for r in match.reasons],
            [r.text for r in match.reasons if r.kind == "missing"],
            compare_with=other,
        )
        items.append({**card, "fit": round(match.score, 4), "number": start + index})
    payload: dict[str, Any] = {"type": "product_cards", "items": items, "start": start}
    if more > 0:
        title = catalog.category.phrases.step("show_more")
        shown = min(more, MORE)
        payload["buttons"] = [
            step(f"{title} ({more} more)", f"{title}: the next {shown}", "show_more")
        ]
    if needs is not None:
        payload["needs"] = needs
    return payload


def nothing_fits_payload(catalog: Catalog, advice: Advice) -> dict[str, Any]:
    """Nothing fits, with each useful relaxation as a button that drops that one need."""
    assert advice.nothing_fits is not None
    payload = {"type": "nothing_fits", **advice.nothing_fits.to_dict()}
    payload["buttons"] = [
        step(
            f"Drop the {r.label} limit ({r.matches} would fit)",
            f"Drop the {r.label} limit",
            "refine",
            relax_need=r.need,
        )
        for r in advice.nothing_fits.relaxations
        if r.matches
    ]
    return payload


def advice_payload(catalog: Catalog, advice: Advice) -> dict[str, Any]:
    """Cards (or nothing fits), with what might also fit but for a figure not on file."""
    if advice.nothing_fits:
        payload = nothing_fits_payload(catalog, advice)
    else:
        more = advice.match_count - len(advice.matches)
        payload = cards_payload(catalog, advice.matches, advice.profile.to_dict(), more=more)
    if advice.might_fit:
        payload["might_also_fit"] = might_fit_dict(advice.might_fit, advice.might_fit_shown)
    return payload


def comparison_payload(
    comparison: Comparison, catalog: Catalog | None = None, bottom_line: str = ""
) -> dict[str, Any]:
    payload = {"type": "comparison_table", **comparison.to_dict()}
    shown = [p.name for p in comparison.products]
    payload["summary"] = "The " + " and the ".join(shown) + ", side by side:"
    if catalog is not None:
        for entry, product in zip(payload["products"], comparison.products, strict=True):
            entry["source_links"] = source_links(catalog, product)
            entry["actions"] = [
                a
                for a in product_actions(catalog, product)
                if not a["payload"].startswith("/compare")
            ]
    if bottom_line:
        payload["bottom_line"] = bottom_line
    return payload


def details_payload(catalog: Catalog, product: Product) -> dict[str, Any]:
    """Every figure on file for one product, each with its own source, as one card."""
    card = product_card(catalog, product, all_facts=True)
    card["actions"] = [a for a in card["actions"] if not a["payload"].startswith("/ask_fact")]
    return {
        "type": "product_details",
        "summary": f"Details of the {product.full_name}, each figure with its source:",
        "item": card,
    }


def cost_payload(catalog: Catalog, cost: CostToOwn) -> dict[str, Any]:
    """The cost to own as a table (each line per year and in all, with its source), and a form
    to change the years and the yearly usage: the widget fills `{years}` and `{usage}` into the
    payload and the label."""
    ownership = catalog.category.ownership
    assert ownership is not None
    product = cost.product
    body = cost.to_dict()
    template = (
        intent_payload(
            "ask_cost_to_own", product=product.id, own_years="{years}", own_usage="{usage}"
        )
        .replace('"{years}"', "{years}")
        .replace('"{usage}"', "{usage}")
    )
    body["edit"] = {
        "fields": [
            {"name": "years", "label": "Years", "value": cost.terms.years, "min": 1,
             "max": ownership.max_years, "step": 1},
            {"name": "usage", "label": cost.usage_label.capitalize(), "value": round(cost.terms.usage),
             "min": 1, "max": round(ownership.usage_limit), "step": 1},
        ],
        "payload": template,
        "title": "Update",
        "label": f"Cost to own the {product.full_name} over {{years}} years at {{usage}} "
        f"{cost.usage_label}",
    }  # fmt: skip
    price = catalog.category.roles.price
    if price and product.figure(price) is not None:
        found = citation(catalog, product, price) or product_citation(catalog, product)
        body["price"] = {
            "label": catalog.category.attributes[price].label,
            "value": catalog.category.attributes[price].format(product.value(price)),
            "source": found.to_dict(),
        }
    return {"type": "cost_to_own", **body}


def citations_payload(citations: list[Citation]) -> dict[str, Any]:
    """The sources of a text answer's figures, for the widget to show as labelled links."""
    return {"type": "citations", "items": [c.to_dict() for c in citations]}
