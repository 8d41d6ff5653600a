"""The miners' words without spaCy: tokens, stop words, lemmas and token patterns, as spaCy's English
rules give them where the miners depend on them."""

from __future__ import annotations

import pytest

from analysis.text import English, Matcher, stop_words


@pytest.fixture(scope="module")
def nlp():
    return English()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("captain's chairs", ["captain", "'s", "chairs"]),
        ("it doesn't have", ["it", "does", "n't", "have"]),
        (
            "i'd like a heads-up display!",
            ["i", "'d", "like", "a", "heads", "-", "up", "display", "!"],
        ),
        ("under $45k, 5,000 lbs", ["under", "$", "45k", ",", "5,000", "lbs"]),
        ("4x4 or 2.5l?", ["4x4", "or", "2.5l", "?"]),
        ("captain’s chair", ["captain", "’s", "chair"]),
    ],
)
def test_tokens_follow_spacys_english_rules(nlp, text, tokens) -> None:
    assert [t.text for t in nlp(text)] == tokens


def test_tokens_know_their_lemma_stop_word_and_punctuation(nlp) -> None:
    doc = nlp("the heated seats, please")
    assert [t.lemma_ for t in doc] == ["the", "heat", "seat", ",", "please"]
    assert [t.is_stop for t in doc] == [True, False, False, False, True]  # spaCy: please
    assert [t.is_punct for t in doc] == [False, False, False, True, False]
    assert doc[1:3].text == "heated seats"
    assert {"the", "and", "with", "must"} <= stop_words()


def test_patterns_match_as_spacys_matcher_does(nlp) -> None:
    matcher = Matcher()
    matcher.add("need", [[{"LOWER": "i"}, {"LOWER": "really", "OP": "?"}, {"LOWER": "need"}]])
    matcher.add("any", [[{"LOWER": "do"}, {"LOWER": {"IN": ["of", "them"]}, "OP": "*"},
                         {"LOWER": "have"}]])  # fmt: skip
    matcher.add("named", [[{"LOWER": "does"}, {}, {"OP": "?"}, {"LOWER": "have"}]])
    doc = nlp("i really need it. do of them have one? does the rav4 have it")
    assert matcher(doc) == [("need", 0, 3), ("any", 5, 9), ("named", 11, 15)]
    with pytest.raises(ValueError, match="unsupported"):
        matcher.add("bad", [[{"LEMMA": "need"}]])
