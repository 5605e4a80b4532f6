"""Is this question about what the bot is for? A linear model over the question's own vector.

The confidence model (retrieval/confidence.py) judges an answer by how well the found passage and
sentence cover the question. An everyday question ("trường nào học ngành y tốt nhất", "какая песня
сейчас самая популярная") can share every word with some passage and still be one the knowledge
base has no answer for. This model sees only the question: P(it belongs with the questions the bot
answers rather than with off-topic ones), from the vector the search already computed for it
(nothing is embedded twice). Its output is one feature of the confidence model (`p_dom`), never a
rule on its own.

Fitted by `benchmarks/fit_confidence.py` on the `fit` part of the frozen split only: answerable
questions (XQuAD fit articles, the in-domain fit half, its near-miss variants) against off-topic ones
(the in-domain fit half's and benchmarks/data/offtopic_fit.jsonl), classes weighted equally,
L2-regularized logistic regression solved by Newton's method. Kept in `domain_model.json` for the
embedder it was fitted with; with any other embedder there is no model and no feature.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

DOMAIN_MODEL_PATH = Path(__file__).with_name("domain_model.json")

Vector = npt.NDArray[np.float32] | npt.NDArray[np.float64]


@dataclass
class DomainModel:
    weights: npt.NDArray[np.float64]
    bias: float
    meta: dict[str, object] = field(default_factory=dict)

    def probability(self, vector: Vector) -> float:
        """P(the question is one the bot answers) for the question's vector."""
        v = np.asarray(vector, dtype=np.float64).reshape(-1)
        if v.shape != self.weights.shape:
            raise ValueError(f"vector of dimension {v.shape[0]}, model of {self.weights.shape[0]}")
        z = max(-30.0, min(30.0, float(v @ self.weights) + self.bias))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, object]:
        return {"weights": [round(float(x), 6) for x in self.weights], "bias": self.bias, "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> DomainModel:
        raw = data.get("weights")
        bias = data.get("bias", 0.0)
        meta = data.get("meta")
        if not isinstance(raw, list) or not isinstance(bias, int | float):
            raise ValueError("a domain model needs a list of weights and a numeric bias")
        return cls(np.array([float(x) for x in raw], dtype=np.float64), float(bias),
                   dict(meta) if isinstance(meta, dict) else {})

    def save(self, path: Path = DOMAIN_MODEL_PATH) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, embedder: str | None, path: Path = DOMAIN_MODEL_PATH) -> DomainModel | None:
        """The model fitted for `embedder`, else None (a vector of another model means nothing to it)."""
        if embedder is None or not path.exists():
            return None
        model = cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        return model if model.meta.get("embedder") == embedder else None


def fit_domain(vectors: Sequence[Vector], labels: Sequence[int], *, c: float = 1.0,
               iters: int = 25) -> DomainModel:
    """L2-regularized logistic regression, both classes weighing the same in total:
    minimizes Σ wᵢ·logloss(xᵢ, yᵢ) + ‖w‖² / (2c) (the bias is not penalized) by Newton's method."""
    x = np.asarray(np.vstack([np.asarray(v, dtype=np.float64).reshape(-1) for v in vectors]))
    y = np.asarray(labels, dtype=np.float64)
    n, d = x.shape
    positives = float(y.sum())
    if positives in (0.0, float(n)):
        raise ValueError("both classes are needed to fit the domain model")
    sw = np.where(y > 0.5, n / (2.0 * positives), n / (2.0 * (n - positives)))
    xb = np.hstack([x, np.ones((n, 1))])
    reg = np.full(d + 1, 1.0 / c)
    reg[-1] = 0.0
    theta = np.zeros(d + 1)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ theta, -30.0, 30.0)))
        grad = xb.T @ (sw * (p - y)) + reg * theta
        hess = (xb * (sw * p * (1.0 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    return DomainModel(theta[:-1].copy(), float(theta[-1]),
                       {"fitted": True, "n": n, "positives": int(positives), "c": c})
