"""The headline figures as a product manager reads them: each beside its value in the previous window
of the same length, with the change worded by kind (a count's "+12 (+8%)", a share's "+2.1 pts", a
duration's "-40 s"), and the ranked lists with each item's count before. The figures themselves
are counted by analysis.headline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.headline import REACHED, SESSION_GAP, WindowFigures, rounded


@dataclass(frozen=True)
class Measure:
    """One headline figure and its value in the previous window of the same length."""

    key: str
    label: str
    kind: str  # count, share, ratio, duration, rating
    value: float | None
    previous: float | None = None
    has_previous: bool = False
    note: str = ""  # what the figure counts, or why it has no value

    @property
    def text(self) -> str:
        return format_value(self.kind, self.value)

    @property
    def change(self) -> str:
        """'+12 (+8%)', '+2.1 pts', '-40 s', or why there is no change to show."""
        if not self.has_previous:
            return "no earlier window"
        if self.value is None or self.previous is None:
            return "no data then" if self.previous is None else "n/a"
        delta = self.value - self.previous
        if self.kind == "count":
            if not self.previous:
                return f"{delta:+,.0f} (none before)"
            return f"{delta:+,.0f} ({delta / self.previous:+.0%})"
        if self.kind == "share":
            return f"{delta * 100:+.1f} pts"
        if self.kind == "duration":
            sign = "-" if delta < 0 else "+"
            return sign + duration(abs(delta))
        return f"{delta:+.2f}" if self.kind == "rating" else f"{delta:+.1f}"

    @property
    def direction(self) -> str:
        """up, down or same: for the page's arrows (whether up is good depends on the figure)."""
        if not self.has_previous or self.value is None or self.previous is None:
            return "none"
        return (
            "up" if self.value > self.previous else "down" if self.value < self.previous else "same"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": rounded(self.value),
            "text": self.text,
            "previous": rounded(self.previous),
            "change": self.change,
            "note": self.note,
        }


def duration(seconds: float) -> str:
    """'45 s', '3 min 20 s', '2 h 5 min', '3 d 4 h'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def format_value(kind: str, value: float | None) -> str:
    if value is None:
        return "no data"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "duration":
        return duration(value)
    if kind == "rating":
        return f"{value:.2f} / 5"
    return f"{value:.1f}"


@dataclass(frozen=True)
class Headline:
    current: WindowFigures
    previous: WindowFigures | None = None  # None: the window has no start, so no earlier one

    def measures(self) -> list[Measure]:
        c, p = self.current, self.previous
        rows: list[tuple[str, str, str, Any]] = [
            ("conversations", "Conversations", "count", lambda f: f.conversations),
            ("shoppers", "Shoppers", "count", lambda f: f.shoppers),
            ("turns_per_conversation", "Messages per conversation", "ratio",
             lambda f: f.turns_per_conversation),
            *[(f"reached_{k}", label, "share", lambda f, k=k: f.share(k))
              for k, label in REACHED.items()],
            ("not_understood", "Messages not understood", "share",
             lambda f: f.not_understood_rate),
            ("handoff_wait", "Median wait for a person", "duration", lambda f: f.median_wait),
            ("resolution", "Median time to resolve a handoff", "duration",
             lambda f: f.median_resolution),
            ("satisfaction", "Satisfaction (mean rating)", "rating", lambda f: f.mean_rating),
        ]  # fmt: skip
        notes = {
            **{f"reached_{k}": f"{c.reached.get(k, 0):,} of the conversations" for k in REACHED},
            "not_understood": f"{c.not_understood:,} of {c.shopper_turns:,} shopper messages",
            "turns_per_conversation": "shopper messages",
            "conversations": f"a pause over {SESSION_GAP // 3600} h starts a new one",
            "shoppers": "distinct sender ids: one per browser",
            "handoff_wait": f"{c.handoffs} handoffs",
            "resolution": f"{c.handoffs} handoffs",
            "satisfaction": (
                f"{c.ratings} ratings, {c.satisfied:.0%} gave 4 or 5"
                if c.ratings and c.satisfied is not None
                else "no ratings yet: shoppers are asked after a support conversation closes"
            ),
        }
        return [
            Measure(key, label, kind, get(c), get(p) if p else None, p is not None,
                    notes.get(key, ""))
            for key, label, kind, get in rows
        ]  # fmt: skip

    def lists(self) -> list[dict[str, Any]]:
        """The ranked lists, each item with its count now and in the previous window."""
        c, p = self.current, self.previous

        def rows(now, key, extra=None):
            earlier = p.counts.get(key, {}) if p is not None else None
            return [
                {
                    "name": name,
                    "count": n,
                    "previous": None if earlier is None else earlier.get(name, 0),
                    "detail": extra(rest) if extra else "",
                }
                for name, n, *rest in now
            ]

        return [
            {
                "key": "models",
                "label": "Most asked-about models",
                "unit": "conversations",
                "rows": rows(c.models, "models"),
            },
            {
                "key": "brands",
                "label": "Most asked-about brands",
                "unit": "conversations",
                "rows": rows(c.brands, "brands"),
            },
            {
                "key": "missing_models",
                "label": "Models asked for that the catalog lacks",
                "unit": "conversations",
                "rows": rows(c.missing_models, "missing_models"),
            },
            {
                "key": "blocked",
                "label": "Missing catalog figures that blocked the most matches",
                "unit": "products kept out",
                "rows": rows(
                    c.blocked,
                    "blocked",
                    lambda rest: f"in {rest[0]} conversations",
                ),
            },
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "figures": [m.to_dict() for m in self.measures()],
            "lists": self.lists(),
            "current": self.current.to_dict(),
            "previous": self.previous.to_dict() if self.previous else None,
        }
