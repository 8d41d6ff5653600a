"""Hostile shopper messages for the entity recogniser: any text, or text made of the catalog's own
words, numbers and cues in random order; extract() never raises and every entity is a clean span
of the message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.entities import MAX_CUES, MIN_CUES, MULTIPLIERS, TENS, WORD_NUMBERS, recognizer_for
from tests.fuzz.strategies import fuzz


@pytest.fixture(scope="module")
def recognizer(vehicles):
    return recognizer_for(vehicles)


@pytest.fixture(scope="module")
def words(recognizer) -> list[str]:
    """The catalog's product names, brands, values, priorities, units and cues."""
    lexicon = recognizer.lexicon
    words = [item.phrase for item in lexicon.products[:80]]
    words += list(lexicon.brands)[:40]
    words += [phrase for phrase, _, _ in lexicon.values][:80]
    words += [phrase for phrase, _ in lexicon.priorities][:40]
    for quantity in lexicon.quantities:
        words += [*quantity.unit_words, *quantity.context_words]
    words += [" ".join(cue) for cue in (*MAX_CUES, *MIN_CUES)]
    words += [*WORD_NUMBERS, *TENS, *MULTIPLIERS]
    return sorted(set(words))


numbers = st.one_of(
    st.integers(0, 500_000).map(str),
    st.integers(0, 500_000).map(lambda n: f"${n:,}"),
    st.integers(0, 500).map(lambda n: f"{n}k"),
    st.integers(0, 999).map(lambda n: f"{n}+"),
    st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["-", "+", "$", "k", ",", ".", "7-seat", "300+", "5000lbs", "$40k", "1e9"]),
    st.text(alphabet="0123456789,.$k+-", min_size=1, max_size=12),
)
separators = st.sampled_from([" ", "  ", ", ", "-", "\n", "\t", "", "/", " vs ", "?", "'s "])


def check(recognizer, text: str) -> None:
    entities = recognizer.extract(text)
    previous_end = 0
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text), (entity, text)
        assert entity.text == text[entity.start : entity.end]
        assert entity.text.strip() == entity.text, (entity, text)
        assert entity.start >= previous_end, ("overlapping entities", entities, text)
        previous_end = entity.end
        assert entity.entity and entity.value is not None
        assert entity.to_dict()["text"] == entity.text


@fuzz(1000)
@given(text=st.text(max_size=120))
def test_any_text(recognizer, text):
    check(recognizer, text)


@fuzz(1500)
@given(data=st.data())
def test_catalog_words_numbers_and_cues_in_any_order(recognizer, words, data):
    pieces = data.draw(
        st.lists(st.sampled_from(words) | numbers | st.text(max_size=4), min_size=1, max_size=12)
    )
    glue = data.draw(st.lists(separators, min_size=len(pieces), max_size=len(pieces)))
    text = "".join(p + g for p, g in zip(pieces, glue, strict=True))
    if data.draw(st.booleans()):
        text = text.upper() if data.draw(st.booleans()) else text.title()
    check(recognizer, text)


@fuzz(300)
@given(text=st.text(alphabet=st.sampled_from("İıßſﬁΣς\u0130\u0307ǅ $45k 7 seats SUV"), max_size=60))
def test_text_whose_case_changes_its_length(recognizer, text):
    check(recognizer, text)
