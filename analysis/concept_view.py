"""A concept test end to end: replay the log once, judge each concept and its variants, and show
the result side by side as text, CSV or JSON (`advisor concept`, /insights, `advisor report`).

Every output names each concept as a concept (hypothetical, not a real product) and prints each
assumption beside the figures it makes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from analysis.concept import HYPOTHETICAL, Concept, _set_values
from analysis.concept_estimate import assumptions_for, estimate, sensitivity
from analysis.concept_replay import Replay, read_shoppers
from analysis.unmet import CatalogCheck
from knowledge.catalog import Catalog
from stores.interface import TurnStore

FORMULA = (
    "volume = shoppers a year the log represents x share it wins x share who buy; revenue = "
    "volume x price. Share it wins = (new demand + shoppers it would rank first for) / shoppers "
    "who stated needs; its 95% interval is Wilson's, and the volume and revenue intervals follow."
)


@dataclass
class ConceptResult:
    concept: Concept
    figures: dict[str, Any]
    sensitivity: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.concept.name


@dataclass
class ConceptReport:
    results: list[ConceptResult]
    shoppers: int
    conversations: int
    turns: int
    profiles: int
    window: str
    house_brand: str | None
    sample: bool = False
    formula: str = FORMULA

    def to_dict(self) -> dict[str, Any]:
        return {
            "hypothetical": True,
            "note": f"Every product here is a {HYPOTHETICAL}.",
            "window": self.window,
            "sample": self.sample,
            "turns": self.turns,
            "conversations": self.conversations,
            "shoppers_with_needs": self.shoppers,
            "distinct_need_profiles": self.profiles,
            "deployer_brand": self.house_brand,
            "formula": self.formula,
            "concepts": [
                {
                    "concept": r.concept.to_dict(),
                    **r.figures,
                    "sensitivity": r.sensitivity,
                }
                for r in self.results
            ],
        }


def _day(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d") if ts else "-"


def concept_test(
    log: TurnStore,
    catalog: Catalog,
    concepts: list[Concept],
    since: float | None = None,
    until: float | None = None,
    shoppers_per_year: float | None = None,
    buy_share: float | None = None,
    price: float | None = None,
    with_sensitivity: bool = True,
    check: CatalogCheck | None = None,
    replay: Replay | None = None,
) -> ConceptReport:
    """Replay the window's shoppers (or use `replay`, already made for it) against each concept."""
    if replay is None:
        replay = Replay(catalog, read_shoppers(log, since, until), check)
    shoppers = replay.shoppers
    results = []
    for concept in concepts:
        concept = priced(catalog, concept, price)
        outcome = replay.run(concept)
        assumptions = assumptions_for(concept, replay, shoppers_per_year, buy_share, price)
        own, conquest, changed = replay.own(outcome)
        by_id = catalog.by_id
        house = (catalog.category.house_brand or "").lower()
        figures = {
            "shoppers": outcome.shoppers,
            "fits": outcome.fits,
            "new_demand": outcome.new_demand,
            "new_demand_needs": [
                {"needs": k, "shoppers": v} for k, v in outcome.new_needs.most_common(5)
            ],
            "new_demand_quotes": outcome.new_quotes,
            "taken": outcome.taken,
            "wins": outcome.wins,
            "cannibalisation": own,
            "conquest": conquest,
            "from_changed_product": changed if concept.base else None,
            "taken_from": [
                {
                    "id": pid,
                    "name": by_id[pid].full_name,
                    "brand": by_id[pid].brand,
                    "own_brand": by_id[pid].brand.lower() == house,
                    "whose": _whose(pid, by_id[pid].brand.lower() == house, concept.base),
                    "shoppers": n,
                }
                for pid, n in sorted(outcome.taken_from.items(), key=lambda x: (-x[1], x[0]))
            ],
            "assumptions": {
                "shoppers_per_year": assumptions.shoppers_per_year,
                "buy_share": assumptions.buy_share,
                "price": assumptions.price,
                "explained": assumptions.lines(shoppers.shoppers, shoppers.days),
            },
            **estimate(outcome, assumptions),
        }
        rows = sensitivity(concept, replay, outcome) if with_sensitivity else []
        results.append(ConceptResult(concept, figures, rows))
    window = (
        f"{_day(shoppers.first_ts)} to {_day(shoppers.last_ts)}" if shoppers.turns else "no turns"
    )
    return ConceptReport(
        results,
        shoppers.shoppers,
        shoppers.conversations,
        shoppers.turns,
        len(shoppers.profiles),
        window,
        catalog.category.house_brand,
        log.is_sample(),
    )


