"""What a shopper's message means, measured: `advisor nlu-eval --needs`.

Each message of the held-out needs set (tests/nlu/needs_heldout.yml, format described at its top)
goes through the code the running bot uses: the trained model's NLU and Rasa's own slot mappings
(`action_extract_slots`, run by Rasa's message processor on a tracker that holds the earlier turns'
needs), then the action server's reading of the slots (`actions.session.needs_profile`). The needs,
priorities, order, excluded brands, named products and spelling questions that come out are compared
with the labels; the share parsed exactly is reported per phenomenon and per catalog, and the gate
fails below `threshold` of all messages.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import NeedsError
from knowledge.needs import NeedsProfile, build_profile

ROOT = Path(__file__).resolve().parent.parent
NEEDS_HELDOUT = ROOT / "tests" / "nlu" / "needs_heldout.yml"
NEEDS_THRESHOLD = 0.95
MIN_PER_PHENOMENON = 15
ITEM_KEYS = {
    "text", "phenomenon", "catalog", "before", "needs", "priorities", "sort", "excluded_brands",
    "products", "asks", "source",
}  # fmt: skip
STATE_KEYS = {"needs", "priorities", "sort", "excluded_brands"}
DEFAULT_CATALOG_NAME = "vehicles"
SENDER = "needs-eval"


@dataclass(frozen=True)
class Item:
    """One labelled message."""

    number: int  # 1-based position in the file, for messages
    text: str
    phenomenon: str
    catalog: str
    before: dict[str, Any]
    expected: dict[str, Any]  # the normalised expectation (see `normalised`)
    source: str = ""


@dataclass
class Outcome:
    item: Item
    got: dict[str, Any]

    @property
    def exact(self) -> bool:
        return all(self.got.get(k) == v for k, v in self.item.expected.items())

    def differences(self) -> list[str]:
        return [
            f"{key}: expected {value!r}, got {self.got.get(key)!r}"
            for key, value in self.item.expected.items()
            if self.got.get(key) != value
        ]


@dataclass
class NeedsEvalResult:
    outcomes: list[Outcome]
    threshold: float
    models: dict[str, Path] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return sum(o.exact for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and self.accuracy >= self.threshold

    def by(self, key) -> dict[str, tuple[int, int]]:
        """group -> (exact, total)."""
        groups: dict[str, tuple[int, int]] = {}
        for outcome in self.outcomes:
            name = key(outcome.item)
            exact, total = groups.get(name, (0, 0))
            groups[name] = (exact + outcome.exact, total + 1)
        return groups

    def table(self, failures: bool = True) -> str:
        exact = sum(o.exact for o in self.outcomes)
        lines = [
            f"Needs held-out evaluation: {len(self.outcomes)} messages, {exact} parsed exactly "
            f"({self.accuracy:.1%}; gate {self.threshold:.0%})",
            f"  {'phenomenon':<14}{'exact':>7}{'total':>7}{'share':>8}",
        ]
        for name, (good, total) in sorted(self.by(lambda i: i.phenomenon).items()):
            lines.append(f"  {name:<14}{good:>7}{total:>7}{good / total:>8.0%}")
        for name, (good, total) in sorted(self.by(lambda i: i.catalog).items()):
            lines.append(f"  catalog {name:<6}{good:>7}{total:>7}{good / total:>8.0%}")
        missed = [o for o in self.outcomes if not o.exact]
        if failures and missed:
            lines.append("  not parsed exactly:")
            for outcome in missed:
                item = outcome.item
                lines.append(f"    #{item.number} [{item.phenomenon}] {item.text!r}")
                lines += [f"        {d}" for d in outcome.differences()]
        lines.append("PASS" if self.passed else "FAIL")
        return "\n".join(lines)


def _catalog(name: str, catalogs: dict[str, str]) -> Path:
    return (ROOT / catalogs[name]).resolve()


def normalised(
    category, state: dict[str, Any], where: str, checked: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The comparable form of a labelled state: needs through the category's own checks (so
    'yes' for a yes/no need and synonyms compare equal), sets for unordered lists."""
    try:
        profile = build_profile(category, state.get("needs") or {}, state.get("priorities") or [])
    except NeedsError as error:
        raise ValueError(f"{where}: {error}") from error
    out = {
        "needs": needs_of(profile),
        "priorities": sorted(profile.priorities),
        "sort": state.get("sort") or None,
        "excluded_brands": sorted(state.get("excluded_brands") or []),
    }
    for key in checked:
        out[key] = sorted(state.get(key) or [])
    return out


