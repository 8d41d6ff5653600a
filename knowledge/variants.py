"""A model with variants: 'the Tucson' may mean the Tucson or the Tucson Hybrid.

When a shopper names a product by words that also begin the names of other products ('Tucson' ->
'Tucson Hybrid', 'RAV4' -> 'RAV4 Hybrid', 'RAV4 Plug-in Hybrid'), the one just discussed is meant;
with none of them discussed, the advisor asks which. A name that is itself specific ('Tucson
Hybrid', 'Tucson SE'), or a choice made with a button (no text span), is taken as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalog import Catalog, Product, name_key


@dataclass(frozen=True)
class Reading:
    """How one named product is read: the product meant, or the variants to choose among."""

    named: Product  # what the recogniser found
    meant: Product | None  # None: ask which of `options`
    options: tuple[Product, ...] = ()


def _words(name: str) -> list[str]:
    return [k for w in name.split() if (k := name_key(w))]


def variants(catalog: Catalog, product: Product, written: str) -> list[Product]:
    """`product` and every other product whose name starts with the words written and goes on
    ('Tucson' -> the Tucson and the Tucson Hybrid); just `product` when the written words name
    nothing else."""
    typed = _words(written)
    brands = {name_key(b) for b in catalog.brand_names(product.brand)}
    if typed and typed[0] in brands and len(typed) > 1:
        typed = typed[1:]
    if not typed:
        return [product]
    found = [product]
    for other in catalog.products:
        if other.id == product.id or other.brand != product.brand:
            continue
        for name in (other.model, *other.aliases):
            words = _words(name)
            if words and words[0] in brands and len(words) > 1:
                words = words[1:]
            if len(words) > len(typed) and words[: len(typed)] == typed:
                found.append(other)
                break
    return found


def read_name(
    catalog: Catalog,
    product: Product,
    written: str | None,
    discussed: list[str],
    also_named: set[str] = frozenset(),
) -> Reading:
    """The product meant by `written`: itself when the name is specific, the variant discussed
    most recently (first in `discussed`) when there is one, else a question among the variants.
    A variant named elsewhere in the same message ('Tucson vs Tucson Hybrid') is not what the
    shorter name means."""
    if not written:
        return Reading(product, product)
    options = [
        p for p in variants(catalog, product, written) if p.id not in also_named - {product.id}
    ]
    if len(options) == 1:
        return Reading(product, product)
    for pid in discussed:
        chosen = next((p for p in options if p.id == pid), None)
        if chosen is not None:
            return Reading(product, chosen)
    return Reading(product, None, tuple(options))
