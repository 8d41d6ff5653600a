"""What the advisor says about real products it has no data on: 'I don't have data on the <model>',
the catalog's like-named products as what they are, and the most similar products, by the shopper's
needs when any are stated, else by the body and powertrain (the attribute values) the name implies,
nearest size class first. The names are recognised by knowledge/other_models.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.catalog import Catalog, Product
from knowledge.matching import Advice, recommend
from knowledge.needs import Constraint, NeedsProfile
from knowledge.other_models import Mention, Namesake, name_index, namesakes


def implied_profile(catalog: Catalog, mention: Mention) -> NeedsProfile:
    """The needs the unknown model's name implies (its body type and powertrains), as the
    category's needs on those attributes."""
    if mention.model is None:
        return NeedsProfile()
    category = catalog.category
    constraints = []
    for attribute, values in mention.model.implies.items():
        declared = category.attributes.get(attribute)
        need = next(
            (
                n
                for n, s in category.needs.items()
                if s.attribute == attribute and s.op in ("in", "has_any") and not s.fixed
            ),
            None,
        )
        kept = tuple(v for v in values if declared and v in declared.values)
        if need and kept:
            constraints.append(Constraint(need, kept))
    return NeedsProfile(tuple(constraints))


def similar(
    catalog: Catalog, mention: Mention, profile: NeedsProfile, top: int = 3
) -> tuple[Advice | None, NeedsProfile, str]:
    """The products most like the unknown one: by the shopper's needs when any are stated
    ('needs'), else by what its name implies ('name'), nearest size class first; each implied need
    dropped in turn (last first) when nothing meets them all. (None, ..) when nothing does."""
    if profile.constraints:
        advice = recommend(catalog, profile, top=top)
        return (None if advice.nothing_fits else advice), profile, "needs"
    implied = implied_profile(catalog, mention)
    implied = NeedsProfile(implied.constraints, profile.priorities, profile.excluded_brands)
    index = name_index(catalog)
    while True:
        advice = recommend(catalog, implied, top=len(catalog.products))
        if not advice.nothing_fits or not implied.constraints:
            break
        implied = implied.without(implied.constraints[-1].need)
    if advice.nothing_fits or not advice.matches:
        return None, implied, "name"
    size = mention.model.size if mention.model else None
    if size is not None:

        def distance(match) -> int:
            entry = index.entry_for(match.product)
            return abs(entry.size - size) if entry and entry.size is not None else 99

        ordered = sorted(advice.matches, key=distance)
    else:
        ordered = list(advice.matches)
    shown = tuple(ordered[:top])
    return Advice(implied, shown, advice.match_count, ranked=advice.ranked), implied, "name"


def no_data_text(catalog: Catalog, mention: Mention) -> str:
    """'I don't have data on the Ford Bronco. I have the Ford Bronco Sport, a different model.'"""
    if mention.model is None:
        return f"I don't have data on {mention.brand} {catalog.category.items}."
    alike = namesakes(catalog, mention)
    text = f"I don't have data on the {mention.name}."
    return f"{text} {namesake_text(mention, alike)}" if alike else text


def namesake_text(mention: Mention, found: list[Namesake]) -> str:
    """'I have the Ford Bronco Sport, a different model.'"""
    parts = []
    model = mention.model.model if mention.model else mention.name
    for namesake in found:
        name = namesake.product.name
        if namesake.version_of:
            parts.append(
                f"I have the {name}, the {namesake.version_of} version of the {model}, but no "
                "data on its other versions."
            )
        else:
            size = f", {namesake.size}" if namesake.size else ""
            parts.append(f"I have the {name}, a different{size} model.")
    return " ".join(parts)


@dataclass(frozen=True)
class UnknownAnswer:
    """What the advisor says about products it has no data on."""

    text: str  # "I don't have data on the Ford Bronco. I have the Ford Bronco Sport, ..."
    namesakes: tuple[Product, ...]
    basis: str  # 'needs': the caller recommends for the stated needs; 'name': `similar` below
    similar: Advice | None = None
    implied: NeedsProfile = field(default_factory=NeedsProfile)
    mention: Mention | None = None

    @property
    def shown(self) -> list[str]:
        """The products the answer names, in the order of its numbered list ('the first one'),
        then the namesakes."""
        ids = [m.product.id for m in (self.similar.matches if self.similar else ())]
        ids += [p.id for p in self.namesakes]
        return list(dict.fromkeys(ids))


def unknown_answer(
    catalog: Catalog, mentions: list[Mention], profile: NeedsProfile, top: int = 3
) -> UnknownAnswer:
    """'I don't have data on the <model>', the catalog's products with a like name as what they
    are, and the most similar products (for the first model named)."""
    lines, found = [], []
    for mention in mentions:
        lines.append(no_data_text(catalog, mention))
        alike = namesakes(catalog, mention)
        found += [n.product for n in alike]
    first = next((m for m in mentions if m.model is not None), None)
    text = " ".join(lines)
    if profile.constraints or first is None:
        if first is None and not profile.constraints:
            text += f" I have data on these brands: {', '.join(catalog.brands)}."
        return UnknownAnswer(text, tuple(dict.fromkeys(found)), "needs", mention=first)
    advice, implied, basis = similar(catalog, first, profile, top)
    return UnknownAnswer(text, tuple(dict.fromkeys(found)), basis, advice, implied, mention=first)


def similar_text(catalog: Catalog, answer: UnknownAnswer) -> str:
    """The similar products as text: 'The vehicles most like the Ford Bronco that I have data on
    (SUV; gas): 1. ...', each with where it stands on what the ranking weighs."""
    from knowledge.render import describe_needs

    if answer.similar is None or answer.mention is None:
        return ""
    items = catalog.category.items
    implied = describe_needs(catalog, answer.implied)
    lines = [f"The {items} most like the {answer.mention.name} that I have data on ({implied}):"]
    for number, match in enumerate(answer.similar.matches, 1):
        lines.append(f"{number}. {match.product.full_name}")
        lines += [f"   - {r.text}" for r in match.reasons if r.kind == "priority"]
    return "\n".join(lines)
