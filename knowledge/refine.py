"""'Cheaper', 'bigger' and 'smaller': a needs profile changed relative to the products just shown,
through the attributes the category declares as its price and its size (`roles` in category.yml).

Each function returns a Refinement: the new profile when some product meets it, else the profile as
it was with `found` False, so the advisor says that nothing cheaper (bigger, smaller) meets the
needs and keeps the list, instead of a nothing-fits of its own making (which would be logged as an
unmet need). It returns None when the category declares nothing that could serve the request (no
price, no size that can go further), so the caller can say so.

'Bigger' and 'smaller' go one size at a time: the new limit is one step past the biggest (smallest)
product shown (or, when no product is a whole step away, the next size there is), and the products
nearest that limit are shown first, so from 5 seats 'bigger' reaches the 7-seaters before the
8-seaters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.catalog import Catalog, Category, Product
from knowledge.matching import Near, eligible
from knowledge.needs import Constraint, NeedsProfile
from knowledge.render import describe_needs
from knowledge.roles import SizeRole

# 'cheaper' with nothing shown that has a price: the stated budget lowered by this share.
CHEAPER_SHARE = 0.9


@dataclass(frozen=True)
class Refinement:
    """What 'cheaper', 'bigger' or 'smaller' gives."""

    kind: str  # cheaper, bigger or smaller
    profile: NeedsProfile  # the needs to advise on (unchanged when nothing more was found)
    found: bool = True  # False: no product meets the changed needs, so they were not changed
    near: Near | None = None  # show the products nearest this size first
    beyond: Product | None = None  # the product shown that nothing goes past (for the message)
    beyond_attribute: str | None = None


def need_on(category: Category, attribute: str, op: str) -> str | None:
    """The first declared need that puts a limit of kind `op` ('max', 'min') on `attribute`."""
    return next(
        (
            name
            for name, spec in category.needs.items()
            if spec.attribute == attribute and spec.op == op and not spec.fixed
        ),
        None,
    )


def priority_on(category: Category, attribute: str) -> str | None:
    """The first declared priority that scores `attribute`."""
    return next((n for n, p in category.priorities.items() if attribute in p.attributes), None)


def cheaper(catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]) -> Refinement | None:
    """A budget just below the cheapest product shown; else the stated budget lowered; else low
    price as what matters most. Not found when no product meets the lower budget."""
    category = catalog.category
    price = category.roles.price
    if price is None:
        return None
    budget = need_on(category, price, "max")
    priced = [p for p in shown if p.value(price)]
    current = profile.get(budget) if budget else None
    if budget and priced:
        cheapest = min(priced, key=lambda p: p.value(price))
        lower = profile.with_constraint(Constraint(budget, cheapest.value(price) - 1))
        return _found("cheaper", catalog, profile, lower, beyond=(cheapest, price))
    if current:
        lower = profile.with_constraint(Constraint(budget, round(current.value * CHEAPER_SHARE)))
        return _found("cheaper", catalog, profile, lower)
    priority = priority_on(category, price)
    return _stressed("cheaper", catalog, profile, priority, shown, price) if priority else None


def _stressed(
    kind: str,
    catalog: Catalog,
    profile: NeedsProfile,
    priority: str,
    shown: Sequence[Product],
    attribute: str,
) -> Refinement:
    """`priority` as what matters most, the products past the furthest one shown first; not found
    when no product meeting the needs goes past it."""
    larger = kind == "bigger"
    changed = profile.with_priorities([priority])
    edge = furthest(shown, attribute, larger)
    if edge is None:
        return Refinement(kind, changed)
    mark = edge.value(attribute)
    past = [
        v
        for p in eligible(catalog, changed)
        if (v := p.value(attribute)) is not None and (v > mark if larger else v < mark)
    ]
    if not past:
        return Refinement(kind, profile, False, beyond=edge, beyond_attribute=attribute)
    near = Near(attribute, min(past) if larger else max(past), larger)
    return Refinement(kind, changed, near=near, beyond=edge, beyond_attribute=attribute)


def furthest(shown: Sequence[Product], attribute: str, larger: bool) -> Product | None:
    """The product shown that is furthest in the requested direction on `attribute`."""
    sized = [p for p in shown if p.value(attribute) is not None]
    if not sized:
        return None
    return (max if larger else min)(sized, key=lambda p: p.value(attribute))


def _found(
    kind: str,
    catalog: Catalog,
    before: NeedsProfile,
    after: NeedsProfile,
    near: Near | None = None,
    beyond: tuple[Product, str] | None = None,
) -> Refinement:
    """`after` when some product meets it, else `before`, not found."""
    product, attribute = beyond or (None, None)
    if eligible(catalog, after):
        return Refinement(kind, after, near=near, beyond=product, beyond_attribute=attribute)
    return Refinement(kind, before, False, beyond=product, beyond_attribute=attribute)


def bigger(catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]) -> Refinement | None:
    """For the first size attribute that can serve: at least one step more than the biggest shown,
    nearest first (a stepped size), or that attribute as what matters most (a size without a
    step)."""
    return _resize(catalog, profile, shown, larger=True)


def smaller(catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]) -> Refinement | None:
    """For the first stepped size attribute that can serve: at most one step less than the
    smallest shown, nearest first, or, when the category has no upper limit on it, the lower limit
    dropped."""
    return _resize(catalog, profile, shown, larger=False)


def _resize(
    catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product], larger: bool
) -> Refinement | None:
    category = catalog.category
    kind = "bigger" if larger else "smaller"
    missed: Refinement | None = None
    for role in category.roles.size:
        if role.step is None:
            priority = priority_on(category, role.attribute)
            if larger and priority:
                return _stressed(kind, catalog, profile, priority, shown, role.attribute)
            continue
        sized = [p for p in shown if p.value(role.attribute) is not None]
        stepped = _step(category, profile, role, [p.value(role.attribute) for p in sized], larger)
        if stepped is None:
            continue
        changed, target = stepped
        pick = max if larger else min
        edge = pick(sized, key=lambda p: p.value(role.attribute)) if sized else None
        beyond = (edge, role.attribute) if edge else None
        near = Near(role.attribute, target, larger) if target is not None else None
        found = _found(kind, catalog, profile, changed, near, beyond)
        if not found.found and edge is not None:
            # no product a whole step past what was shown: the next size there is
            nearest = _next_size(catalog, profile, role, edge.value(role.attribute), larger)
            if nearest is not None:
                moved = _step(category, profile, role, [nearest], larger, step=0)
                if moved is not None:
                    near = Near(role.attribute, moved[1], larger)
                    found = _found(kind, catalog, profile, moved[0], near, beyond)
        if found.found:
            return found
        missed = missed or found
    return missed


def _next_size(
    catalog: Catalog, profile: NeedsProfile, role: SizeRole, edge: float, larger: bool
) -> float | None:
    """The size nearest `edge` on the requested side among the products that meet every other
    need (the limits on this size left out)."""
    category = catalog.category
    others = profile
    for op in ("min", "max"):
        need = need_on(category, role.attribute, op)
        if need:
            others = others.without(need)
    sizes = [p.value(role.attribute) for p in eligible(catalog, others)]
    beyond = [v for v in sizes if v is not None and (v > edge if larger else v < edge)]
    if not beyond:
        return None
    return min(beyond) if larger else max(beyond)


def _step(
    category: Category,
    profile: NeedsProfile,
    role: SizeRole,
    values: list,
    larger: bool,
    step: float | None = None,
) -> tuple[NeedsProfile, float | None] | None:
    """The profile with the limit on `role`'s attribute moved one step (or `step`) past what was
    shown, and the size to show first (None when nothing was shown); None when that cannot be
    done."""
    attribute = category.attributes[role.attribute]
    low, high = attribute.range or (float("-inf"), float("inf"))
    toward, away = ("min", "max") if larger else ("max", "min")
    need = need_on(category, role.attribute, toward)
    step = role.step if step is None else step
    target = None
    if values:
        target = max(values) + step if larger else min(values) - step
        target = round(target, 6)
        if attribute.type == "integer":
            target = int(target)
    if need and target is not None:
        bound = (role.up_to if role.up_to is not None else high) if larger else None
        floor = (role.down_to if role.down_to is not None else low) if not larger else None
        if (bound is not None and target <= bound) or (floor is not None and target >= floor):
            changed = profile.with_constraint(Constraint(need, target))
            return _without_conflict(category, changed, role, away, target), target
    opposite = need_on(category, role.attribute, away)
    if not larger and opposite and profile.get(opposite):
        return profile.without(opposite), target  # the lower limit is what made them big
    return None


def _without_conflict(
    category: Category, profile: NeedsProfile, role: SizeRole, op: str, target: float
) -> NeedsProfile:
    """Drop a limit of kind `op` on the same attribute that the new target contradicts."""
    need = need_on(category, role.attribute, op)
    current = profile.get(need) if need else None
    if current is None:
        return profile
    clash = current.value < target if op == "max" else current.value > target
    return profile.without(need) if clash else profile


def unavailable_text(catalog: Catalog, refinement: Refinement) -> str:
    """'Nothing cheaper than the 2025 Kia K4 LXS ($21,990) meets your needs (sedan).'"""
    category = catalog.category
    text = f"Nothing {refinement.kind}"
    product, attribute = refinement.beyond, refinement.beyond_attribute
    if product is not None and attribute is not None:
        figure = category.attributes[attribute].format(product.value(attribute))
        text += f" than the {product.full_name} ({figure})"
    needs = describe_needs(catalog, refinement.profile)
    return (
        f"{text} meets your needs ({needs}), so I've kept the list: "
        f"those are still your best matches."
    )
