"""Lexical BM25 (Lucene variant) with bm25s as the scoring core, over integer token ids.

Tokens are kept as int32 arrays against a shared, append-only `Vocabulary` (20,000 chunks of
~600 tokens as Python strings cost ~700 MB; as ids ~50 MB). The per-(term, document) score matrix
that bm25s scores queries with is computed here in a few vectorized numpy passes (seconds faster
than bm25s's own per-document loops); tests check it against a brute-force implementation of the
formula. Every add/remove changes the IDF of the whole corpus, so an update recomputes the matrix
from the cached token ids (no re-analysis, no re-embedding).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np

K1 = 1.2
B = 0.75


class Vocabulary:
    """token ↔ id, append-only; `copy()` before adding when the old one is still in use."""

    def __init__(self, words: Sequence[str] = ()) -> None:
        self.words: list[str] = list(words)
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def copy(self) -> Vocabulary:
        clone = Vocabulary()
        clone.words, clone.index = list(self.words), dict(self.index)
        return clone

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of these tokens, adding the new ones."""
        ids = np.empty(len(tokens), dtype=np.int32)
        for i, token in enumerate(tokens):
            tid = self.index.get(token)
            if tid is None:
                tid = self.index[token] = len(self.words)
                self.words.append(token)
            ids[i] = tid
        return ids

    def known(self, tokens: Sequence[str]) -> list[int]:
        return [self.index[t] for t in tokens if t in self.index]


def score_matrix(docs: Sequence[np.ndarray], n_vocab: int, k1: float, b: float) -> dict[str, object]:
    """bm25s's CSC score matrix (rows = terms): Lucene idf · tf / (tf + k1·(1 − b + b·dl/avgdl))."""
    n = len(docs)
    lengths = np.array([len(d) for d in docs], dtype=np.int64)
    terms = np.concatenate(docs).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    pairs, tf = np.unique(terms * max(n, 1) + doc_of, return_counts=True)
    term, doc = pairs // max(n, 1), pairs % max(n, 1)
    df = np.bincount(term, minlength=n_vocab)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    norm = k1 * (1.0 - b + b * lengths / max(lengths.mean() if n else 1.0, 1e-9))
    data = idf[term] * tf / (tf + norm[doc])
    indptr = np.concatenate([[0], np.cumsum(df)])
    return {"data": data.astype(np.float32), "indices": doc.astype(np.int32),
            "indptr": indptr.astype(np.int32), "num_docs": n}  # fmt: skip


class BM25Index:
    def __init__(
        self, docs: Sequence[Sequence[str]] | None = None, *, token_ids: Sequence[np.ndarray] | None = None,
        vocab: Vocabulary | None = None, k1: float = K1, b: float = B,
    ) -> None:  # fmt: skip
        """From token lists (`docs`), or from `token_ids` encoded with `vocab`."""
        self.vocab = vocab if vocab is not None else Vocabulary()
        if token_ids is None:
            token_ids = [self.vocab.encode(list(d)) for d in (docs or [])]
        self.size = len(token_ids)
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._model = bm25s.BM25(k1=k1, b=b, method="lucene")
        # set the fields exactly as bm25s's own BM25.load() does for a saved Lucene index
        self._model.scores = score_matrix(token_ids, len(self.vocab), k1, b)
        self._model.vocab_dict = self.vocab.index
        self._model.nonoccurrence_array = None
        self._n_vocab = len(self.vocab)  # ids added later by a newer snapshot are not ours

    def vocab_ids(self, query_tokens: Sequence[str]) -> list[int]:
        return [i for i in self.vocab.known(query_tokens) if i < self._n_vocab]

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every indexed position (zeros when no query token is known)."""
        ids = self.vocab_ids(query_tokens)
        if not self.size or not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)

    def coverage(self, query_tokens: Sequence[str]) -> float:
        """Share of the query's tokens the corpus knows at all (0 for a query in another language
        or script): a cheap signal of how much the lexical retriever can say about this query."""
        if not query_tokens:
            return 0.0
        ids = self.vocab_ids(query_tokens)
        df = np.diff(self._model.scores["indptr"])
        return sum(1 for i in ids if df[i] > 0) / len(query_tokens)
