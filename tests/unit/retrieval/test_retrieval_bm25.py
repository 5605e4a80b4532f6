"""BM25 (bm25s, Lucene variant) against a brute-force implementation of the formula.

Lucene (8+) drops the constant (k1 + 1) factor of the numerator; so does the oracle."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from retrieval.bm25 import K1, B, BM25Index


def oracle(corpus: list[list[str]], query: list[str], k1: float = K1, b: float = B) -> list[float]:
    n = len(corpus)
    avgdl = sum(len(d) for d in corpus) / n
    df = Counter(t for d in corpus for t in set(d))
    out = []
    for doc in corpus:
        tf = Counter(doc)
        score = 0.0
        for t in query:
            if tf[t] == 0:
                continue
            idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            score += idf * tf[t] / (tf[t] + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_match_the_oracle(seed: int) -> None:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(30)]
    corpus = [[rng.choice(vocab) for _ in range(rng.randint(1, 25))] for _ in range(40)]
    index = BM25Index(corpus)
    for _ in range(10):
        query = rng.sample(vocab, 3)
        assert np.allclose(index.scores(query), oracle(corpus, query), rtol=1e-4, atol=1e-5)


def test_unknown_or_empty_query_scores_zero() -> None:
    index = BM25Index([["a", "b"], ["c"]])
    assert index.scores(["zzz"]).tolist() == [0.0, 0.0]
    assert index.scores([]).tolist() == [0.0, 0.0]
    assert index.coverage(["a", "zzz"]) == 0.5


def test_empty_index() -> None:
    index = BM25Index([])
    assert index.scores(["a"]).shape == (0,)
    assert index.coverage(["a"]) == 0.0
