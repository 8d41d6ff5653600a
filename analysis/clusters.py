"""Need clusters: unmet shoppers grouped by similar needs, not only identical combinations, and the
smallest change to one nearest product that would serve most of each cluster.

1. Each unmet shopper (no catalog product meets their last stated needs; analysis.unmet's check)
   belongs to the first of its minimal conflicts (the smallest set of its needs no product meets
   together), at its readable levels ("pickup + hybrid + 6,000+ lb towing").
2. Those combinations are clustered by a distance over their needs measured in the catalog's own
   need levels (analysis.need_levels: towing steps of 1,000 lb, seats of 1, price of $5k): a
   number need one level apart adds 0.5, two or more levels 1; a categorical need with other
   values, or a need only one side states, adds 1. Average-linkage agglomerative clustering
   (scipy) joins combinations while the average distance is at most MAX_DISTANCE, so "6,000+ lb"
   and "5,000+ lb" towing pickups are one cluster and a different body type is not.
3. For each cluster, its nearest products (the representative conflict's nearest misses, as
   knowledge.matching orders them) are each tried with one figure changed to what the cluster's
   shoppers ask for, every need of every shopper judged as the concept test judges it; the change
   serving the most shoppers wins (ties: the smaller change). It is one command from a concept
   test: `advisor concept --from-product ID --set attr=value`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analysis.concept import Concept, _set_values, make_concept
from analysis.concept_replay import Profile, Shoppers, read_profile
from analysis.need_masks import shortfall
from analysis.opportunities import _weekly, weeks_between
from analysis.unmet import CatalogCheck, Conflict
from knowledge.catalog import Catalog, Product
from knowledge.errors import CatalogError
from knowledge.gaps import figure_name

MAX_DISTANCE = 0.5  # average distance at which two combinations are one cluster
NEAREST_TRIED = 5  # nearest products tried for the smallest change
QUOTES = 3
DAY = 86400


@dataclass
class Change:
    product: Product
    attribute: str
    value: Any
    serves: int
    of: int
    text: str  # "a 2025 Ford Maverick XL with 6,500 lb maximum towing"

    @property
    def setting(self) -> str:
        value = ",".join(self.value) if isinstance(self.value, tuple | list) else self.value
        return f"{self.attribute}={value}"

    @property
    def command(self) -> str:
        return f"advisor concept --from-product {self.product.id} --set {self.setting}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product.id,
            "product_name": self.product.full_name,
            "attribute": self.attribute,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "serves": self.serves,
            "of": self.of,
            "text": f"{self.text} would serve {self.serves} of these {self.of} shoppers",
            "concept_command": self.command,
            "hypothetical": True,
        }


@dataclass
class Cluster:
    label: str
    combinations: list[tuple[str, int]]  # (combination label, shoppers), most first
    profiles: list[Profile]
    representative: Conflict
    shoppers: int = 0
    share: float = 0.0
    weekly: tuple[tuple[str, int], ...] = ()
    trend: str = "flat"
    quotes: tuple[str, ...] = ()
    nearest: tuple[dict[str, Any], ...] = ()
    change: Change | None = None
    members: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.label,
            "shoppers": self.shoppers,
            "share": round(self.share, 4),
            "trend": self.trend,
            "weekly": [{"week": w, "shoppers": n} for w, n in self.weekly],
            "combinations": [{"needs": k, "shoppers": n} for k, n in self.combinations],
            "quotes": list(self.quotes),
            "nearest": [dict(n) for n in self.nearest],
            "smallest_change": self.change.to_dict() if self.change else None,
        }


def _distance(a: Conflict, b: Conflict, steps: dict[str, float]) -> float:
    left = {c.need: c.value for c in a.constraints}
    right = {c.need: c.value for c in b.constraints}
    if a.excluded_brands or b.excluded_brands:
        left["not"], right["not"] = a.excluded_brands or None, b.excluded_brands or None
    total = 0.0
    for need in left.keys() | right.keys():
        x, y = left.get(need), right.get(need)
        if x is None or y is None:
            total += 1.0
        elif need in steps and isinstance(x, int | float) and isinstance(y, int | float):
            levels = abs(x - y) / steps[need]
            total += 0.0 if levels < 1e-9 else (0.5 if levels <= 1 + 1e-9 else 1.0)
        else:
            total += (
                0.0
                if set(x if isinstance(x, tuple) else (x,))
                == set(y if isinstance(y, tuple) else (y,))
                else 1.0
            )
    return total


def cluster_unmet(
    catalog: Catalog, shoppers: Shoppers, check: CatalogCheck, min_shoppers: int = 1
) -> list[Cluster]:
    """The clusters of unmet shoppers, largest first (those with at least `min_shoppers`)."""
    groups: dict[str, list[Profile]] = {}
    conflicts: dict[str, Conflict] = {}
    for profile in shoppers.profiles:
        if check.needs_mask(profile.needs):
            continue
        found = check.conflicts(profile.needs)
        if not found:
            continue
        conflict = found[0]
        groups.setdefault(conflict.key, []).append(profile)
        conflicts.setdefault(conflict.key, conflict)
    keys = sorted(groups, key=lambda k: (-sum(p.shoppers for p in groups[k]), k))
    labels = _cluster([conflicts[k] for k in keys], check)
    clustered: dict[int, list[str]] = {}
    for key, label in zip(keys, labels, strict=True):
        clustered.setdefault(label, []).append(key)
    all_days = [d for p in shoppers.profiles for d in p.days]
    weeks = weeks_between(min(all_days) * DAY, max(all_days) * DAY) if all_days else ()
    out = []
    for members in clustered.values():
        profiles = [p for k in members for p in groups[k]]
        if sum(p.shoppers for p in profiles) < min_shoppers:
            continue  # not described: its nearest products and smallest change are not wanted
        out.append(_describe(catalog, check, members, profiles, conflicts, groups, shoppers, weeks))
    out.sort(key=lambda c: (-c.shoppers, c.label))
    return out


def _cluster(conflicts: list[Conflict], check: CatalogCheck) -> list[int]:
    if len(conflicts) < 2:
        return [0] * len(conflicts)
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    steps = check.levels.steps
    levelled = [_levelled(c, steps) for c in conflicts]
    n = len(conflicts)
    distances = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            distances[i, j] = distances[j, i] = _distance(levelled[i], levelled[j], steps)
    tree = linkage(squareform(distances, checks=False), method="average")
    return [int(x) for x in fcluster(tree, t=MAX_DISTANCE + 1e-9, criterion="distance")]


def _levelled(conflict: Conflict, steps: dict[str, float]) -> Conflict:
    """The conflict with each number need at its level's bucket (as the label reads)."""
    from knowledge.needs import Constraint

    constraints = []
    for constraint, level in zip(
        sorted(conflict.constraints, key=lambda c: c.need),
        sorted(
            (lv for lv in conflict.levels if lv.need != "excluded_brands"), key=lambda lv: lv.need
        ),
        strict=False,
    ):
        value = constraint.value
        if constraint.need in steps and isinstance(value, int | float):
            value = float(level.key.split("=", 1)[1])
        constraints.append(Constraint(constraint.need, value))
    return Conflict(tuple(constraints), conflict.excluded_brands, conflict.levels, conflict.gap)