def needs_of(profile: NeedsProfile) -> dict[str, Any]:
    return {
        c.need: sorted(c.value) if isinstance(c.value, tuple) else c.value
        for c in profile.constraints
    }


def load_items(path: Path = NEEDS_HELDOUT) -> tuple[list[Item], dict[str, str]]:
    """The labelled messages; a ValueError names the file, item and field of any problem."""
    from knowledge.loader import load

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    catalogs = data.get("catalogs") or {}
    phenomena = data.get("phenomena") or {}
    if DEFAULT_CATALOG_NAME not in catalogs:
        raise ValueError(f"{path}: 'catalogs' must name the {DEFAULT_CATALOG_NAME!r} catalog")
    categories = {name: load(_catalog(name, catalogs)).category for name in catalogs}
    items = []
    for number, row in enumerate(data.get("items") or [], 1):
        where = f"{Path(path).name}: item {number}"
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ValueError(f"{where}: expected a mapping with a 'text'")
        where += f" ({row['text']!r})"
        unknown = set(row) - ITEM_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        if row.get("phenomenon") not in phenomena:
            raise ValueError(f"{where}: field 'phenomenon' must be one of {', '.join(phenomena)}")
        catalog = row.get("catalog") or DEFAULT_CATALOG_NAME
        if catalog not in catalogs:
            raise ValueError(f"{where}: field 'catalog' must be one of {', '.join(catalogs)}")
        if "needs" not in row:
            raise ValueError(f"{where}: field 'needs' is required (write {{}} for none)")
        before = row.get("before") or {}
        if set(before) - STATE_KEYS:
            raise ValueError(f"{where}: field 'before' takes only {', '.join(sorted(STATE_KEYS))}")
        category = categories[catalog]
        normalised(category, before, f"{where}, field 'before'")
        checked = tuple(k for k in ("products", "asks") if k in row)
        expected = normalised(category, row, where, checked)
        if "asks" not in row:
            expected["asks"] = []  # nothing may be asked unless labelled
        items.append(
            Item(number, row["text"], row["phenomenon"], catalog, before, expected,
                 str(row.get("source") or ""))
        )  # fmt: skip
    return items, catalogs


def set_problems(path: Path = NEEDS_HELDOUT) -> list[str]:
    """Why the set would not be a fair test: copied from training data, too few per phenomenon."""
    from ops.nlu_eval import NLU_DATA, _examples, _normal

    items, _ = load_items(path)
    seen = {_normal(t) for texts in _examples(NLU_DATA).values() for t in texts}
    problems = [
        f"item {i.number}: {i.text!r} is also in {NLU_DATA.name}"
        for i in items
        if _normal(i.text) in seen
    ]
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for phenomenon in data.get("phenomena") or {}:
        count = sum(1 for i in items if i.phenomenon == phenomenon)
        if count < MIN_PER_PHENOMENON:
            problems.append(f"{phenomenon}: {count} messages, need at least {MIN_PER_PHENOMENON}")
    return problems


