"""Ranking products against a needs profile, with reasons, and the nearest misses when nothing fits.

The published rules, in plain words (see `RANKING_RULES`):
1. A product is a match only if it meets every hard constraint with a value on file.
2. Matches are scored by the shopper's priorities (or the category's defaults): each attribute is
   scaled 0..1 across the whole catalog in its better direction, and the priorities are averaged. A
   product earns nothing for a figure not on file.
3. Ties are broken by the products' specifications, then model name; never by brand. The deployer's
   own brand is read for the disclosure only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge.catalog import Catalog, Category, Product
from knowledge.constraints import Failure, failures, satisfied_text
from knowledge.gaps import MIGHT_FIT_SHOWN, MightFit, might_fit, might_fit_dict
from knowledge.needs import NeedsProfile

RANKING_RULES = (
    "Every brand is ranked by the same published rules. "
    "1) A {item} is shown only if it meets every hard requirement you state, with a figure on file. "
    "2) Matches are scored on what you said matters most (or, if you did not say, on {defaults}): "
    "each figure is scaled from worst to best across the whole catalog, and the scores are averaged. "
    "No credit is given for figures we do not have on file. "
    "A {item} that would fit but for a figure we do not have is named after the matches, never "
    "among them. "
    "3) Ties are broken by the specifications, never by brand. "
    "Who runs this advisor changes no ranking."
)


@dataclass(frozen=True)
class Reason:
    kind: str  # "need" (a hard constraint met), "priority" (how it scores), "note" (a caveat)
    text: str
    attribute: str | None = None


@dataclass(frozen=True)
class Match:
    product: Product
    score: float
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.product.id,
            "name": self.product.name,
            "full_name": self.product.full_name,
            "score": round(self.score, 4),
            "reasons": [r.text for r in self.reasons],
        }


@dataclass(frozen=True)
class NearMiss:
    product: Product
    failures: tuple[Failure, ...]

    @property
    def distance(self) -> tuple[int, float]:
        """Fewest failed constraints first, then the smallest total relaxation."""
        return (len(self.failures), sum(f.relative_gap for f in self.failures))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.product.id,
            "name": self.product.name,
            "fails": [f.to_dict() for f in self.failures],
        }


@dataclass(frozen=True)
class Relaxation:
    """What dropping one constraint would give: how many products then fit."""

    need: str
    label: str
    matches: int


@dataclass(frozen=True)
class NothingFits:
    """A first-class 'no product meets all of this' result, later logged as an unmet need."""

    profile: NeedsProfile
    nearest: tuple[NearMiss, ...]
    relaxations: tuple[Relaxation, ...]

    @property
    def blocking_needs(self) -> tuple[str, ...]:
        """The needs the nearest misses fail on, most common first."""
        counts: dict[str, int] = {}
        for miss in self.nearest:
            for failure in miss.failures:
                counts[failure.need] = counts.get(failure.need, 0) + 1
        return tuple(sorted(counts, key=lambda n: (-counts[n], n)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "needs": self.profile.to_dict(),
            "nearest": [m.to_dict() for m in self.nearest],
            "relaxations": [r.__dict__ for r in self.relaxations],
            "blocking_needs": list(self.blocking_needs),
        }


@dataclass(frozen=True)
class Near:
    """Show first the products whose `attribute` is closest to `target` on the requested side
    (at least `target` when `larger`, at most when not): 'something bigger' one size at a time."""

    attribute: str
    target: float
    larger: bool

    def key(self, product: Product) -> tuple[int, float]:
        value = product.value(self.attribute)
        if value is None:
            return (2, 0.0)
        beyond = value >= self.target if self.larger else value <= self.target
        return (0 if beyond else 1, abs(value - self.target))


@dataclass(frozen=True)
class Advice:
    profile: NeedsProfile
    matches: tuple[Match, ...]
    match_count: int
    nothing_fits: NothingFits | None = None
    # Products that meet every need they have a figure for but lack one: after the matches.
    might_fit: tuple[MightFit, ...] = ()
    might_fit_shown: int = MIGHT_FIT_SHOWN
    # every match in the order shown, with its score (the first `top` are `matches`)
    ranked: tuple[tuple[Product, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "needs": self.profile.to_dict(),
            "match_count": self.match_count,
            "matches": [m.to_dict() for m in self.matches],
            "nothing_fits": self.nothing_fits.to_dict() if self.nothing_fits else None,
            "might_also_fit": might_fit_dict(self.might_fit, self.might_fit_shown),
        }


def ranking_rules(catalog: Catalog) -> str:
    category = catalog.category
    defaults = ", ".join(category.priorities[p].label for p in category.default_priorities)
    return RANKING_RULES.format(item=category.item, defaults=defaults or "overall value")


def eligible(catalog: Catalog, profile: NeedsProfile) -> list[Product]:
    """Products meeting every hard constraint (and not of a brand the shopper ruled out)."""
    return [
        p
        for p in candidates(catalog, profile)
        if not failures(catalog.category, profile.constraints, p)
    ]


def candidates(catalog: Catalog, profile: NeedsProfile) -> list[Product]:
    """The products of brands not ruled out, each with the figures of the configuration the
    shopper requires (a shopper who requires AWD is judged on AWD figures)."""
    excluded = {b.lower() for b in profile.excluded_brands}
    wanted = wanted_configurations(catalog, profile)
    return [p.configured(wanted) for p in catalog.products if p.brand.lower() not in excluded]


def wanted_configurations(catalog: Catalog, profile: NeedsProfile) -> tuple[str, ...]:
    """The configurations the shopper's needs require, e.g. ('awd', '4wd'); () for any."""
    return configurations(catalog.category, [(c.need, c.value) for c in profile.constraints])