def _describe(catalog, check, members, profiles, conflicts, groups, shoppers, weeks) -> Cluster:
    combinations = [(conflicts[k].label, sum(p.shoppers for p in groups[k])) for k in members]
    combinations.sort(key=lambda c: (-c[1], c[0]))
    representative = conflicts[members[0]]
    size = sum(p.shoppers for p in profiles)
    days: Counter[int] = Counter()
    for p in profiles:
        days.update(p.days)
    weekly = _weekly(days, weeks)
    half = len(weekly) // 2
    early, late = sum(n for _, n in weekly[:half]), sum(n for _, n in weekly[-half:]) if half else 0
    trend = "flat"
    if half and late > early * 1.25 + 1:
        trend = "rising"
    elif half and early > late * 1.25 + 1:
        trend = "falling"
    texts = {q for p in profiles for q in p.quotes}
    quotes = sorted(texts, key=lambda q: (-len(q.split()), q))[:QUOTES]  # the fullest first
    label = representative.label if len(members) == 1 else f"{representative.label} and near it"
    cluster = Cluster(
        label,
        combinations,
        profiles,
        representative,
        size,
        size / shoppers.shoppers if shoppers.shoppers else 0.0,
        weekly,
        trend,
        tuple(quotes),
        check.nearest(representative),
        members=[cid for p in profiles for cid in p.members],
    )
    for profile in profiles:
        if profile.read is None:
            read_profile(catalog, check, profile)
    cluster.change = smallest_change(catalog, cluster)
    return cluster


def serves(catalog: Catalog, product: Product, profiles: list[Profile]) -> int:
    """Shoppers among `profiles` whom `product` meets every need of, as the concept test judges
    (the profiles read by analysis.concept_replay.read_profile)."""
    total = 0
    brand = product.brand.lower()
    configured: dict[tuple[str, ...], dict[str, Any]] = {}
    for profile in profiles:
        if brand in profile.excluded:
            continue
        values = configured.get(profile.configs)
        if values is None:
            values = configured[profile.configs] = product.configured(profile.configs).values
        if not any(shortfall(op, v, values.get(a)) for op, v, a in profile.checks):
            total += profile.shoppers
    return total