def priced(catalog: Catalog, concept: Concept, price: float | None) -> Concept:
    """The concept with `price` as its price figure (category.yml `roles.price`), when given: the
    price a shopper's budget is checked against is the one the revenue is counted at."""
    attribute = catalog.category.roles.price
    if price is None or attribute is None or concept.product.value(attribute) == price:
        return concept
    value = int(price) if float(price).is_integer() else price
    label = catalog.category.attributes[attribute].format(value)
    return replace(
        concept,
        product=_set_values(concept.product, {attribute: value}),
        name=concept.name.removesuffix(" (concept)") + f" at {label} (concept)",
    )


def clusters_and_concepts(
    log: TurnStore,
    catalog: Catalog,
    since: float | None,
    until: float | None,
    concepts: list[Concept] = (),
    min_shoppers: int = 2,
    top: int = 10,
):
    """(the need clusters, a concept test of `concepts`, else of the top cluster's smallest
    change, or None) from one replay of the window, for the report and /insights."""
    from analysis.clusters import change_concept, cluster_unmet

    shoppers = read_shoppers(log, since, until)
    replay = Replay(catalog, shoppers)
    clusters = cluster_unmet(catalog, shoppers, replay.check, min_shoppers)[:top]
    tested = list(concepts)
    if not tested:
        tested = [change_concept(catalog, c.change) for c in clusters[:1] if c.change]
    report = concept_test(log, catalog, tested, since, until, replay=replay) if tested else None
    return clusters, report


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


def _revenue(f: dict[str, Any]) -> str:
    if f["revenue"] is None:
        return "no price on file (give --price)"
    low, high = f["revenue_interval"]
    return f"{_money(f['revenue'])} ({_money(low)}-{_money(high)})"


