"""How right the insights miners are on a labelled set of shopper messages (`advisor mining-eval`).

Each message of the set (tests/analysis/data/mining_set.yml; its header explains the format) becomes
one conversation of a turn log: the bot's question first when the message answers one (its text and
buttons as the event broker logs them, read from the bot's domain, or from the catalog's needs
interview for `utter_ask_<need>`), then the message itself, stating
needs no product meets so that it could be quoted. Every conversation is mined on its own day
(analysis.opportunities.mine with one shopper per opportunity), so what is reported comes from that
message alone. The comparison:

- features: a reported feature is right when it names an expected one: the words of one (lower
  case, without articles, plural s and punctuation) run inside the other's ("captain's chairs" and
  "captain's chairs in the second row"). Precision and recall are over all requests.
- never a feature, never quoted: replies to the bot's questions, button payloads and quick replies
  must give no feature and no quote; each one that does is counted and listed.
- requests must still be quotable: the share of requests quoted.

The miners run exactly as `advisor needs` runs them; nothing here reaches into them.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalog import Catalog

KINDS = ("request", "reply", "payload", "quick_reply")
NEVER = ("reply", "payload", "quick_reply")
DAY = 86400
START = 1_767_225_600.0  # 2026-01-01 UTC
ARTICLES = frozenset({"a", "an", "the", "some", "any"})


@dataclass(frozen=True)
class Item:
    text: str
    kind: str
    features: tuple[str, ...] = ()
    after: str | None = None


@dataclass
class Evaluation:
    items: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    reported: int = 0  # features reported for requests
    right: int = 0  # of those, naming an expected feature
    expected: int = 0  # features expected
    found: int = 0  # of those, reported
    false_features: list[tuple[str, str]] = field(default_factory=list)  # (message, feature)
    missed: list[tuple[str, str]] = field(default_factory=list)  # (message, feature)
    never_features: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, text, feat)
    never_quoted: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    requests_quoted: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def requests(self) -> int:
        return self.by_kind.get("request", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "by_kind": dict(self.by_kind),
            "feature_precision": round(self.precision, 4),
            "feature_recall": round(self.recall, 4),
            "features_reported": self.reported,
            "features_expected": self.expected,
            "false_features": [list(f) for f in self.false_features],
            "missed_features": [list(f) for f in self.missed],
            "features_from_non_requests": [list(f) for f in self.never_features],
            "quotes_from_non_requests": [list(f) for f in self.never_quoted],
            "requests_quoted": self.requests_quoted,
        }


def words(phrase: str) -> tuple[str, ...]:
    """A phrase compared as its words: lower case, no articles, no plural s, no punctuation."""
    out = []
    for word in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", phrase.lower().replace("’", "'")):
        word = word.removesuffix("'s")
        if word in ARTICLES:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def names(reported: str, expected: str) -> bool:
    """Whether a reported feature names the expected one (the words of one run inside the other)."""
    a, b = words(reported), words(expected)
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def load_set(path: Path) -> tuple[dict[str, Any], list[Item]]:
    """The set's needs and items; raises ValueError naming the item and field that is wrong."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{path}: expected a mapping with version: 1")
    needs = data.get("needs")
    if not isinstance(needs, dict) or not needs:
        raise ValueError(f"{path}: 'needs' must map needs to values")
    items = []
    for n, raw in enumerate(data.get("items") or [], 1):
        where = f"{path}: item {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"]:
            raise ValueError(f"{where}: 'text' must be a non-empty string")
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{where} ({raw['text']!r}): 'kind' must be one of {KINDS}")
        features = raw.get("features") or []
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise ValueError(f"{where} ({raw['text']!r}): 'features' must be a list of phrases")
        if raw["kind"] != "request" and features:
            raise ValueError(f"{where} ({raw['text']!r}): only a request has features")
        if raw["kind"] in ("reply", "quick_reply") and not raw.get("after"):
            raise ValueError(f"{where} ({raw['text']!r}): a {raw['kind']} names 'after'")
        items.append(Item(raw["text"], raw["kind"], tuple(features), raw.get("after")))
    if not items:
        raise ValueError(f"{path}: no items")
    return needs, items