@contextmanager
def catalog_in_force(name: str, catalogs: dict[str, str]) -> Iterator[None]:
    """$ADVISOR_CATALOG (and, for a catalog other than the default, its own model folder, as
    tests/e2e/test_second_category.py keeps it) set for the duration."""
    from knowledge.loader import DEFAULT_CATALOG

    saved = {k: os.environ.get(k) for k in ("ADVISOR_CATALOG", "ADVISOR_MODEL_DIR")}
    path = _catalog(name, catalogs)
    try:
        if path != Path(DEFAULT_CATALOG).resolve():
            os.environ["ADVISOR_CATALOG"] = str(path)
            base = Path(saved["ADVISOR_MODEL_DIR"] or ROOT / "models")
            os.environ["ADVISOR_MODEL_DIR"] = str(base / name)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class BotParser:
    """A trained model loaded in this process, parsing messages the way the running bot does."""

    def __init__(self, model: Path):
        import logging

        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # Rasa's per-message debug lines, not the figures
        self.agent = Agent.load(str(model))
        self._count = 0

    async def parse(self, text: str, before: list[dict[str, Any]]):
        """The rasa-sdk Tracker the action server would receive after `text`, the earlier turns
        having left the slot events `before`."""
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
        from rasa.shared.core.trackers import EventVerbosity
        from rasa_sdk import Tracker

        processor = self.agent.processor
        self._count += 1
        sender = f"{SENDER}-{self._count}"
        tracker = await processor.get_tracker(sender)
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        for event in before:
            tracker.update(SlotSet(event["name"], event["value"]), processor.domain)
        await processor.save_tracker(tracker)
        channel = CollectingOutputChannel()
        message = UserMessage(text, channel, sender)
        tracker = await processor.log_message(message, should_save_tracker=False)
        tracker = await processor.run_action_extract_slots(channel, tracker)
        return Tracker.from_dict(tracker.current_state(EventVerbosity.AFTER_RESTART))


def understood(tracker) -> dict[str, Any]:
    """What the action server makes of the latest message: the needs profile (with its order, if
    any), the products it names and what it would ask about."""
    from actions.session import entities, needs_profile

    profile = needs_profile(tracker)
    stored = profile.to_dict()
    asked = [
        e["value"].get("id") if isinstance(e.get("value"), dict) else e.get("value")
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == "suggestion"
    ]
    return {
        "needs": needs_of(profile),
        "priorities": sorted(profile.priorities),
        "sort": stored.get("sort") or None,
        "excluded_brands": sorted(profile.excluded_brands),
        "products": sorted(entities(tracker, "product")),
        "asks": sorted(a for a in asked if a),
    }


def before_events(category, state: dict[str, Any]) -> list[dict[str, Any]]:
    """The slot events the earlier turns would have left: the bot's own profile_events."""
    from actions.session import profile_events

    profile = build_profile(category, state.get("needs") or {}, state.get("priorities") or [])
    data = {**profile.to_dict(), "excluded_brands": state.get("excluded_brands") or []}
    if state.get("sort"):
        data["sort"] = state["sort"]
    return [dict(e) for e in profile_events(NeedsProfile.from_dict(category, data))]


async def _evaluate_catalog(model: Path, items: list[Item]) -> list[Outcome]:
    from actions.session import catalog

    parser = BotParser(model)
    category = catalog().category
    outcomes = []
    for item in items:
        tracker = await parser.parse(item.text, before_events(category, item.before))
        got = understood(tracker)
        outcomes.append(Outcome(item, {k: got[k] for k in item.expected}))
    return outcomes


def evaluate_needs(
    heldout: Path | str = NEEDS_HELDOUT,
    threshold: float = NEEDS_THRESHOLD,
    models: dict[str, Path] | None = None,
    echo=print,
) -> NeedsEvalResult:
    """Parse every held-out message with its catalog's trained model (trained first when its data
    changed, or the given one) and compare with the labels."""
    from ops.stack import ensure_model

    items, catalogs = load_items(Path(heldout))
    problems = set_problems(Path(heldout))
    if problems:
        raise ValueError("The needs held-out set is not usable:\n  " + "\n  ".join(problems))
    result = NeedsEvalResult([], threshold)
    for name in catalogs:
        chosen = [i for i in items if i.catalog == name]
        if not chosen:
            continue
        with catalog_in_force(name, catalogs):
            model = (models or {}).get(name) or ensure_model(echo=echo)
            echo(f"Parsing {len(chosen)} {name} messages with {model}...")
            result.models[name] = model
            result.outcomes += asyncio.run(_evaluate_catalog(Path(model), chosen))
    result.outcomes.sort(key=lambda o: o.item.number)
    return result
