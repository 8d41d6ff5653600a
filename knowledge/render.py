"""Plain-text forms of advice and comparisons, for the CLI and for text-only chat channels."""

from __future__ import annotations

import re

from knowledge.catalog import Catalog, Category
from knowledge.compare import Comparison
from knowledge.constraints import describe_wanted
from knowledge.gaps import might_fit_lines
from knowledge.matching import Advice, Match, NothingFits
from knowledge.needs import Constraint, NeedsProfile


def table(header: list[str], rows: list[list[str]]) -> str:
    """A fixed-width text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip(), line]
    out += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(out)


def need_phrase(category: Category, constraint: Constraint) -> str:
    """'budget up to $1,500', 'memory of at least 16 GB', 'at least 18 hours', 'Windows'."""
    spec = category.needs[constraint.need]
    attribute = category.attributes[spec.attribute]
    if spec.op == "max":
        return f"{spec.label} up to {attribute.format(constraint.value)}"
    if spec.op == "min":
        value = attribute.format(constraint.value)
        if attribute.unit and re.search(rf"\b{re.escape(attribute.unit)}\b", spec.label, re.I):
            return f"at least {value}"
        return f"{spec.label} of at least {value}"
    if spec.fixed:
        return spec.label
    return describe_wanted(category, constraint)


def describe_needs(catalog: Catalog, profile: NeedsProfile) -> str:
    """The hard needs: 'budget up to $1,500; memory of at least 16 GB; Windows; not Dell'."""
    category = catalog.category
    parts = [need_phrase(category, c) for c in profile.constraints]
    if profile.excluded_brands:
        parts.append("not " + ", ".join(profile.excluded_brands))
    return "; ".join(parts) or "no requirements yet"


def describe_priorities(catalog: Catalog, profile: NeedsProfile) -> str:
    """' Ranked by highest maximum towing, as you asked.', ' Ranked by what you said matters
    most: low price, cargo space (you mentioned a dog).' or ''."""
    text = ""
    if profile.sort_key:
        attribute, order = profile.sort_key
        label = catalog.category.attributes[attribute].label
        label = label if label[1:2].isupper() else label[:1].lower() + label[1:]  # keep 'EPA'
        text = f" Ranked by {order} {label}, as you asked."
    if not profile.priorities:
        return text
    labels = []
    for name in profile.priorities:
        label = catalog.category.priorities[name].label
        hint = profile.hint(name)
        labels.append(f"{label} (you mentioned {hint})" if hint else label)
    return text + f" Ranked by what you said matters most: {', '.join(labels)}."


def render_advice(catalog: Catalog, advice: Advice) -> str:
    """The matches with their reasons (or what fits nearest), then what might also fit but for
    a figure not on file."""
    text = render_matches(catalog, advice)
    lines = might_fit_lines(advice.might_fit, advice.might_fit_shown)
    return "\n".join([text, *lines])


def render_matches(catalog: Catalog, advice: Advice) -> str:
    if advice.nothing_fits:
        return render_nothing_fits(catalog, advice.nothing_fits)
    category = catalog.category
    count = advice.match_count
    noun = f"{count} {category.item} meets" if count == 1 else f"{count} {category.items} meet"
    lines = [
        f"{noun} your needs ({describe_needs(catalog, advice.profile)})."
        + describe_priorities(catalog, advice.profile)
        + f" Top {len(advice.matches)}:"
    ]
    for number, match in enumerate(advice.matches, 1):
        lines.append(f"{number}. {match.product.full_name}")
        lines += [f"   - {r.text}" for r in match.reasons]
    return "\n".join(lines)


def render_more(
    catalog: Catalog, profile: NeedsProfile, matches: list[Match], start: int, count: int
) -> str:
    """'More vehicles that meet your needs (...), 4-6 of 9:' and the numbered list."""
    items = catalog.category.items
    end = start + len(matches) - 1
    numbers = f"{start}" if end == start else f"{start}-{end}"
    lines = [
        f"More {items} that meet your needs ({describe_needs(catalog, profile)}), {numbers} of {count}:"
    ]
    for number, match in enumerate(matches, start):
        lines.append(f"{number}. {match.product.full_name}")
        lines += [f"   - {r.text}" for r in match.reasons]
    return "\n".join(lines)


def all_shown_text(catalog: Catalog, profile: NeedsProfile, count: int) -> str:
    category = catalog.category
    noun = category.item if count == 1 else category.items
    return (
        f"That's all: I've shown the {count} {noun} that meet your needs "
        f"({describe_needs(catalog, profile)}). Relax a need to see more."
    )


def render_nothing_fits(catalog: Catalog, result: NothingFits) -> str:
    category = catalog.category
    lines = [f"No {category.item} meets all of: {describe_needs(catalog, result.profile)}."]
    if result.nearest:
        lines.append("Nearest:")
        for miss in result.nearest:
            lines.append(f"- {miss.product.full_name}: " + "; ".join(f.text for f in miss.failures))
    useful = [r for r in result.relaxations if r.matches]
    if useful:
        lines.append(
            "Relaxing one need: "
            + "; ".join(f"without the {r.label} limit, {r.matches} would fit" for r in useful)
        )
    return "\n".join(lines)


def render_comparison(comparison: Comparison) -> str:
    names = [p.name for p in comparison.products]
    rows = []
    for row in comparison.rows:
        cells = [f"{v} *" if i in row.best else v for i, v in enumerate(row.values)]
        rows.append([row.label, *cells])
    lines = [table(["", *names], rows), "(* = better)"]
    for i, product in enumerate(comparison.products):
        lines.append(
            f"\n{product.full_name} (as of {product.as_of}; sources: {', '.join(product.sources)})"
        )
        cited: dict[str, list[str]] = {}
        for row in comparison.rows:
            found = row.sources[i] if i < len(row.sources) else None
            if found is not None and found.url not in product.sources:
                cited.setdefault(found.text(), []).append(row.label)
        lines += [f"  {', '.join(labels)}: {text}" for text, labels in cited.items()]
        lines += [f"  + {p}" for p in comparison.pros[i]]
        lines += [f"  - {c}" for c in comparison.cons[i]]
        for issue in comparison.issues[i]:
            source = f" [{issue.source}]" if issue.source else ""
            lines.append(f"  ! {issue.kind}: {issue.summary}{source}")
    return "\n".join(lines)
