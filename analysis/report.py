"""A self-contained HTML report of a MiningResult, for product managers.

One file, no external assets: the headline figures beside the previous window, inline CSS and
inline SVG charts (a bar chart of the top opportunities by score and a weekly trend of the top
few, a dot per week so that one week shows too), the ranked opportunities with their quotes and
nearest products, and the brand exposure audit with its flags explained. The document is the Jinja2 template
analysis/templates/report.html (with report.css, report_charts.html and report_tables.html);
every piece of text that comes from the log or the catalog is HTML-escaped by the environment
(advisor.templating). This module works out the numbers: the charts' geometry and the rows.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from advisor.templating import environment
from analysis.exposure import exposure_row
from analysis.opportunities import MiningResult

BAR_CHART_ITEMS = 10
TREND_SERIES = 5
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
DEFAULT_TITLE = "What shoppers could not get"
TEMPLATES = environment("analysis")


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_geometry(items: list[tuple[str, float]], width: int = 760) -> dict[str, Any] | None:
    """Where each bar of the bar chart goes (None without items)."""
    if not items:
        return None
    label_width, bar_height, gap = 300, 22, 8
    top = max(value for _, value in items) or 1
    scale = (width - label_width - 70) / top
    bars = [
        {
            "label": label,
            "short": _short(label),
            "value": value,
            "y": gap + i * (bar_height + gap),
            "length": max(1.0, value * scale),
        }
        for i, (label, value) in enumerate(items)
    ]
    return {
        "width": width,
        "height": len(items) * (bar_height + gap) + gap,
        "label_width": label_width,
        "bar_height": bar_height,
        "colour": COLOURS[0],
        "bars": bars,
    }


def trend_geometry(
    weeks: tuple[str, ...], series: list[tuple[str, list[int]]], width: int = 760
) -> dict[str, Any] | None:
    """The axes, week labels, lines and legend of the weekly trend chart (None without data)."""
    if not weeks or not series:
        return None
    left, right, top, plot_height = 40, 20, 10, 220
    highest = max((max(counts) for _, counts in series if counts), default=0) or 1
    step = (width - left - right) / max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + i * step if len(weeks) > 1 else left + (width - left - right) / 2

    def y(value: int) -> float:
        return top + plot_height - value / highest * plot_height

    label_every = max(1, math.ceil(len(weeks) / 8))
    lines = [
        {
            "label": label,
            "colour": COLOURS[n % len(COLOURS)],
            "points": " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(counts)),
            # one dot per week: a window of one week has no line to draw, only dots
            "dots": [
                {"x": round(x(i), 1), "y": round(y(v), 1), "value": v, "week": weeks[i]}
                for i, v in enumerate(counts)
            ],
            "legend_y": top + plot_height + 34 + n * 18,
        }
        for n, (label, counts) in enumerate(series)
    ]
    return {
        "width": width,
        "height": top + plot_height + 40 + 18 * len(series) + 10,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + plot_height,
        "highest": highest,
        "week_labels": [(x(i), week) for i, week in enumerate(weeks) if i % label_every == 0],
        "lines": lines,
    }


def _chart(macro: str, geometry: dict[str, Any] | None) -> str:
    return str(getattr(TEMPLATES.get_template("report_charts.html").module, macro)(geometry))


def bar_chart(items: list[tuple[str, float]], width: int = 760) -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per (label, value)."""
    return _chart("bar_chart", bar_geometry(items, width))


def trend_chart(
    weeks: tuple[str, ...], series: list[tuple[str, list[int]]], width: int = 760
) -> str:
    """Weekly shoppers per opportunity as an inline SVG line chart with a legend."""
    return _chart("trend_chart", trend_geometry(weeks, series, width))


def report_context(
    result: MiningResult,
    title: str = DEFAULT_TITLE,
    note: str = "",
    links: Any = None,
    clusters: list | None = None,
    concepts: Any = None,
) -> dict[str, Any]:
    """The variables of report.html (and of the pages that extend it). `links` (the web page's)
    has opportunity(o) and conversation(id) giving the drill-down addresses, and concept(change)
    a smallest change's concept test; None in the file. `clusters` (analysis.clusters) and
    `concepts` (an analysis.concept_view.ConceptReport) are shown when given."""
    from analysis.report_text import SAMPLE_NOTE, compared_text

    ranked = result.opportunities
    series = [(o.label, [n for _, n in o.weekly]) for o in ranked[:TREND_SERIES]]
    headline = result.headline
    return {
        "title": title,
        "result": result,
        "note": note,
        "links": links,
        "sample_note": SAMPLE_NOTE if result.sample else "",
        "measures": headline.measures() if headline else [],
        "ranked_lists": headline.lists() if headline else [],
        "compared": compared_text(result),
        "bars": bar_geometry([(o.label, o.score) for o in ranked[:BAR_CHART_ITEMS]]),
        "trend": trend_geometry(result.weeks, series),
        "trend_series": len(series),
        "exposure": [exposure_row(row, result.tolerance) for row in result.exposure],
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "clusters": clusters,
        "concepts": concepts,
        "concept_href": getattr(links, "concept", None),
    }


def render_report(
    result: MiningResult,
    title: str = DEFAULT_TITLE,
    note: str = "",
    clusters: list | None = None,
    concepts: Any = None,
) -> str:
    """The whole report as one HTML document (with the need clusters and a concept test when
    given)."""
    context = report_context(result, title, note, clusters=clusters, concepts=concepts)
    return TEMPLATES.get_template("report.html").render(context)
