"""Dense vectors of single sentences, cached in SQL beside the chunk vectors.

The answer extractor compares the question's vector (the one search already computed) with the
vector of each candidate sentence. Sentence vectors live in `kb_embedding` like chunk vectors,
keyed by `sentence_hash(text)` (a hash of the sentence with a prefix, so it can never collide with
a chunk's text hash) and the embedder's name. They are computed when a chunk is first embedded
(`embed_chunk_sentences`, called from `retrieval.corpus.embed_records`), so start-up never embeds
anything; a sentence of a chunk embedded before this existed is embedded once, on first use, and
stored. An in-process LRU keeps the vectors of recently used sentences.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy.engine import Engine

from retrieval.embedders import Embedder
from retrieval.searcher import Searcher, VectorSearcher
from retrieval.sentences import passage_sentences

MAX_CACHED = 50_000

Similarity = Callable[[list[str]], list[float]]
"""`similarity(sentences)`: the cosine of the question's vector with each sentence's."""


def sentence_hash(text: str) -> str:
    return hashlib.sha256(("sentence\x00" + text).encode("utf-8")).hexdigest()


def chunk_sentences(texts: Iterable[str]) -> list[str]:
    """The distinct sentences the extractor will see in these chunk texts."""
    out: dict[str, None] = {}
    for text in texts:
        for span in passage_sentences(text):
            out.setdefault(span.text, None)
    return list(out)


def wanted(embedder: Embedder) -> bool:
    """Sentence vectors are used (so worth computing) only with an embedder the sentence scorer
    was fitted for; with any other (e.g. the tests' hash embedder) the lexical scorer runs."""
    from retrieval.sentence_model import SENTENCE_MODEL_PATH, SentenceModel

    name = embedder.name
    stamp = SENTENCE_MODEL_PATH.stat().st_mtime_ns if SENTENCE_MODEL_PATH.exists() else 0
    key = (str(name), stamp)
    if key not in _WANTED:
        _WANTED[key] = SentenceModel.load(embedder=name).meta.get("embedder") == name
    return _WANTED[key]


_WANTED: dict[tuple[str, int], bool] = {}


def embed_chunk_sentences(engine: Engine, embedder: Embedder, texts: Iterable[str], batch: int = 32, *,
                          force: bool = False) -> int:
    """Embed and store the sentences of these chunk texts that the cache lacks (when the embedder
    is one the sentence scorer uses); returns how many were embedded."""
    from retrieval.corpus import cached_vectors, store_vectors

    if not force and not wanted(embedder):
        return 0
    sentences = chunk_sentences(texts)
    by_hash = {sentence_hash(s): s for s in sentences}
    have = cached_vectors(engine, embedder, by_hash)
    todo = [h for h in by_hash if h not in have]
    for i in range(0, len(todo), batch):
        part = todo[i : i + batch]
        vecs = embedder.embed_passages([by_hash[h] for h in part])
        store_vectors(engine, embedder, dict(zip(part, vecs, strict=True)))
    return len(todo)


class SentenceVectors:
    """Sentence text → unit vector, from memory, else SQL, else embedded once and stored."""

    def __init__(self, engine: Engine, embedder: Embedder) -> None:
        self.engine = engine
        self.embedder = embedder
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.embedded = 0

    def get(self, sentences: Sequence[str]) -> np.ndarray:
        from retrieval.corpus import cached_vectors, store_vectors

        out: dict[str, np.ndarray] = {}
        with self._lock:
            for s in sentences:
                v = self._lru.get(s)
                if v is not None:
                    self._lru.move_to_end(s)
                    out[s] = v
        missing = [s for s in dict.fromkeys(sentences) if s not in out]
        if missing:
            by_hash = {sentence_hash(s): s for s in missing}
            found = cached_vectors(self.engine, self.embedder, by_hash)
            todo = [h for h in by_hash if h not in found]
            if todo:
                vecs = self.embedder.embed_passages([by_hash[h] for h in todo])
                fresh = dict(zip(todo, (np.asarray(v, dtype=np.float32) for v in vecs), strict=True))
                store_vectors(self.engine, self.embedder, fresh)
                found.update(fresh)
                self.embedded += len(todo)
            with self._lock:
                for h, s in by_hash.items():
                    out[s] = found[h]
                    self._lru[s] = found[h]
                while len(self._lru) > MAX_CACHED:
                    self._lru.popitem(last=False)
        if not sentences:
            return np.zeros((0, int(self.embedder.dim)), dtype=np.float32)
        return np.stack([out[s] for s in sentences]).astype(np.float32)


_BY_SEARCH: dict[int, SentenceVectors] = {}


def for_search(search: Searcher) -> SentenceVectors | None:
    """The sentence-vector store of a search service (one per service); None for a search without
    an embedder (e.g. the tests' fakes)."""
    if not isinstance(search, VectorSearcher):
        return None
    engine, embedder = search.engine, search.embedder
    key = id(search)
    store = _BY_SEARCH.get(key)
    if store is None or store.engine is not engine or store.embedder is not embedder:
        store = _BY_SEARCH[key] = SentenceVectors(engine, embedder)
    return store


def sentence_similarity(search: Searcher, question: str, *, force: bool = False) -> Similarity | None:
    """A function sentences → their cosine with the question's vector (the one the last search for
    `question` computed), or None when either side has no vectors (then the lexical scorer is used)."""
    store = for_search(search)
    qvec = search.query_vector(question) if isinstance(search, VectorSearcher) else None
    if store is None or qvec is None or not (force or wanted(store.embedder)):
        return None

    def similarity(sentences: list[str]) -> list[float]:
        if not sentences:
            return []
        vecs = store.get(sentences)
        return [float(x) for x in vecs @ np.asarray(qvec, dtype=np.float32)]

    return similarity
