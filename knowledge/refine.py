"""'Cheaper', 'bigger' and 'smaller': a needs profile changed relative to the products just shown,
through the attributes the category declares as its price and its size (`roles` in category.yml).

Each function returns the new profile, or None when the category declares nothing that could serve
the request (no price, no size that can go further), so the caller can say so.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.catalog import Catalog, Category, Product
from knowledge.needs import Constraint, NeedsProfile
from knowledge.roles import SizeRole

# 'cheaper' with nothing shown that has a price: the stated budget lowered by this share.
CHEAPER_SHARE = 0.9


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


def shown_values(products: Sequence[Product], attribute: str) -> list:
    return [p.value(attribute) for p in products if p.value(attribute)]


def cheaper(
    catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]
) -> NeedsProfile | None:
    """A budget just below the cheapest product shown; else the stated budget lowered; else low
    price as what matters most."""
    category = catalog.category
    price = category.roles.price
    if price is None:
        return None
    budget = need_on(category, price, "max")
    prices = shown_values(shown, price)
    if budget and prices:
        return profile.with_constraint(Constraint(budget, min(prices) - 1))
    current = profile.get(budget) if budget else None
    if current:
        return profile.with_constraint(Constraint(budget, round(current.value * CHEAPER_SHARE)))
    priority = priority_on(category, price)
    return profile.with_priorities([priority]) if priority else None


def bigger(
    catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]
) -> NeedsProfile | None:
    """For the first size attribute that can serve: at least one step more than the biggest shown
    (a stepped size), or that attribute as what matters most (a size without a step)."""
    return _resize(catalog, profile, shown, larger=True)


def smaller(
    catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product]
) -> NeedsProfile | None:
    """For the first stepped size attribute that can serve: at most one step less than the
    smallest shown, or, when the category has no upper limit on it, the lower limit dropped."""
    return _resize(catalog, profile, shown, larger=False)


def _resize(
    catalog: Catalog, profile: NeedsProfile, shown: Sequence[Product], larger: bool
) -> NeedsProfile | None:
    category = catalog.category
    for role in category.roles.size:
        if role.step is None:
            priority = priority_on(category, role.attribute)
            if larger and priority:
                return profile.with_priorities([priority])
            continue
        changed = _step(category, profile, role, shown_values(shown, role.attribute), larger)
        if changed is not None:
            return changed
    return None


def _step(
    category: Category, profile: NeedsProfile, role: SizeRole, values: list, larger: bool
) -> NeedsProfile | None:
    """The profile with the limit on `role`'s attribute moved one step past what was shown, or
    None when that cannot be done."""
    attribute = category.attributes[role.attribute]
    low, high = attribute.range or (float("-inf"), float("inf"))
    toward, away = ("min", "max") if larger else ("max", "min")
    need = need_on(category, role.attribute, toward)
    if need and values:
        target = max(values) + role.step if larger else min(values) - role.step
        target = round(target, 6)
        if attribute.type == "integer":
            target = int(target)
        bound = (role.up_to if role.up_to is not None else high) if larger else None
        floor = (role.down_to if role.down_to is not None else low) if not larger else None
        if (bound is not None and target <= bound) or (floor is not None and target >= floor):
            return _without_conflict(
                category, profile.with_constraint(Constraint(need, target)), role, away, target
            )
    opposite = need_on(category, role.attribute, away)
    if not larger and opposite and profile.get(opposite):
        return profile.without(opposite)  # the lower limit is what made them big
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