def configurations(category: Category, needs: Iterable[tuple[str, Any]]) -> tuple[str, ...]:
    """The configurations that (need, value) pairs require, in the order stated."""
    spec = category.configuration
    wanted: list[str] = []
    for name, value in needs:
        need = category.needs.get(name)
        if spec is None or need is None or need.attribute != spec.attribute:
            continue
        value = need.fixed or value
        wanted += list(value) if isinstance(value, (tuple, list)) else [str(value)]
    return tuple(dict.fromkeys(wanted))


def priority_names(catalog: Catalog, profile: NeedsProfile) -> tuple[str, ...]:
    return profile.priorities or catalog.category.default_priorities


def normalised(catalog: Catalog, attribute: str, value: float) -> float:
    """`value` scaled 0..1 across the catalog, 1 being best in the attribute's direction."""
    low, high = catalog.value_ranges[attribute]
    if high == low:
        return 1.0
    share = (value - low) / (high - low)
    return 1.0 - share if catalog.category.attributes[attribute].better == "lower" else share


def priority_value(catalog: Catalog, priority: str, product: Product) -> tuple[str, float] | None:
    """The attribute and value a priority scores for this product (first one published)."""
    for attribute in catalog.category.priorities[priority].attributes:
        value = product.value(attribute)
        if value is not None:
            return attribute, value
    return None


def score(catalog: Catalog, profile: NeedsProfile, product: Product) -> float:
    names = priority_names(catalog, profile)
    if not names:
        return 0.0
    total = 0.0
    for name in names:
        found = priority_value(catalog, name, product)
        if found:
            total += normalised(catalog, *found)
    return total / len(names)


def tie_break_key(product: Product) -> tuple:
    """Deterministic order among equal scores from the data alone: specs, then model. No brand."""
    specs = tuple((name, repr(product.values[name])) for name in sorted(product.values))
    return (specs, product.model, product.trim or "", product.year or 0)


def rank(
    catalog: Catalog, profile: NeedsProfile, products: list[Product]
) -> list[tuple[Product, float]]:
    """Best first: by the order asked for, if any ('which truck tows the most': a figure on file
    before none), then by score, then by the specifications."""
    scored = [(p, score(catalog, profile, p)) for p in products]
    scored.sort(
        key=lambda item: (*_sort_key(profile, item[0]), -round(item[1], 9), tie_break_key(item[0]))
    )
    return scored


def _sort_key(profile: NeedsProfile, product: Product) -> tuple[int, float]:
    if profile.sort_key is None:
        return (0, 0.0)
    attribute, order = profile.sort_key
    value = product.value(attribute)
    if value is None:
        return (1, 0.0)
    return (0, -float(value) if order == "highest" else float(value))


