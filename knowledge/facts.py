"""Answers to direct questions about one product: a fact, its known problems, and
whether anything fits the shopper better. Every figure stated cites its own source and as-of date
(knowledge.citations); a product without recalls on file is never said to have none."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.catalog import Catalog, Product
from knowledge.citations import Citation, citation, lookup, site_label
from knowledge.gaps import missing_citations, missing_figure_text
from knowledge.matching import eligible, rank, score
from knowledge.needs import NeedsProfile


def mentioned_attributes(catalog: Catalog, text: str) -> list[str]:
    """Attributes a question names through their label or synonyms ('range', 'how many seats'),
    or asks for through one of their declared question phrases ('how much does * cost')."""
    lowered = f" {text.lower()} "
    found = []
    for name, attribute in catalog.category.attributes.items():
        words = (attribute.label.lower(), *(s.lower() for s in attribute.synonyms))
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words) or any(
            question_pattern(q).search(lowered) for q in attribute.questions
        ):
            found.append(name)
    return found


def question_pattern(phrase: str) -> re.Pattern:
    """A declared question phrase as a pattern: words in order, '*' standing for any words."""
    parts = [re.escape(p.strip()) for p in phrase.lower().split("*")]
    return re.compile(r"\b" + r"\b.*?\b".join(p for p in parts if p) + r"\b")


def stated_attributes(catalog: Catalog, product: Product, attributes: list[str]) -> list[str]:
    """The attributes a fact answer states: those asked about, else the first six on file."""
    return (
        attributes or [a for a in catalog.category.attributes if product.value(a) is not None][:6]
    )


def figure_text(catalog: Catalog, product: Product, name: str, cite: bool = True) -> str:
    """'EPA combined fuel economy: 38 mpg (FWD; 37 mpg AWD) (source: EPA, as of …: https://…)'."""
    category = catalog.category
    attribute = category.attributes[name]
    figure = product.figure(name)
    if figure is None:
        return f"{attribute.label}: no figure on file"
    shown = attribute.format(figure.value)
    configs = (
        category.attributes.get(category.configuration.attribute)
        if category.configuration
        else None
    )
    if configs is not None and figure.config:
        others = [f for f in product.figures.get(name, ())[1:] if f.config]
        rest = "".join(
            f"; {attribute.format(f.value)} {configs.value_label(f.config)}" for f in others
        )
        shown += f" ({configs.value_label(figure.config)}{rest})"
    found = citation(catalog, product, name) if cite else None
    if found is None:
        return f"{attribute.label}: {shown}"
    return f"{attribute.label}: {shown} (source: {found.text()})"


def fact_answer(catalog: Catalog, product: Product, attributes: list[str]) -> str:
    """'2025 Hyundai Ioniq 5 SE: EPA electric range: 245 mi (RWD; …) (source: EPA, as of …).'

    A figure asked about and not on file is said to be missing, with where to check it ('I have
    no starting MSRP on file for the 2025 Honda Odyssey; Honda's site lists current prices: …'),
    never answered with other facts instead."""
    names = stated_attributes(catalog, product, attributes)
    present = [n for n in names if product.figure(n) is not None]
    absent = [n for n in names if product.figure(n) is None]
    inapplicable = [
        n for n in absent if not catalog.category.attributes[n].applies_to(product.values)
    ]
    missing = [n for n in absent if n not in inapplicable]
    parts = []
    if present:
        figures = "; ".join(figure_text(catalog, product, n) for n in present)
        parts.append(f"{product.full_name}: {figures}.")
    for name in inapplicable:
        parts.append(not_applicable_text(catalog, product, name))
    if missing:
        parts.append(missing_figure_text(catalog, product, missing))
    return " ".join(parts) or f"I have no figures on file for the {product.full_name}."


def not_applicable_text(catalog: Catalog, product: Product, name: str) -> str:
    """'The 2025 Toyota Camry LE is a hybrid: it has no EPA electric range.'"""
    attribute = catalog.category.attributes[name]
    kind = next(iter(attribute.applies_when))
    said = catalog.category.attributes[kind].format(product.value(kind))
    article = "an" if said[:1].lower() in "aeiou" else "a"
    return f"The {product.full_name} is {article} {said} {catalog.category.item}: it has no {attribute.label}."


def fact_citations(catalog: Catalog, product: Product, attributes: list[str]) -> list[Citation]:
    names = stated_attributes(catalog, product, attributes)
    found = [citation(catalog, product, n) for n in names]
    absent = [
        n
        for n in names
        if product.figure(n) is None and catalog.category.attributes[n].applies_to(product.values)
    ]
    gaps = missing_citations(catalog, product, absent)
    return unique([c for c in found if c is not None] + gaps)


def unique(citations: list[Citation]) -> list[Citation]:
    return list({c.url: c for c in citations}.values())


def recall_lookup_text(catalog: Catalog | None) -> str:
    """Where the complete list of recalls is: the declared look-up, else the category's advice."""
    found = lookup(catalog, "recalls") if catalog is not None else None
    if found is None:
        check = catalog.category.recall_check if catalog is not None else None
        return (
            check.rstrip(".") if check else "the maker's recall look-up by VIN is the complete list"
        )
    return f"{found['label']} is the complete list: {found['url']}"


def known_issues_answer(product: Product, catalog: Catalog | None = None) -> str:
    """The recalls and problems on file, each with its source; never 'no recalls' for a vehicle
    without recall rows, only that none are on file, and where the complete list is."""
    if not product.known_issues:
        return (
            f"I have no recalls on file for the {product.full_name}; {recall_lookup_text(catalog)}."
        )
    lines = [f"Known problems on file for the {product.full_name}:"]
    for issue in product.known_issues:
        when = issue.date.isoformat() if issue.date else (str(issue.year) if issue.year else "")
        named = " ".join(x for x in (issue.kind, issue.id or "", f"({when})" if when else "") if x)
        source = ""
        if issue.source:
            label = site_label(catalog, product, issue.source) if catalog else "source"
            source = f" ({label}: {issue.source})"
        lines.append(f"- {named}: {issue.summary}{source}")
    lines.append(f"These are the ones on file; {recall_lookup_text(catalog)}.")
    return "\n".join(lines)


def issue_citations(catalog: Catalog, product: Product) -> list[Citation]:
    found = [
        Citation(i.source, site_label(catalog, product, i.source), i.date)
        for i in product.known_issues
        if i.source
    ]
    look = lookup(catalog, "recalls")
    if look:
        found.append(Citation(look["url"], look["label"]))
    return unique(found)


@dataclass(frozen=True)
class BetterThan:
    product: Product
    meets_needs: bool
    better: tuple[Product, ...]  # products that meet the needs and score higher


def better_than(
    catalog: Catalog, profile: NeedsProfile, product: Product, limit: int = 3
) -> BetterThan:
    """Is anything a better fit than `product` for these needs? Judged across all brands."""
    matching = eligible(catalog, profile)
    own = score(catalog, profile, product)
    meets = product in matching
    ranked = [
        p for p, s in rank(catalog, profile, matching) if p != product and (not meets or s > own)
    ]
    return BetterThan(product, meets, tuple(ranked[:limit]))
