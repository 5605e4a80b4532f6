"""Score fusion: small pure functions over numpy arrays (one value per candidate).

The hybrid rule (`fuse`) is a weighted sum of per-query z-scores. Each retriever's scores are
standardized against its own top-N for this query, so a retriever whose best hit stands far above
its runners-up (a confident one) moves the ranking more than one whose scores are flat, whatever
the scale (BM25 grows with query length, cosines live in a narrow band). The lexical weight is the
share of query tokens the corpus knows (`BM25Index.coverage`): a query in another script or with
no known words leaves the ranking to the dense retriever instead of dragging it down, which is
how plain RRF loses to dense-only where BM25 is weak. `rrf` is kept as the classic baseline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-6


def zscores(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """`scores` standardized by the mean and spread of `reference` (a retriever's top-N scores).
    A flat reference (all equal, e.g. no lexical match at all) gives zeros, not a division by 0."""
    if reference.size == 0:
        return np.zeros_like(scores, dtype=np.float64)
    spread = float(reference.std())
    if spread < EPS:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores.astype(np.float64) - float(reference.mean())) / spread


def fuse(
    lex: np.ndarray, lex_top: np.ndarray, dense: np.ndarray, dense_top: np.ndarray, lex_weight: float
) -> np.ndarray:
    """Weighted mean of the two z-scores of each candidate (weights: lexical coverage, 1)."""
    weight = min(max(lex_weight, 0.0), 1.0)
    fused: np.ndarray = (weight * zscores(lex, lex_top) + zscores(dense, dense_top)) / (1.0 + weight)
    return fused


Fuser = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]
"""(lex, lex_reference, dense, dense_reference, lexical_weight) -> fused score per candidate."""


def fuse_unweighted(
    lex: np.ndarray, lex_top: np.ndarray, dense: np.ndarray, dense_top: np.ndarray, lex_weight: float
) -> np.ndarray:
    """Ablation: z-scores summed with equal weights (no lexical-coverage weight)."""
    return fuse(lex, lex_top, dense, dense_top, 1.0)


def fuse_rrf(
    lex: np.ndarray, lex_top: np.ndarray, dense: np.ndarray, dense_top: np.ndarray, lex_weight: float
) -> np.ndarray:
    """Baseline: equal-weight reciprocal rank fusion over the candidates (k = 60)."""
    return rrf([ranks(lex), ranks(dense)])


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each entry (1 = highest score); ties keep their order."""
    out = np.empty(len(scores), dtype=np.int64)
    out[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return out


def rrf(rank_lists: list[np.ndarray], k: float = 60.0, weights: list[float] | None = None) -> np.ndarray:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the retrievers."""
    weights = weights or [1.0] * len(rank_lists)
    fused: np.ndarray = np.sum([w / (k + r) for w, r in zip(weights, rank_lists, strict=True)], axis=0)
    return fused


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (argpartition, then sort the few)."""
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return part[np.argsort(-scores[part], kind="stable")]
