"""Dense retrieval: FAISS inner product over unit vectors, keyed by chunk row id (IndexIDMap2),
so chunks can be added and removed one by one and their vectors read back."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

faiss.omp_set_num_threads(1)  # one query at a time: OpenMP threads only spin against the embedder


class DenseIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
            self.index.add_with_ids(vecs, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Iterable[int]) -> None:
        arr = np.fromiter(ids, dtype=np.int64)
        if len(arr):
            self.index.remove_ids(faiss.IDSelectorBatch(arr))

    def copy(self) -> DenseIndex:
        return DenseIndex(self.dim, faiss.clone_index(self.index))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, scores) for one unit query vector, optionally only among `allowed` ids."""
        k = min(k, self.size if allowed is None else len(allowed))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))  # type: ignore[call-arg]
        scores, ids = self.index.search(q, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of these ids (they must be present)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids])

    def save(self, path: Path) -> None:
        """Write to `path` atomically (temporary file in the same directory, then rename)."""
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, dim: int) -> DenseIndex:
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: dimension {index.d}, expected {dim}")
        return cls(dim, index)
