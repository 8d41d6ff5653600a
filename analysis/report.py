"""A self-contained HTML report of a MiningResult, for product managers.

One file, no external assets: inline CSS and inline SVG charts (a bar chart of the top
opportunities by score and a weekly trend of the top few), the ranked opportunities with their
quotes and nearest products, and the brand exposure audit. Every piece of text that comes from the
log or the catalog is HTML-escaped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from analysis.exposure import exposure_row
from analysis.opportunities import MiningResult, Opportunity

BAR_CHART_ITEMS = 10
TREND_SERIES = 5
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border-bottom: 1px solid #eee; padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.num { text-align: right; white-space: nowrap; }
.kind { font-size: .75rem; padding: .1rem .4rem; border-radius: .6rem; background: #eef; }
.kind.feature { background: #efe; } .muted { color: #666; font-size: .85rem; }
blockquote { margin: .2rem 0; padding-left: .6rem; border-left: 3px solid #ccc; color: #444; }
ul { margin: 0; padding-left: 1.1rem; } .formula { background: #f9f9f4; padding: .6rem; }
.over-exposed { color: #b00; font-weight: bold; } .under-exposed { color: #a60; font-weight: bold; }
svg text { font-size: 12px; fill: #333; }
"""


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(items: list[tuple[str, float]], width: int = 760) -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per (label, value)."""
    if not items:
        return '<p class="muted">No opportunities to chart.</p>'
    label_width, bar_height, gap = 300, 22, 8
    height = len(items) * (bar_height + gap) + gap
    top = max(value for _, value in items) or 1
    scale = (width - label_width - 70) / top
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Top opportunities by score">',
        "<title>Top opportunities by score</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        length = max(1.0, value * scale)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{esc(_short(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{COLOURS[0]}"><title>{esc(label)}: {value:.2f}</title></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{value:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(
    weeks: tuple[str, ...], series: list[tuple[str, list[int]]], width: int = 760
) -> str:
    """Weekly shoppers per opportunity as an inline SVG line chart with a legend."""
    if not weeks or not series:
        return '<p class="muted">No weekly data to chart.</p>'
    left, right, top, plot_height = 40, 20, 10, 220
    legend_height = 18 * len(series) + 10
    height = top + plot_height + 40 + legend_height
    highest = max((max(counts) for _, counts in series if counts), default=0) or 1
    step = (width - left - right) / max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + i * step if len(weeks) > 1 else left + (width - left - right) / 2

    def y(value: int) -> float:
        return top + plot_height - value / highest * plot_height

    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Weekly shoppers">',
        "<title>Weekly shoppers of the top opportunities</title>",
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - right}" '
        f'y2="{top + plot_height}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{highest}</text>',
        f'<text x="{left - 6}" y="{top + plot_height}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(weeks) // 8)
    for i, week in enumerate(weeks):
        if i % label_every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_height + 16}" text-anchor="middle">'
                f"{esc(week)}</text>"
            )
    for n, (label, counts) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(counts))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{esc(label)}</title></polyline>"
        )
        legend_y = top + plot_height + 34 + n * 18
        parts.append(
            f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{legend_y}">{esc(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


NOT_APPLICABLE = '<span class="muted">n/a</span>'


def _opportunity_row(o: Opportunity) -> str:
    nearest = "".join(
        f"<li>{esc(n['name'])}: {esc('; '.join(n['misses']))}</li>" for n in o.nearest
    )
    quotes = "".join(f"<blockquote>{esc(q)}</blockquote>" for q in o.quotes)
    return (
        f'<tr><td class="num">{o.rank}</td>'
        f'<td><span class="kind {esc(o.kind)}">{esc(o.kind)}</span> <strong>{esc(o.label)}</strong></td>'
        f'<td class="num">{o.score:.2f}<div class="muted">{esc(o.explanation)}</div></td>'
        f'<td class="num">{o.shoppers}</td><td class="num">{o.share:.1%}</td>'
        f'<td class="num">{_date(o.first_seen)}<br>{_date(o.last_seen)}</td>'
        f"<td>{f'<ul>{nearest}</ul>' if nearest else NOT_APPLICABLE}</td>"
        f"<td>{quotes}</td></tr>"
    )


def _exposure_table(result: MiningResult) -> str:
    if not result.exposure:
        return '<p class="muted">No recommendations were logged in this window.</p>'
    rows = []
    for row in result.exposure:
        data = exposure_row(row, result.tolerance)
        rows.append(
            f"<tr><td>{esc(data['brand'])}</td><td class='num'>{data['shown']}</td>"
            f"<td class='num'>{data['shown_share']:.1%}</td>"
            f"<td class='num'>{data['eligible_share']:.1%}</td>"
            f"<td class='num'>{data['gap']:+.1%}</td>"
            f"<td class='{esc(data['flag'])}'>{esc(data['flag'])}</td></tr>"
        )
    return (
        "<table><tr><th>brand</th><th>shown</th><th>share shown</th><th>share of merit</th>"
        "<th>difference</th><th>flag</th></tr>" + "".join(rows) + "</table>"
    )


def render_report(result: MiningResult, title: str = "What shoppers could not get") -> str:
    """The whole report as one HTML document."""
    ranked = result.opportunities
    bars = [(o.label, o.score) for o in ranked[:BAR_CHART_ITEMS]]
    series = [(o.label, [n for _, n in o.weekly]) for o in ranked[:TREND_SERIES]]
    rows = "".join(_opportunity_row(o) for o in ranked)
    table = (
        "<table><tr><th>#</th><th>opportunity</th><th>score</th><th>shoppers</th><th>share</th>"
        "<th>first / last seen</th><th>nearest products and what each misses</th>"
        f"<th>what shoppers said</th></tr>{rows}</table>"
        if ranked
        else f'<p class="muted">No opportunity had {result.min_shoppers} or more shoppers.</p>'
    )
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title><style>{CSS}</style></head>
<body>
<h1>{esc(title)}</h1>
<p class="muted">{esc(result.window)}: {result.shoppers:,} shoppers, {result.turns:,} turns;
{result.unmet_shoppers:,} shoppers stated needs no product meets. Opportunities with at least
{result.min_shoppers} shoppers. Generated {esc(generated)}.</p>
<p class="formula"><strong>How opportunities are ranked.</strong> {esc(result.formula)}</p>
<h2>Top opportunities by score</h2>
{bar_chart(bars)}
<h2>Weekly trend</h2>
<p class="muted">Distinct shoppers per ISO week (UTC) for the top {len(series)} opportunities.</p>
{trend_chart(result.weeks, series)}
<h2>Ranked opportunities</h2>
{table}
<h2>Brand exposure audit</h2>
<p class="muted">Per brand: share of the recommendations shown vs share of the products that met the
needs shoppers stated (merit). Flagged when the two differ by more than
{result.tolerance:.0%} of all slots.</p>
{_exposure_table(result)}
</body></html>
"""
