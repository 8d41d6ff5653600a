"""What the shopper's chat shows before anyone types, and the "how we rank" page: who runs the
advisor, that every brand is ranked by the same published rules, that the conversation is
recorded, and a few suggested starts, all from the catalog in force (category.yml)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalog import Catalog
from knowledge.matching import ranking_rules

RECORDED = "This conversation is recorded to improve the advice."
RULES_QUESTION = "How do you rank?"


@dataclass(frozen=True)
class Welcome:
    greeting: str
    disclosure: str
    recorded: str
    suggestions: tuple[str, ...]  # each sent as the shopper's own words when clicked
    operator: str | None  # who runs the advisor, for the header


def welcome(catalog: Catalog) -> Welcome:
    category = catalog.category
    if category.deployer:
        disclosure = (
            f"This advisor is run by {category.deployer}, and every brand, competitors included, "
            "is ranked by the same published rules."
        )
    else:
        disclosure = "Every brand is ranked by the same published rules."
    phrases = category.phrases
    starts = [phrases.needs, phrases.compare, phrases.about]
    suggestions = tuple(s[0].upper() + s[1:] for s in starts if s) + (RULES_QUESTION,)
    return Welcome(
        greeting=f"Hi! I'm a shopping advisor for {category.items}. What are you looking for?",
        disclosure=disclosure,
        recorded=RECORDED,
        suggestions=suggestions,
        operator=category.deployer,
    )


def chat_page(catalog: Catalog, socket_url: str) -> str:
    """The shopper's chat page (/) as the web app serves it."""
    from web import pages

    return pages.render(
        "chat.html", socket_url=socket_url, welcome=welcome(catalog), items=catalog.category.items
    )


def rules_context(catalog: Catalog) -> dict:
    """The "how we rank" page: the published rules, the priorities a shopper can state and the
    defaults, and who runs the advisor."""
    category = catalog.category
    return {
        "operator": category.deployer,
        "item": category.item,
        "rules": ranking_rules(catalog),
        "priorities": [p.label for p in category.priorities.values()],
        "defaults": [category.priorities[p].label for p in category.default_priorities],
        "needs": [n.label for n in category.needs.values()],
    }