def bot_responses(domain_dir: Path, catalog: Catalog | None = None) -> dict[str, dict[str, Any]]:
    """Each response of the bot's domain as the event broker logs it: name, text and buttons;
    and, as `utter_ask_<need>`, each question of the catalog's needs interview as the bot asks it
    (an action's message: no response name, the question's text and its buttons)."""
    responses: dict[str, dict[str, Any]] = {}
    for question in catalog.category.interview if catalog is not None else ():
        responses[f"utter_ask_{question.need}"] = {
            "response": None,
            "text": question.text,
            "buttons": [{"title": t, "payload": p} for t, p in question.buttons],
        }
    for file in sorted(Path(domain_dir).glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            first = (variants or [{}])[0]
            responses[name] = {
                "response": name,
                "text": first.get("text", ""),
                "buttons": [
                    {"title": b.get("title"), "payload": b.get("payload")}
                    for b in first.get("buttons") or []
                ],
            }
    return responses


def _turns(needs: dict[str, Any], items: list[Item], responses: dict[str, dict[str, Any]]):
    for n, item in enumerate(items):
        conversation, ts = f"eval-{n:04d}", START + n * DAY
        if item.after:
            if item.after not in responses:
                raise ValueError(f"item {n + 1} ({item.text!r}): no response {item.after!r}")
            yield {
                "conversation_id": conversation,
                "message_id": "m1",
                "ts": ts,
                "text": "hi",
                "responses": [responses[item.after]],
            }
        yield {
            "conversation_id": conversation,
            "message_id": "m2",
            "ts": ts + 60,
            "text": item.text,
            "needs": needs,
        }


def evaluate(path: Path, catalog: Catalog, domain_dir: Path) -> Evaluation:
    """Mine every message of the set on its own and compare with its labels."""
    from analysis.opportunities import mine
    from stores.turnlog import TurnLog

    needs, items = load_set(path)
    result = Evaluation(items=len(items))
    for item in items:
        result.by_kind[item.kind] = result.by_kind.get(item.kind, 0) + 1
    with tempfile.TemporaryDirectory() as tmp, TurnLog(Path(tmp) / "eval.db") as log:
        log.write_turns(_turns(needs, items, bot_responses(domain_dir, catalog)))
        for n, item in enumerate(items):
            since = START + n * DAY
            mined = mine(log, catalog, since=since, until=since + DAY, min_shoppers=1)
            features = [o.label for o in mined.opportunities if o.kind == "feature"]
            quoted = any(item.text in o.quotes for o in mined.opportunities if o.kind == "unmet")
            _score(result, item, features, quoted)
    return result


def _score(result: Evaluation, item: Item, features: list[str], quoted: bool) -> None:
    if item.kind != "request":
        result.never_features += [(item.kind, item.text, f) for f in features]
        if quoted:
            result.never_quoted.append((item.kind, item.text))
        return
    result.requests_quoted += quoted
    result.reported += len(features)
    result.expected += len(item.features)
    for feature in features:
        if any(names(feature, wanted) for wanted in item.features):
            result.right += 1
        else:
            result.false_features.append((item.text, feature))
    for wanted in item.features:
        if any(names(feature, wanted) for feature in features):
            result.found += 1
        else:
            result.missed.append((item.text, wanted))


def render(result: Evaluation, path: Path) -> str:
    kinds = ", ".join(f"{result.by_kind.get(k, 0)} {k.replace('_', ' ')}" for k in KINDS)
    lines = [
        f"Mining set {path}: {result.items} messages ({kinds})",
        f"features of requests: precision {result.precision:.1%} ({result.right} of "
        f"{result.reported} reported name an expected one), recall {result.recall:.1%} "
        f"({result.found} of {result.expected} expected found)",
        f"requests quotable: {result.requests_quoted} of {result.requests}",
        f"replies, payloads and quick replies counted as features: {len(result.never_features)}",
        f"replies, payloads and quick replies quoted as needs: {len(result.never_quoted)}",
    ]
    for text, feature in result.false_features:
        lines.append(f"  false feature: {feature!r} from {text!r}")
    for text, feature in result.missed:
        lines.append(f"  missed: {feature!r} in {text!r}")
    for kind, text, feature in result.never_features:
        lines.append(f"  {kind} counted as a feature: {feature!r} from {text!r}")
    for kind, text in result.never_quoted:
        lines.append(f"  {kind} quoted as a need: {text!r}")
    return "\n".join(lines)
