"""The catalog-driven part of the Rasa domain, generated from `category.yml`: one entity and one slot
per need, and the help texts that quote the category's own words. (The interview's questions are
asked by the actions straight from the catalog, one at a time, whichever splits the matches most:
knowledge/interview.py.)

The hand-written part of the domain (intents, actions, the other slots and responses) is
`bot/domain/core.yml`; Rasa reads a folder of domain files as one domain. For the default catalog
the generated part is committed as `bot/domain/needs.yml` (a test keeps it current); for another
catalog `write_domain` makes a complete folder to train with. `advisor kb domain` runs either.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Category

CODE_ROOT = Path(__file__).resolve().parent.parent
GENERATED_FILE = "needs.yml"
# Intents in which a stated quantity or value describes the product asked about, not a need.
NOT_NEED_INTENTS = (
    "ask_fact",
    "ask_known_issues",
    "ask_cost_to_own",
    "compare",
    "ask_rules",
    "out_of_scope",
    "ask_human",
)
PROFILE_SLOTS = ("priorities", "excluded_brands")  # kept by the actions beside the need slots


def need_slots(category: Category) -> tuple[str, ...]:
    """The slots that hold the shopper's needs: one per declared need, named as the need."""
    return tuple(category.needs)


def profile_slots(category: Category) -> tuple[str, ...]:
    """Every slot of the needs profile: the need slots, the priorities and the excluded brands."""
    return (*need_slots(category), *PROFILE_SLOTS)


def _slot(need: str) -> dict[str, Any]:
    mappings = [{"type": "from_entity", "entity": need, "not_intent": list(NOT_NEED_INTENTS)}]
    return {"type": "any", "influence_conversation": False, "mappings": mappings}


def help_responses(category: Category) -> dict[str, list[dict[str, Any]]]:
    """The fallback hint, the out-of-scope answer and 'which models?', in the category's words."""
    examples = category.phrases
    offers = "recommendations, comparisons, prices, known problems"
    offers += " and cost to own" if category.ownership else ""
    hints = []
    if examples.needs:
        hints.append(f'tell me what you need ("{examples.needs}")')
    if examples.compare:
        hints.append(f'compare models ("{examples.compare}")')
    if examples.about:
        hints.append(f'ask about one ("{examples.about}")')
    hint = ", ".join(hints[:-1]) + (" or " if len(hints) > 1 else "") + hints[-1] if hints else ""
    default = "Sorry, I didn't understand that." + (f" You can {hint}." if hint else "")
    which = "Which models would you like me to compare? Name two or three"
    which += f', e.g. "{examples.compare}".' if examples.compare else "."
    return {
        "utter_default": [{"text": default}],
        "utter_out_of_scope": [
            {
                "text": f"I can only help with choosing a {category.item}: {offers}. "
                "What are you looking for?"
            }
        ],
        "utter_ask_which_products": [{"text": which}],
    }


def domain_part(category: Category) -> dict[str, Any]:
    """The generated domain part as data."""
    return {
        "version": "3.1",
        "entities": list(need_slots(category)),
        "slots": {need: _slot(need) for need in need_slots(category)},
        "responses": help_responses(category),
    }


def catalog_label(path: Path) -> str:
    """How a generated domain names its catalog: relative to the code when it is part of it."""
    resolved = Path(path).resolve()
    return (
        str(resolved.relative_to(CODE_ROOT))
        if resolved.is_relative_to(CODE_ROOT)
        else str(resolved)
    )


def domain_text(category: Category, source: str) -> str:
    """The generated domain file: a header naming its source, then the YAML."""
    header = (
        f"# Generated from {source} by `advisor kb domain`.\n"
        "# Do not edit: change the catalog's needs and examples and run the command again.\n"
        "# The hand-written part of the domain is core.yml.\n"
    )
    body = yaml.safe_dump(
        domain_part(category),
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=None,
    )
    return header + body


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds it; whether it wrote."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def write_domain(folder: Path, hand_written: Path, text: str) -> Path:
    """A complete domain folder: the hand-written files of `hand_written` and the generated part."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(hand_written.glob("*.yml")):
        if source.name != GENERATED_FILE:
            target = folder / source.name
            if not target.is_file() or target.read_bytes() != source.read_bytes():
                shutil.copyfile(source, target)
    write_if_changed(folder / GENERATED_FILE, text)
    return folder


def read_domain(folder: Path) -> dict[str, Any]:
    """The domain files of `folder` merged as Rasa merges them (lists joined, mappings united);
    enough for checks that read intents, forms and responses without loading Rasa."""
    merged: dict[str, Any] = {}
    for file in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, list):
                merged[key] = [*merged.get(key, []), *value]
            elif isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged.setdefault(key, value)
    return merged
