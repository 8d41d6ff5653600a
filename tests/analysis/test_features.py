"""Free-text feature requests: spaCy Matcher triggers, clause boundaries, catalog coverage, lemma
grouping and distinct-shopper counts over a real turn log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.features import FeatureExtractor, FeatureMiner
from stores.turnlog import TurnLog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extractor(vehicles):
    return FeatureExtractor(vehicles)


def texts_of(extractor, text: str) -> list[str]:
    (phrases,) = extractor.extract([text])
    return [p.text for p in phrases]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I wish it had heated rear seats", ["heated rear seats"]),
        ("Does it have bidirectional charging?", ["bidirectional charging"]),
        ("is there one with a heated steering wheel?", ["heated steering wheel"]),
        ("must have captain's chairs, and AWD", ["captain's chairs"]),
        ("I need it to fit in a short garage.", ["fit in a short garage"]),
        ("I want an SUV with heated rear seats please", ["heated rear seats"]),
        ("I'd like heated seats and a sunroof but not leather", ["heated seats", "sunroof"]),
        ("do any of them have wireless CarPlay", ["wireless carplay"]),
    ],
)
def test_requests_are_the_phrase_after_a_trigger_up_to_a_boundary(extractor, text, expected):
    assert texts_of(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I need a 7-seat SUV under $45k",
        "I'm looking for an electric pickup under $42,000",
        "I want something with great fuel economy",
        "I want a Tesla Model Y",
        "I need it to tow 5000 lbs",
        "I need max $32,000 and all-wheel drive",
        "we need plenty of cargo space",
        "I want a plug-in hybrid with a third row",
        "I need to know the price of the RAV4",  # an action, not a feature
        "I want to talk to a human",
        "I need help",
        "what's the weather like?",  # no trigger
        "I need a car that is really nice and good and big and new and cheap and safe",
    ],
)
def test_what_the_catalog_already_covers_is_not_a_feature(extractor, text) -> None:
    assert texts_of(extractor, text) == []


def test_wordings_with_one_lemma_are_one_feature(extractor) -> None:
    keys = {
        p.key
        for phrases in extractor.extract(
            ["I wish it had Heated rear seats", "does it have a heated rear seat?"]
        )
        for p in phrases
    }
    assert keys == {"heat rear seat"}


def turn(cid: str, n: int, text: str, **fields) -> dict:
    return {"conversation_id": cid, "message_id": f"{cid}-{n}", "turn": n, "text": text, **fields}


def test_the_miner_counts_distinct_shoppers_with_quotes(tmp_path: Path, extractor, vehicles):
    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turns(
            [
                turn("a", 1, "I wish it had heated rear seats", ts=1000.0),
                turn("a", 2, "seriously, must have heated rear seats!", ts=1010.0),
                turn("b", 1, "does it have a heated rear seat?", ts=2000.0, fallback=True),
                turn("c", 1, "I wish it had heated rear seats", ts=3000.0),
                turn("c", 2, "we really need heated rear seats", ts=3010.0, role="staff"),
                turn("d", 1, "I need an SUV under 40k", ts=4000.0),
            ]
        )
        miner = FeatureMiner(vehicles, extractor)
        for t in log.iter_turns():
            miner.add(t)
    (group,) = miner.groups()
    assert group.key == "heat rear seat"
    assert group.shoppers == 3
    assert group.label == "heated rear seats"
    assert (group.first_seen, group.last_seen) == (1000.0, 3000.0)
    assert group.quotes == [
        "I wish it had heated rear seats",
        "seriously, must have heated rear seats!",
        "does it have a heated rear seat?",
    ]


def test_spacy_is_imported_only_when_texts_are_processed() -> None:
    code = (
        "import sys, analysis.features, analysis.opportunities, advisor.mining_commands;"
        "print('spacy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