def render_text(report: ConceptReport) -> str:
    """The concepts side by side, then each one's sources of shoppers, quotes and sensitivity."""
    lines = [
        f"CONCEPT TEST: every product below is a {HYPOTHETICAL}.",
        f"Replayed {report.shoppers:,} shoppers who stated needs ({report.profiles:,} distinct "
        f"need profiles, {report.turns:,} turns, {report.window}), ranked by the advisor's rules.",
    ]
    if report.sample:
        lines.append("SAMPLE DATA: the log holds simulated conversations (advisor simulate).")
    lines.append("")
    rows = [
        ("", [r.name for r in report.results]),
        ("serves (meets every need)", [f"{r.figures['fits']:,}" for r in report.results]),
        (
            "new demand (nothing fits today)",
            [f"{r.figures['new_demand']:,}" for r in report.results],
        ),
        ("would rank first (share taken)", [f"{r.figures['taken']:,}" for r in report.results]),
        (
            "  from the deployer's own brand",
            [f"{r.figures['cannibalisation']:,}" for r in report.results],
        ),
        ("  from competitors (conquest)", [f"{r.figures['conquest']:,}" for r in report.results]),
        (
            "  from the product it changes",
            [_count(r.figures["from_changed_product"]) for r in report.results],
        ),
        ("wins (new + taken)", [f"{r.figures['wins']:,}" for r in report.results]),
        (
            "share of shoppers (95% interval)",
            [
                f"{f['share']:.1%} ({f['share_interval'][0]:.1%}-{f['share_interval'][1]:.1%})"
                for f in (r.figures for r in report.results)
            ],
        ),
        (
            "volume a year (interval)",
            [
                f"{f['volume']:,.0f} ({f['volume_interval'][0]:,.0f}-{f['volume_interval'][1]:,.0f})"
                for f in (r.figures for r in report.results)
            ],
        ),
        ("revenue a year (interval)", [_revenue(r.figures) for r in report.results]),
    ]
    width = max(len(label) for label, _ in rows)
    columns = [max(len(row[1][i]) for row in rows) for i in range(len(report.results))]
    for label, cells in rows:
        lines.append(
            label.ljust(width)
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(cells, columns, strict=True))
        )
    lines.append("")
    lines.append(report.formula)
    for result in report.results:
        f = result.figures
        lines += ["", f"== {result.name}", "Assumptions:"]
        lines += [f"  {line}" for line in f["assumptions"]["explained"]]
        if f["taken_from"]:
            lines.append("Would take shoppers from (the product the advisor ranks first today):")
            for row in f["taken_from"][:8]:
                lines.append(f"  {row['shoppers']:>6,}  {row['name']} ({row['whose']})")
        if f["new_demand_needs"]:
            lines.append("New demand, by the unmet need it would meet:")
            for row in f["new_demand_needs"]:
                lines.append(f"  {row['shoppers']:>6,}  {row['needs']}")
        for quote in f["new_demand_quotes"][:3]:
            lines.append(f'  "{quote}"')
        if result.sensitivity:
            lines.append("Sensitivity (the same shoppers, one change at a time):")
            for row in result.sensitivity:
                lines.append(
                    f"  {row['change']:<48} {row['value']:>12}  wins {row['wins']:>6,} "
                    f"({row['wins_change']:+,})  new {row['new_demand']:,}  taken {row['taken']:,}"
                )
    return "\n".join(lines)


def _whose(product_id: str, own_brand: bool, base: str | None) -> str:
    if product_id == base:
        return "the product it changes: an upgrade, won from nobody"
    return "own brand, cannibalisation" if own_brand else "competitor, conquest"


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


CSV_FIELDS = ("concept", "hypothetical", "section", "item", "value", "low", "high", "note")


def render_csv(report: ConceptReport) -> str:
    """One row per figure, in long form: concept, section, item, value (and its interval)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for result in report.results:
        f, name = result.figures, result.name

        def row(section, item, value, low="", high="", note="", name=name):
            writer.writerow((name, "yes", section, item, value, low, high, note))

        for key in (
            "shoppers",
            "fits",
            "new_demand",
            "taken",
            "cannibalisation",
            "conquest",
            "from_changed_product",
            "wins",
        ):
            row("summary", key, "" if f[key] is None else f[key])
        row("estimate", "share", round(f["share"], 6), *[round(v, 6) for v in f["share_interval"]])
        row(
            "estimate",
            "volume",
            round(f["volume"], 1),
            *[round(v, 1) for v in f["volume_interval"]],
        )
        if f["revenue"] is not None:
            row(
                "estimate",
                "revenue",
                round(f["revenue"]),
                *[round(v) for v in f["revenue_interval"]],
            )
        for line in f["assumptions"]["explained"]:
            row("assumption", line.split(":")[0], line.split(": ", 1)[1])
        for item in f["taken_from"]:
            row("taken_from", item["name"], item["shoppers"], note=item["whose"])
        for item in f["new_demand_needs"]:
            row("new_demand_needs", item["needs"], item["shoppers"])
        for quote in f["new_demand_quotes"]:
            row("quote", "", quote)
        for item in result.sensitivity:
            row(
                "sensitivity",
                item["change"],
                item["wins"],
                note=f"{item['value']}; {item['wins_change']:+d}",
            )
    return out.getvalue()
