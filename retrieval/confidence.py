"""Calibrated answer confidence: a small logistic model over retrieval and overlap features.

The weights are FITTED (benchmarks/fit_confidence.py) on a labelled question set: in-scope questions
whose extractive answer was right are positives; wrong answers and off-topic questions are negatives.
So `confidence` estimates P(the answer is right), and the answerer abstains below its threshold.
The fitted models live in `confidence_model.json` next to this module: one for the embedder the
fit ran with (its dense similarity is a strong feature, but on that embedder's scale only) and a
lexical one (`"embedder": "*"`) used with any other embedder (e.g. the tests' hash embedder).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("confidence_model.json")

FEATURES: tuple[str, ...] = (
    "top_score",  # the fused score of the answer's passage
    "margin",  # that score minus the best score of another document
    "dense",  # dense (cosine) similarity of the answer's passage, 0 when unknown
    "bm25",  # log(1 + BM25 score) of the answer's passage, 0 when unknown
    "cov_passage",  # share of the question's content words found in the passage (typo tolerant)
    "cov_sentence",  # the same, in the answer sentences
    "bigram_sentence",  # share of the question's adjacent word pairs found in the answer sentences
    "sentence_score",  # the extraction score of the best answer sentence (retrieval/extract.py)
    "bigram_passage",  # share of the question's adjacent word pairs found in the passage
    "trigram_passage",  # share of the question's character trigrams found in the passage
    "numeric",  # +1 how-much/when question answered with a number, -1 without one, 0 otherwise
    "qa",  # 1 when a curated staff answer was used
    "q_terms",  # log(1 + number of the question's content words)
    "idf_passage",  # share of the question's content words in the passage, weighted by KB-wide IDF
    "idf_sentence",  # the same, in the answer sentences
    "miss_passage",  # the largest IDF of a question word missing from the passage (1 = a word the KB lacks)
    "miss_sentence",  # the same, for the answer sentences
    "dense_margin",  # dense similarity of the answer's passage minus the best of another document
    "sent_prob",  # the sentence scorer's P(the chosen sentence holds the answer)
    "sent_dense",  # dense similarity of the question with the chosen sentence (0 without vectors)
    "sent_margin",  # sent_prob minus the best score of a sentence from another document
    "sent_dense_rel",  # the chosen sentence's dense similarity minus the best among the candidates
    "found_max_passage",  # the largest IDF of a question word found in the passage (how specific the match)
    "found_sum_passage",  # the sum of those IDFs
    "found_max_sentence",  # the same in the answer sentences
    "found_sum_sentence",
)


@dataclass
class ConfidenceModel:
    weights: dict[str, float]
    bias: float
    mean: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        """The abstention threshold chosen on the fit data with this model (`meta.threshold`), else 0.5."""
        value = self.meta.get("threshold")
        return float(value) if isinstance(value, int | float) else 0.5

    def z(self, feats: dict[str, float]) -> float:
        total = self.bias
        for name, w in self.weights.items():
            x = (feats.get(name, 0.0) - self.mean.get(name, 0.0)) / (self.scale.get(name, 1.0) or 1.0)
            total += w * x
        return total

    def predict(self, feats: dict[str, float]) -> float:
        z = max(-30.0, min(30.0, self.z(feats)))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, object]:
        return {"weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale,
                "meta": self.meta}

    def save(self, path: Path = MODEL_PATH) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ConfidenceModel:
        def fdict(key: str) -> dict[str, float]:
            raw = data.get(key) or {}
            assert isinstance(raw, dict)
            return {str(k): float(v) for k, v in raw.items()}

        bias = data.get("bias", 0.0)
        meta = data.get("meta") or {}
        return cls(fdict("weights"), float(bias) if isinstance(bias, int | float) else 0.0,
                   fdict("mean"), fdict("scale"), dict(meta) if isinstance(meta, dict) else {})

    @classmethod
    def load(cls, path: Path = MODEL_PATH, embedder: str | None = None) -> ConfidenceModel:
        """The model fitted for `embedder` (by name), else the embedder-agnostic one."""
        return pick(load_models(path), embedder)


def load_models(path: Path = MODEL_PATH) -> list[ConfidenceModel]:
    if not path.exists():
        return [default_model()]
    data = json.loads(path.read_text(encoding="utf-8"))
    raw: list[dict[str, object]] = data["models"] if isinstance(data, dict) and "models" in data else [data]
    return [ConfidenceModel.from_dict(m) for m in raw]


def save_models(models: Sequence[ConfidenceModel], path: Path = MODEL_PATH) -> None:
    tmp = path.with_suffix(".tmp")
    body = {"models": [m.to_dict() for m in models]}
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def pick(models: Sequence[ConfidenceModel], embedder: str | None) -> ConfidenceModel:
    for m in models:
        if embedder is not None and m.meta.get("embedder") == embedder:
            return m
    for m in models:
        if m.meta.get("embedder") in ("*", None):
            return m
    return models[0] if models else default_model()


def default_model() -> ConfidenceModel:
    """A neutral prior used only before a model has been fitted: word coverage drives it."""
    return ConfidenceModel({"cov_passage": 6.0, "bigram_passage": 2.0, "trigram_passage": 2.0}, -5.0,
                           meta={"fitted": False, "embedder": "*"})


def fit_logistic(
    rows: Sequence[dict[str, float]], labels: Sequence[int], *, l2: float = 1.0, iters: int = 3000,
    lr: float = 0.1, features: Sequence[str] = FEATURES, sample_weights: Sequence[float] | None = None,
) -> ConfidenceModel:
    """Plain L2-regularized logistic regression (gradient descent on standardized features);
    `sample_weights` (mean 1 after normalization) let one source of examples not drown another."""
    import numpy as np

    x = np.array([[r.get(f, 0.0) for f in features] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    sw = np.ones(len(y)) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    sw = sw / sw.mean() if len(sw) else sw
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = (x - mean) / scale
    w = np.zeros(x.shape[1])
    b = 0.0
    n = len(y)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(xs @ w + b)))
        grad_w = xs.T @ (sw * (p - y)) / n + l2 * w / n
        grad_b = float(np.mean(sw * (p - y)))
        w -= lr * grad_w
        b -= lr * grad_b
    names = list(features)
    return ConfidenceModel(
        {f: float(v) for f, v in zip(names, w, strict=True)}, float(b),
        {f: float(v) for f, v in zip(names, mean, strict=True)},
        {f: float(v) for f, v in zip(names, scale, strict=True)},
        meta={"fitted": True, "n": n, "positives": int(y.sum()), "l2": l2},
    )
