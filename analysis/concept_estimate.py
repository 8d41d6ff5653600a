"""A concept test's figures: the estimate under stated assumptions, the interval the log's sample
size implies, and the sensitivity table.

    volume  = shoppers a year the log represents x share it wins x share who buy
    revenue = volume x the concept's price

The share it wins is wins / shoppers who stated needs in the window (wins: new demand plus the
shoppers it would rank first for). Its 95% interval is the Wilson score interval for that
proportion, so a handful of shoppers gives a wide range and a large log a narrow one; the volume
and revenue intervals follow from it (the other assumptions are taken as given, and printed).
Unless told, the shoppers a year are the window's rate scaled to 365 days, and the price is the
concept's own (category.yml `roles.price`); the share who buy has no default in the data and is
an assumption the product manager should set (DEFAULT_BUY_SHARE until then, always printed).

The sensitivity table replays the same shoppers with the concept's price at -20/-10/+10/+20%
and each of its other numeric figures a need can ask about one level better and one worse (the
level steps analysis.need_levels derives from the catalog's ranges: towing 1,000 lb, seats 1 ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis.concept import Concept
from analysis.concept_replay import Outcome, Replay
from analysis.need_levels import NeedLevels

Z95 = 1.959964
DEFAULT_BUY_SHARE = 0.05
PRICE_CHANGES = (-0.2, -0.1, 0.1, 0.2)


def wilson(wins: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion wins / n."""
    if n <= 0:
        return 0.0, 0.0
    p = wins / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Assumptions:
    shoppers_per_year: float
    buy_share: float
    price: float | None
    shoppers_per_year_given: bool = False
    buy_share_given: bool = False
    price_given: bool = False

    def lines(self, log_shoppers: int, days: float) -> list[str]:
        yearly = (
            "given"
            if self.shoppers_per_year_given
            else f"the log's {log_shoppers:,} shoppers in {days:,.0f} days, scaled to a year"
        )
        buy = "given" if self.buy_share_given else "assumed; set it with --buy-share"
        price = "given" if self.price_given else "the concept's price"
        out = [
            f"shoppers a year the log represents: {self.shoppers_per_year:,.0f} ({yearly})",
            f"share of won shoppers who buy: {self.buy_share:.1%} ({buy})",
        ]
        if self.price is not None:
            out.append(f"price: ${self.price:,.0f} ({price})")
        return out


def assumptions_for(
    concept: Concept,
    replay: Replay,
    shoppers_per_year: float | None = None,
    buy_share: float | None = None,
    price: float | None = None,
) -> Assumptions:
    shoppers = replay.shoppers
    attribute = replay.catalog.category.roles.price
    own_price = concept.product.value(attribute) if attribute else None
    yearly = shoppers.shoppers * 365 / shoppers.days if shoppers.days else 0.0
    return Assumptions(
        shoppers_per_year if shoppers_per_year is not None else round(yearly),
        buy_share if buy_share is not None else DEFAULT_BUY_SHARE,
        price if price is not None else own_price,
        shoppers_per_year is not None,
        buy_share is not None,
        price is not None,
    )


def estimate(outcome: Outcome, assumptions: Assumptions) -> dict[str, Any]:
    n = outcome.shoppers
    share = outcome.wins / n if n else 0.0
    low, high = wilson(outcome.wins, n)
    per = assumptions.shoppers_per_year * assumptions.buy_share
    volume = [per * share, per * low, per * high]
    out: dict[str, Any] = {
        "share": share,
        "share_interval": [low, high],
        "volume": volume[0],
        "volume_interval": volume[1:],
        "revenue": None,
        "revenue_interval": None,
    }
    if assumptions.price is not None:
        out["revenue"] = volume[0] * assumptions.price
        out["revenue_interval"] = [v * assumptions.price for v in volume[1:]]
    return out


def variants(concept: Concept, replay: Replay) -> list[tuple[str, str, Concept]]:
    """(what changed, the new value as text, the variant) for the sensitivity table."""
    catalog = replay.catalog
    category = catalog.category
    product = concept.product
    out: list[tuple[str, str, Concept]] = []
    price = category.roles.price
    if price and isinstance(product.value(price), int | float):
        attribute = category.attributes[price]
        for change in PRICE_CHANGES:
            value = round(product.value(price) * (1 + change))
            label = f"{attribute.label} {change:+.0%}"
            out.append((label, attribute.format(value), concept.with_values({price: value}, label)))
    levels = NeedLevels(catalog)
    for name, spec in category.needs.items():
        attribute = category.attributes[spec.attribute]
        value = product.value(spec.attribute)
        if spec.op not in ("max", "min") or spec.attribute == price:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        step = levels.steps[name]
        sign = -1 if attribute.better == "lower" else 1
        for word, direction in (("better", 1), ("worse", -1)):
            new = value + sign * direction * step
            if attribute.range:
                new = min(max(new, attribute.range[0]), attribute.range[1])
            if attribute.type == "integer":
                new = int(round(new))
            if new == value:
                continue
            label = f"{attribute.label} one level {word}"
            text = attribute.format(new)
            out.append((label, text, concept.with_values({spec.attribute: new}, label)))
    return out


def sensitivity(concept: Concept, replay: Replay, base: Outcome) -> list[dict[str, Any]]:
    rows = []
    for label, value, variant in variants(concept, replay):
        outcome = replay.run(variant)
        rows.append(
            {
                "change": label,
                "value": value,
                "new_demand": outcome.new_demand,
                "taken": outcome.taken,
                "wins": outcome.wins,
                "wins_change": outcome.wins - base.wins,
            }
        )
    return rows