def recommend(
    catalog: Catalog,
    profile: NeedsProfile,
    top: int = 3,
    misses: int = 3,
    might_fit_shown: int = MIGHT_FIT_SHOWN,
    near: Near | None = None,
) -> Advice:
    """The top matches with reasons, or a NothingFits with the nearest misses; either way the
    products that might also fit (every need they have a figure for is met, but a figure is
    missing), best score first, which are never ranked among the matches. With `near`, the
    matches closest to its size come first, each size ranked as usual."""
    category = catalog.category
    matching, gaps = [], []
    for product in candidates(catalog, profile):
        failed = failures(category, profile.constraints, product)
        if not failed:
            matching.append(product)
        elif all(f.actual is None for f in failed):
            gaps.append((product, [category.needs[f.need].attribute for f in failed]))
    scored = [(p, missing, score(catalog, profile, p)) for p, missing in gaps]
    scored.sort(key=lambda item: (-round(item[2], 9), tie_break_key(item[0])))
    maybe = tuple(might_fit(catalog, p, list(dict.fromkeys(m)), v) for p, m, v in scored)
    if not matching:
        return Advice(
            profile, (), 0, nothing_fits(catalog, profile, misses), maybe, might_fit_shown
        )
    ranked = rank(catalog, profile, matching)
    if near is not None:
        ranked.sort(key=lambda item: near.key(item[0]))
    shown = tuple(
        Match(product, value, tuple(reasons(catalog, profile, product, ranked)))
        for product, value in ranked[:top]
    )
    return Advice(profile, shown, len(matching), None, maybe, might_fit_shown, ranked=tuple(ranked))


def reasons(
    catalog: Catalog, profile: NeedsProfile, product: Product, ranked: list[tuple[Product, float]]
) -> list[Reason]:
    """Why this product: each hard need it meets, and where it stands on each priority."""
    category = catalog.category
    out = [
        Reason("need", satisfied_text(category, c, product), category.needs[c.need].attribute)
        for c in profile.constraints
    ]
    cited = {r.attribute for r in out}
    pool = [p for p, _ in ranked]
    if profile.sort_key:
        out.append(_order_reason(catalog, profile, product, pool))
        cited.add(profile.sort_key[0])
    for name in priority_names(catalog, profile):
        found = priority_value(catalog, name, product)
        label = category.priorities[name].label
        if found is None:
            attribute_name = category.priorities[name].attributes[0]
            out.append(Reason("missing", f"no figure on file for {label}", attribute_name))
            continue
        attribute_name, value = found
        if attribute_name in cited:
            continue
        attribute = category.attributes[attribute_name]
        text = f"{attribute.label}: {attribute.format(value)}"
        if len(pool) > 1:
            peers = [p.value(attribute_name) for p in pool if p.value(attribute_name) is not None]
            better = sum(1 for v in peers if _beats(attribute.better, v, value))
            place = "best" if better == 0 else _ordinal(better + 1)
            text += f", {place} of the {len(pool)} matches"
        if profile.hint(name):
            text += f" ({label} matters: you mentioned {profile.hint(name)})"
        out.append(Reason("priority", text, attribute_name))
    for issue in product.known_issues:
        out.append(Reason("note", f"known {issue.kind}: {issue.summary}"))
    return out


def _order_reason(
    catalog: Catalog, profile: NeedsProfile, product: Product, pool: list[Product]
) -> Reason:
    """Where the product stands on the order asked for: 'Maximum towing: 13,000 lb, the highest
    of the 4 matches'."""
    name, order = profile.sort_key
    attribute = catalog.category.attributes[name]
    value = product.value(name)
    if value is None:
        return Reason("note", f"no figure on file for {attribute.label}", name)
    peers = [p.value(name) for p in pool if p.value(name) is not None]
    ahead = sum(1 for v in peers if (v > value if order == "highest" else v < value))
    place = "the" if ahead == 0 else f"the {_ordinal(ahead + 1)}"
    text = (
        f"{attribute.label}: {attribute.format(value)}, {place} {order} of the {len(pool)} matches"
    )
    return Reason("priority", text, name)


def _beats(better: str | None, other: float, value: float) -> bool:
    return other < value if better == "lower" else other > value


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def nothing_fits(catalog: Catalog, profile: NeedsProfile, limit: int = 3) -> NothingFits:
    """Nearest misses (fewest and smallest failures first) and what relaxing each need would give."""
    category = catalog.category
    pool = candidates(catalog, profile)
    misses = [NearMiss(p, tuple(failures(category, profile.constraints, p))) for p in pool]
    misses.sort(key=lambda m: (m.distance, tie_break_key(m.product)))
    relaxations = []
    for constraint in profile.constraints:
        relaxed = profile.without(constraint.need)
        count = len(eligible(catalog, relaxed))
        relaxations.append(
            Relaxation(constraint.need, category.needs[constraint.need].label, count)
        )
    relaxations.sort(key=lambda r: (-r.matches, r.need))
    return NothingFits(profile, tuple(misses[:limit]), tuple(relaxations))
