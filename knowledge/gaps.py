"""Honest gaps: what the advisor says when a figure is not on file.

A question about a missing figure is answered with that fact, the product, and where the shopper
can check the current figure: the place sites.yml declares for that attribute (`lookups`, e.g.
NHTSA's ratings), else the maker's own page for the product or the maker's site (`makers`). A
product that would fit but for a missing figure is named after the matches ("might also fit"),
never hidden and never ranked among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Attribute, Catalog, Product
from knowledge.citations import Citation, lookup, maker_page

MIGHT_FIT_SHOWN = 3  # names a might-also-fit line shows before "and N more"


def figure_name(attribute: Attribute) -> str:
    """The attribute's label inside a sentence: 'Starting MSRP' -> 'starting MSRP', 'NHTSA overall
    safety rating' stays as it is."""
    label = attribute.label
    first = label.split(" ", 1)[0]
    return label if first.isupper() or not first[:1].isupper() else label[:1].lower() + label[1:]


def where_to_check(
    catalog: Catalog, product: Product, attribute: str
) -> tuple[str, Citation] | None:
    """('Honda's site lists current prices', its citation), or None when nothing is declared."""
    category = catalog.category
    declared = lookup(catalog, attribute)
    if declared is not None:
        return f"{declared['label']} has the current figures", Citation(
            declared["url"], declared["label"]
        )
    page = maker_page(catalog, product)
    if page is None:
        return None
    what = "prices" if attribute == category.roles.price else "specifications"
    return f"{product.brand}'s site lists current {what}", Citation(page, product.brand)


def missing_figure_text(catalog: Catalog, product: Product, attributes: list[str]) -> str:
    """'I have no starting MSRP on file for the 2025 Honda Odyssey; Honda's site lists current
    prices: https://automobiles.honda.com/odyssey.'"""
    names = [figure_name(catalog.category.attributes[a]) for a in attributes]
    what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    text = f"I have no {what} on file for the {product.full_name}"
    places = []
    for attribute in attributes:
        found = where_to_check(catalog, product, attribute)
        if found is not None and found[0] not in [p[0] for p in places]:
            places.append(found)
    if not places:
        return text + "."
    return text + "; " + "; ".join(f"{words}: {cite.url}" for words, cite in places) + "."


def missing_citations(catalog: Catalog, product: Product, attributes: list[str]) -> list[Citation]:
    found = [where_to_check(catalog, product, a) for a in attributes]
    return list({f[1].url: f[1] for f in found if f is not None}.values())


@dataclass(frozen=True)
class MightFit:
    """A product that meets every stated need it has a figure for, but lacks the figure of one
    or more of them: it might fit, and the shopper is told so rather than never hearing of it."""

    product: Product
    missing: tuple[str, ...]  # attributes of the stated needs it has no figure for
    labels: tuple[str, ...]  # the same, as a sentence names them ('starting MSRP')
    score: float
    check: Citation | None = None  # where the shopper can check the missing figure

    @property
    def what(self) -> str:
        """'starting MSRP', or 'seats or starting MSRP'."""
        names = list(self.labels)
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.product.id,
            "name": self.product.name,
            "full_name": self.product.full_name,
            "brand": self.product.brand,
            "missing": list(self.missing),
            "missing_labels": list(self.labels),
            "score": round(self.score, 4),
            "check": self.check.to_dict() if self.check else None,
        }


def might_fit(catalog: Catalog, product: Product, missing: list[str], score: float) -> MightFit:
    attributes = catalog.category.attributes
    found = where_to_check(catalog, product, missing[0]) if missing else None
    labels = tuple(figure_name(attributes[a]) for a in missing)
    return MightFit(product, tuple(missing), labels, score, found[1] if found else None)


def might_fit_groups(items: tuple[MightFit, ...]) -> list[tuple[str, list[MightFit]]]:
    """[('starting MSRP', [MightFit, ...]), ...]: by what is missing, largest group first, each
    in the order given (best score first)."""
    groups: dict[str, list[MightFit]] = {}
    for item in items:
        groups.setdefault(item.what, []).append(item)
    return sorted(groups.items(), key=lambda g: -len(g[1]))


def short_names(items: list[MightFit]) -> list[str]:
    """Brand and model, with the year where two items would read the same."""
    plain = [i.product.name for i in items]
    return [
        f"{i.product.year} {name}" if plain.count(name) > 1 and i.product.year else name
        for i, name in zip(items, plain, strict=True)
    ]


def might_fit_lines(items: tuple[MightFit, ...], shown: int | None = MIGHT_FIT_SHOWN) -> list[str]:
    """'Might also fit, but I have no starting MSRP on file: Buick Envista, Buick Encore GX,
    Cadillac XT5 and 4 more.' One line per missing figure; `shown=None` names every one."""
    lines = []
    for what, group in might_fit_groups(items):
        names = short_names(group)
        cut = len(names) if shown is None else max(shown, 1)
        head, rest = names[:cut], max(0, len(names) - cut)
        if rest:
            listed = ", ".join(head) + f" and {rest} more"
        else:
            listed = ", ".join(head[:-1]) + " and " + head[-1] if len(head) > 1 else head[0]
        lines.append(f"Might also fit, but I have no {what} on file: {listed}.")
    return lines


def might_fit_dict(items: tuple[MightFit, ...], shown: int = MIGHT_FIT_SHOWN) -> dict[str, Any]:
    """The might-also-fit part of advice as data (cards, nothing-fits, --json): every item, by
    what is missing, with how many the text names and how many more there are."""
    return {
        "count": len(items),
        "text": might_fit_lines(items, shown),
        "groups": [
            {
                "missing": what,
                "items": [i.to_dict() for i in group],
                "shown": min(shown, len(group)),
                "more": max(0, len(group) - shown),
            }
            for what, group in might_fit_groups(items)
        ],
    }
