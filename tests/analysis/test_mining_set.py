"""The miners on the labelled shopper messages (tests/analysis/data/mining_set.yml, committed before
the filters it measures): what a product manager reads is what shoppers asked for, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.mining_eval import evaluate, load_set, names, words

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "tests" / "analysis" / "data" / "mining_set.yml"
DOMAIN = ROOT / "bot" / "domain"
PRECISION_GATE = 0.95
RECALL_GATE = 0.95


@pytest.fixture(scope="module")
def evaluation(vehicles):
    return evaluate(SET, vehicles, DOMAIN)


def test_the_set_covers_every_kind_of_message() -> None:
    _, items = load_set(SET)
    kinds = {item.kind for item in items}
    assert kinds == {"request", "reply", "payload", "quick_reply"}
    assert len(items) >= 150
    assert sum(1 for i in items if i.kind == "request" and i.features) >= 60


def test_replies_payloads_and_quick_replies_are_never_quoted_or_counted(evaluation) -> None:
    assert evaluation.never_quoted == []
    assert evaluation.never_features == []
    assert sum(evaluation.by_kind[k] for k in ("reply", "payload", "quick_reply")) >= 40


def test_requests_stay_quotable(evaluation) -> None:
    assert evaluation.requests_quoted == evaluation.requests


def test_words_the_catalog_covers_are_never_features(evaluation) -> None:
    covered = ("room", "roomy", "space", "spacious", "legroom")
    reported = [feature for _, feature in evaluation.false_features]
    assert not [f for f in reported if set(words(f)) & set(covered)], reported


def test_features_are_found_with_few_false_ones(evaluation) -> None:
    assert evaluation.precision >= PRECISION_GATE, evaluation.false_features
    assert evaluation.recall >= RECALL_GATE, evaluation.missed


@pytest.mark.parametrize(
    ("reported", "expected", "same"),
    [
        ("captain's chairs", "Captain's chairs", True),
        ("captain's chairs in the second row", "captain's chairs", True),
        ("heated seat", "heated seats", True),
        ("heated seats", "heated steering wheel", False),
        ("seats", "heated rear seats", True),  # the words of one run inside the other
        ("rear heated", "heated rear", False),
    ],
)
def test_a_reported_feature_names_an_expected_one(reported, expected, same) -> None:
    assert names(reported, expected) is same


def test_a_bad_item_is_refused_with_its_number(tmp_path: Path) -> None:
    bad = tmp_path / "set.yml"
    bad.write_text("version: 1\nneeds: {budget: 1}\nitems:\n  - {text: hi, kind: chat}\n")
    with pytest.raises(ValueError, match=r"item 1 \('hi'\): 'kind' must be one of"):
        load_set(bad)
    bad.write_text("version: 1\nneeds: {budget: 1}\nitems:\n  - {text: ok, kind: reply}\n")
    with pytest.raises(ValueError, match="names 'after'"):
        load_set(bad)
