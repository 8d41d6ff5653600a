"""A MiningResult as text (`advisor needs`) and as CSV (`advisor needs --csv`, /insights.csv)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from analysis.opportunities import MiningResult

CSV_COLUMNS = (
    "rank kind opportunity score score_explained shoppers share gap first_seen last_seen "
    "nearest quotes weekly conversations"
).split()
SAMPLE_NOTE = (
    "SAMPLE DATA: simulated conversations (advisor simulate), not real shoppers. "
    "The real log is never mixed with it."
)


def day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def window_text(since: float | None, until: float | None) -> str:
    """A window given as [since, until) in days: '2026-02-02 to 2026-03-01'."""
    start = day(since) if since is not None else "the first turn"
    end = day(until - 86400) if until is not None else "now"
    return f"{start} to {end}"


def compared_text(result: MiningResult) -> str:
    headline = result.headline
    if headline is None or headline.previous is None:
        return "no earlier window to compare with (give a start date to compare)"
    previous = headline.previous
    return f"beside the window before, {window_text(previous.since, previous.until)}"


def headline_lines(result: MiningResult) -> list[str]:
    headline = result.headline
    if headline is None:
        return []
    lines = [f"Headline figures ({compared_text(result)}):"]
    for measure in headline.measures():
        note = f"  ({measure.note})" if measure.note else ""
        lines.append(f"  {measure.label:<36} {measure.text:>14}   {measure.change:<18}{note}")
    for ranked in headline.lists():
        items = [
            f"{row['name']} ({row['count']:,}"
            + (f", was {row['previous']:,}" if row["previous"] is not None else "")
            + (f", {row['detail']}" if row.get("detail") else "")
            + ")"
            for row in ranked["rows"]
        ]
        lines.append(f"  {ranked['label']} ({ranked['unit']}): " + ("; ".join(items) or "none"))
    return lines


def render_table(result: MiningResult, top: int) -> str:
    """The headline, the ranked opportunities with the formula, and the exposure flags explained."""
    lines = [SAMPLE_NOTE, ""] if result.sample else []
    lines += headline_lines(result)
    for note in (result.traffic_text, result.kept_out_text, result.grouping_text):
        if note:
            lines.append(note)
    lines += [
        "",
        f"Unmet needs and feature requests, {result.window}: {result.shoppers:,} shoppers, "
        f"{result.turns:,} turns, {result.unmet_shoppers:,} with needs no product meets.",
        result.formula,
        result.min_shoppers_text,
        "",
    ]
    if not result.opportunities:
        lines.append(f"No opportunity had {result.min_shoppers} or more shoppers.")
    else:
        lines.append(f"{'#':>3} {'score':>8} {'shoppers':>8} {'share':>6}  {'kind':<7} opportunity")
    for o in result.opportunities[:top]:
        lines.append(
            f"{o.rank:>3} {o.score:>8.2f} {o.shoppers:>8} {o.share:>6.1%}  {o.kind:<7} {o.label}"
        )
        lines.append(f"{'':>14}{o.explanation}; seen {day(o.first_seen)} to {day(o.last_seen)}")
        for near in o.nearest[:2]:
            lines.append(f"{'':>14}nearest: {near['name']} ({'; '.join(near['misses'])})")
        if o.quotes:
            lines.append(f'{"":>14}"{o.quotes[0]}"')
        if o.conversations:
            shown = ", ".join(o.conversations[:3])
            more = len(o.conversations) - 3
            lines.append(
                f"{'':>14}conversations: {shown}" + (f" and {more} more" if more > 0 else "")
                + " (advisor log show ID)"
            )  # fmt: skip
    hidden = len(result.opportunities) - top
    if hidden > 0:
        lines.append(f"... and {hidden} more (--top, --json or --csv for all)")
    flagged = [r for r in result.exposure if r.flag(result.tolerance) != "fair"]
    lines.append("")
    lines.append(
        f"Brand exposure (tolerance {result.tolerance:.0%}): "
        + (
            ", ".join(
                f"{r.brand} {r.flag(result.tolerance)} ({r.shown_share:.0%} shown vs "
                f"{r.eligible_share:.0%} of merit)"
                for r in flagged
            )
            or "no brand flagged"
        )
    )
    lines.append(missing_figures_line(result.exposure))
    for note in result.exposure_notes:
        lines += [f"  {sentence}" for sentence in note.sentences()]
    return "\n".join(lines)


def missing_figures_line(rows) -> str:
    """'Under-exposure from missing figures (`advisor exposure` for the table): Buick 6 of 6
    points (msrp_usd), …' or that there is none."""
    owed = sorted(
        (r for r in rows if round(r.from_missing_figures, 3) > 0),
        key=lambda r: (-r.from_missing_figures, r.brand),
    )
    if not owed:
        return "Under-exposure from missing figures: none."
    parts = [
        f"{r.brand} {r.from_missing_figures * 100:.1f} of {r.under_exposure * 100:.1f} points"
        + (f" (missing {', '.join(a for a, _ in r.missing[:2])})" if r.missing else "")
        for r in owed
    ]
    return (
        "Under-exposure from missing figures (share of what might fit minus share of merit; "
        "`advisor exposure` for the table): " + ", ".join(parts)
    )


def render_csv(result: MiningResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for o in result.opportunities:
        row = o.to_dict()
        writer.writerow(
            {
                **{k: row[k] for k in CSV_COLUMNS if k in row},
                "nearest": " | ".join(f"{n['name']}: {'; '.join(n['misses'])}" for n in o.nearest),
                "quotes": " | ".join(o.quotes),
                "weekly": " ".join(f"{w}:{n}" for w, n in o.weekly),
                "conversations": " ".join(o.conversations),
            }
        )
    return out.getvalue()
