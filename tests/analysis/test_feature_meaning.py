"""Feature requests grouped by meaning: the labelled pairs (committed before the method), the
vocabulary's validation and the miner merging wordings of one feature."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.feature_meaning import NGRAMS, FeatureMeaning, char_tfidf_cosine
from analysis.features import FeatureMiner
from knowledge.errors import Problems
from knowledge.feature_words import DISTINCT, IGNORE, read_feature_words, words_of

PAIRS = Path(__file__).parent / "data" / "feature_pairs.yml"


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]


def phrases_of(pairs) -> list[str]:
    return sorted({p[k] for p in pairs for k in ("a", "b")})


def test_the_labelled_set_has_at_least_150_pairs_of_both_kinds(pairs) -> None:
    assert len(pairs) >= 150
    assert 50 <= sum(p["paraphrase"] for p in pairs) <= len(pairs) - 50


def test_no_labelled_phrase_is_in_the_vocabulary(vehicles, pairs) -> None:
    entries = {" ".join(words_of(k)) for k in vehicles.category.feature_words}
    for words in vehicles.category.feature_words.values():
        entries |= set(words)
    for phrase in phrases_of(pairs):
        assert " ".join(words_of(phrase)) not in entries, phrase


def pairwise(vehicles, pairs) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of grouping every phrase of `pairs` at once."""
    phrases = phrases_of(pairs)
    labels = dict(
        zip(phrases, FeatureMeaning(vehicles.category.feature_words).group(phrases), strict=True)
    )
    same = [(labels[p["a"]] == labels[p["b"]], p["paraphrase"]) for p in pairs]
    tp = sum(s and t for s, t in same)
    fp = sum(s and not t for s, t in same)
    fn = sum(t and not s for s, t in same)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)


# The three labelled sets and the F1 each holds the method to:
# - feature_pairs.yml, committed before the method; the vocabulary was written with it in view
#   (35 of its phrases hold a phrase of the vocabulary), so its figure is optimistic: 0.967;
# - feature_pairs_heldout.yml, written without the vocabulary or the first set in view, then used
#   to improve the method (distinct lists, a few synonyms): 0.886;
# - feature_pairs_final.yml, written blind and measured once, after the method was fixed: 0.831.
#   The floor here is that figure rounded down, not the 0.85 the others meet.
@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("feature_pairs.yml", 0.85),
        ("feature_pairs_heldout.yml", 0.85),
        ("feature_pairs_final.yml", 0.82),
    ],
)
def test_grouping_the_labelled_phrases_reaches_its_pairwise_f1(vehicles, name, floor) -> None:
    pairs = yaml.safe_load((PAIRS.parent / name).read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 150 and 50 <= sum(p["paraphrase"] for p in pairs) <= len(pairs) - 50
    precision, recall, f1 = pairwise(vehicles, pairs)
    assert f1 >= floor, (precision, recall, f1)


def test_the_tfidf_is_scikit_learns(pairs) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = phrases_of(pairs)
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)
    expected = cosine_similarity(vectors.fit_transform(texts))
    assert abs(char_tfidf_cosine(texts) - expected).max() < 1e-9


def test_normalising_replaces_synonyms_longest_first_and_sorts() -> None:
    meaning = FeatureMeaning({"rear": ("back", "second row"), "heated": ("heating",), IGNORE: ()})
    assert meaning.normalise("Heated seats in the second row") == "heated rear seat"
    assert meaning.normalise("back seat heating") == "heated rear seat"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nope": 1}, "needs a 'features' mapping"),
        ({"features": {"synonyms": {"two words": ["x"]}}}, "must be one word"),
        ({"features": {"synonyms": {"rear": "back"}}}, "non-empty list"),
        ({"features": {"synonyms": {"rear": ["back"], "aft": ["back"]}}}, "already means"),
        ({"features": {"ignore": [1]}}, "'ignore' must be a list"),
        ({"features": {"extra": {}}}, "unknown key"),
        ({"features": {"distinct": "front rear"}}, "'distinct' must be a list of lists"),
        ({"features": {"distinct": [["front"]]}}, "two or more"),
        ({"features": {"distinct": [["front", "second row"]]}}, "each must be one word"),
    ],
)
def test_a_bad_vocabulary_is_reported_with_e131(data, message) -> None:
    report = Problems()
    read_feature_words(data, Path("features.yml"), report)
    assert report.problems and all("[E131]" in str(p) for p in report.problems)
    assert any(message in str(p) for p in report.problems)


def test_words_of_a_distinct_list_keep_features_apart() -> None:
    vocabulary = {
        "rear": ("back", "second row"),
        "heated": ("heating", "heater", "heaters"),
        DISTINCT: ("front rear", "seat mirror"),
    }
    meaning = FeatureMeaning(vocabulary)
    phrases = ["heated front seats", "front seat heaters", "heated rear seats",
               "back seat heating", "heated seats", "heated mirrors"]  # fmt: skip
    groups = meaning.group(phrases)
    assert groups[0] == groups[1] and groups[2] == groups[3]
    assert len({groups[0], groups[2], groups[5]}) == 3  # front, rear and mirror stay apart
    assert "front" in meaning.normalise("heated front seats")  # never dropped as a stop word
    assert meaning.similarities(phrases)[0, 2] == 0.0


def test_the_miner_merges_wordings_of_one_feature(vehicles) -> None:
    miner = FeatureMiner(vehicles)
    texts = ["I wish it had heated back seats", "does it have rear seat heating?",
             "I'd like heated seats in the second row", "must have a heated steering wheel"]  # fmt: skip
    for i, text in enumerate(texts):
        miner.add({"conversation_id": f"c{i}", "ts": 1000.0 + i, "text": text, "role": "shopper"})
    groups = sorted(miner.groups(), key=lambda g: -g.shoppers)
    assert [g.shoppers for g in groups] == [3, 1]
    assert sorted(groups[0].days.values()) == [3]


def test_the_small_linkage_is_scipys(vehicles, pairs) -> None:
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from analysis.feature_meaning import average_linkage

    meaning = FeatureMeaning(vehicles.category.feature_words)
    distances = np.clip(1.0 - meaning.similarities(phrases_of(pairs)), 0, None)
    np.fill_diagonal(distances, 0.0)
    ours = average_linkage(distances, 0.5)
    tree = linkage(squareform(distances, checks=False), method="average")
    theirs = fcluster(tree, t=0.5 + 1e-9, criterion="distance")
    pairs_ours = {(i, j) for i in range(len(ours)) for j in range(i) if ours[i] == ours[j]}
    pairs_theirs = {(i, j) for i in range(len(ours)) for j in range(i) if theirs[i] == theirs[j]}
    assert pairs_ours == pairs_theirs