def _candidates(catalog: Catalog, cluster: Cluster) -> dict[str, list[Any]]:
    """{attribute: values the cluster's shoppers ask of it}, for the needs in its combinations."""
    category = catalog.category
    wanted: dict[str, set] = {}
    for profile in cluster.profiles:
        for constraint in profile.read.constraints:
            spec = category.needs[constraint.need]
            if spec.op in ("max", "min"):
                wanted.setdefault(spec.attribute, set()).add(constraint.value)
            else:
                for value in spec.fixed or constraint.value:
                    wanted.setdefault(spec.attribute, set()).add(value)
    return {k: _spread(sorted(v, key=_order)) for k, v in wanted.items()}


def _order(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))


def _spread(values: list[Any], most: int = 12) -> list[Any]:
    """At most `most` of the sorted values, evenly spread, the last (the furthest ask) kept."""
    if len(values) <= most:
        return values
    step = (len(values) - 1) / (most - 1)
    return [values[round(i * step)] for i in range(most)]


def smallest_change(catalog: Catalog, cluster: Cluster) -> Change | None:
    """The one-figure change to one nearest product that serves the most of the cluster (ties:
    the smallest change relative to the figure it replaces)."""
    category = catalog.category
    best: tuple | None = None
    wanted = _candidates(catalog, cluster)
    for near in cluster.nearest[:NEAREST_TRIED]:
        base = catalog.by_id[near["id"]]
        for attribute, values in wanted.items():
            spec = category.attributes[attribute]
            for value in values:
                if spec.type == "set":
                    current = tuple(base.value(attribute) or ())
                    if value in current:
                        continue
                    new: Any = (*current, value)
                    size = 1.0
                else:
                    new = int(value) if isinstance(value, float) and value.is_integer() else value
                    current_value = base.value(attribute)
                    if current_value == new:
                        continue
                    if spec.is_numeric and isinstance(current_value, int | float) and current_value:
                        size = abs(new - current_value) / abs(current_value)
                    else:
                        size = 1.0
                changed = _set_values(base, {attribute: new})
                served = serves(catalog, changed, cluster.profiles)
                key = (-served, size, near["id"], attribute)
                if served and (best is None or key < best[0]):
                    best = (key, base, attribute, new, served)
    if best is None:
        return None
    _, base, attribute, value, served = best
    try:  # the change is a concept: validated as one
        make_concept(catalog, {"from_product": base.id, "set": {attribute: _plain(value)}})
    except CatalogError:
        return None
    return Change(
        base,
        attribute,
        value,
        served,
        cluster.shoppers,
        f"a {base.full_name} with "
        f"{category.attributes[attribute].format(value)} {figure_name(category.attributes[attribute])}",
    )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def change_concept(catalog: Catalog, change: Change) -> Concept:
    value = list(change.value) if isinstance(change.value, tuple) else change.value
    return make_concept(
        catalog, {"from_product": change.product.id, "set": {change.attribute: value}}
    )


def render_clusters(clusters: list[Cluster], shoppers: int, top: int = 10) -> str:
    """The clusters as text: size, share, trend, combinations, quotes, nearest products and the
    smallest change (with the concept test command that tries it)."""
    if not clusters:
        return "No unmet shoppers in this window: every stated need profile has a match."
    lines = [
        f"NEED CLUSTERS: unmet shoppers grouped by similar needs (of {shoppers:,} shoppers who stated needs)"
    ]
    for i, c in enumerate(clusters[:top], 1):
        lines += ["", f"{i}. {c.label}: {c.shoppers:,} shoppers ({c.share:.1%}), {c.trend}"]
        for label, n in c.combinations[:5]:
            lines.append(f"   {n:>6,}  {label}")
        for q in c.quotes:
            lines.append(f'   "{q}"')
        if c.nearest:
            lines.append(
                "   nearest: "
                + "; ".join(f"{n['name']} (misses {', '.join(n['misses'])})" for n in c.nearest)
            )
        if c.change:
            d = c.change.to_dict()
            lines.append(f"   smallest change (hypothetical): {d['text']}")
            lines.append(f"   try it: {d['concept_command']}")
    return "\n".join(lines)


CSV_FIELDS = ("rank", "cluster", "shoppers", "share", "trend", "combinations", "quotes",
              "nearest", "smallest_change", "serves", "concept_command")  # fmt: skip


def render_clusters_csv(clusters: list[Cluster]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for i, c in enumerate(clusters, 1):
        change = c.change.to_dict() if c.change else {}
        writer.writerow((
            i, c.label, c.shoppers, round(c.share, 4), c.trend,
            "; ".join(f"{k} ({n})" for k, n in c.combinations),
            " | ".join(c.quotes), "; ".join(n["name"] for n in c.nearest),
            change.get("text", ""), change.get("serves", ""), change.get("concept_command", ""),
        ))  # fmt: skip
    return out.getvalue()
