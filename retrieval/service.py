"""`SearchService`: the local indexes, kept in step with the corpus in SQL, and hybrid search.

* Start-up loads the persisted snapshot (no re-embedding); a missing or corrupt one is rebuilt
  from the database; one made with another embedder keeps its records and token lists and takes
  its vectors from the SQL embedding cache (or embeds them).
* `refresh()` compares the corpus version in SQL with the snapshot's: unchanged → one cheap
  SELECT; changed → chunks added/removed by row id, only new texts embedded, new snapshot saved
  and swapped in under a lock. `search()` calls it first (a search never waits for a refresh
  another thread is running: it uses the current snapshot).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from knowledge.queries import corpus_version
from retrieval import persist
from retrieval.corpus import embed_records, load_records
from retrieval.dense import DenseIndex
from retrieval.embedders import Embedder
from retrieval.fusion import Fuser, fuse
from retrieval.hybrid import HybridIndex
from retrieval.types import MODES, ChunkRecord, Progress, SearchHit

log = logging.getLogger(__name__)


class SearchService:
    def __init__(
        self, engine: Engine, index_dir: Path, embedder: Embedder, *, auto_refresh: bool = True,
        fuser: Fuser = fuse,
    ) -> None:  # fmt: skip
        """`fuser`: the hybrid score-fusion rule (see retrieval.fusion); others are for experiments."""
        self.fuser = fuser
        self.engine = engine
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.auto_refresh = auto_refresh
        self._swap_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._index: HybridIndex | None = None
        self._loaded_from_disk = False
        self._qvecs: OrderedDict[str, tuple[np.ndarray, str]] = OrderedDict()
        self._load_saved()

    # -- state ---------------------------------------------------------------------------------

    @property
    def corpus_version(self) -> int:
        """The corpus version the in-memory indexes reflect (-1 before the first build)."""
        index = self._index
        return index.version if index is not None else -1

    def stats(self) -> dict[str, str | int | bool]:
        index = self._index
        return {
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "corpus_version": self.corpus_version,
            "chunks": len(index.records) if index else 0,
            "documents": len({r.doc_id for r in index.records}) if index else 0,
            "index_dir": str(self.index_dir),
            "loaded_from_disk": self._loaded_from_disk,
        }

    def _swap(self, index: HybridIndex, *, save: bool = True) -> None:
        if save:
            try:
                persist.save(index, self.index_dir, self.embedder.name)
            except OSError as exc:  # a read-only or full disk must not stop search
                log.warning("could not save the search index in %s: %s", self.index_dir, exc)
        with self._swap_lock:
            self._index = index
        _ = index.restorer  # built here, off the search path (~0.2 s at 20,000 chunks)

    # -- loading and syncing -------------------------------------------------------------------

    def _load_saved(self) -> None:
        try:
            manifest = persist.manifest(self.index_dir)
            if manifest is None:
                return
            if manifest.embedder == self.embedder.name and manifest.dim == self.embedder.dim:
                self._swap(persist.load(self.index_dir, manifest), save=False)
            else:
                records, tokens, vocab = persist.load_meta(self.index_dir, manifest)
                dense = DenseIndex(self.embedder.dim)
                dense.add(np.array([r.chunk_id for r in records], dtype=np.int64),
                          embed_records(self.engine, self.embedder, records))  # fmt: skip
                self._swap(HybridIndex(manifest.corpus_version, records, tokens, vocab, dense))
            self._loaded_from_disk = True
        except persist.IndexFormatError as exc:
            log.warning("search index unreadable, it will be rebuilt from the database: %s", exc)

    def refresh(self, progress: Progress | None = None) -> bool:
        """Bring the indexes up to the database's corpus version. True if anything changed."""
        with self._refresh_lock:
            return self._refresh_locked(progress)

    def _refresh_locked(self, progress: Progress | None) -> bool:
        version = corpus_version(self.engine)
        current = self._index
        if current is not None and current.version == version:
            return False
        records = load_records(self.engine)
        if current is None:
            self._swap(self._build(version, records, progress))
            return True
        new = [r for r in records if r.chunk_id not in current.pos]
        vectors = embed_records(self.engine, self.embedder, new, progress)
        self._swap(current.updated(version, records, {r.chunk_id: v for r, v in zip(new, vectors, strict=True)}))
        return True

    def _build(self, version: int, records: list[ChunkRecord], progress: Progress | None) -> HybridIndex:
        vectors = embed_records(self.engine, self.embedder, records, progress)
        return HybridIndex.build(version, records, vectors, self.embedder.dim)

    def rebuild(self, progress: Progress | None = None) -> None:
        """Rebuild every index from the database (vectors still come from the SQL cache)."""
        with self._refresh_lock:
            version = corpus_version(self.engine)
            self._swap(self._build(version, load_records(self.engine), progress))

    # -- search --------------------------------------------------------------------------------

    def _current(self) -> HybridIndex | None:
        wanted = self.auto_refresh or self._index is None
        if wanted and self._refresh_lock.acquire(blocking=self._index is None):
            try:
                self._refresh_locked(None)
            finally:
                self._refresh_lock.release()
        return self._index

    def search(
        self,
        query: str,
        k: int = 5,
        lang: str | None = None,
        region: str | None = None,
        program: str | None = None,
        mode: str = "hybrid",
    ) -> list[SearchHit]:
        """Top-k hits, best first, at most one chunk per document unless fewer documents match."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        index = self._current()
        if index is None or not query.strip():
            return []
        prepared = index.prepare(query)
        qvec = None
        if mode != "bm25":
            qvec = np.asarray(self.embedder.embed_queries([prepared.dense_text])[0], dtype=np.float32)
            self._remember(query, qvec, prepared.dense_text)
        return index.search(prepared, qvec, k, index.mask(lang, region, program), mode, self.fuser)

    def _remember(self, query: str, qvec: np.ndarray, dense_text: str) -> None:
        with self._swap_lock:
            self._qvecs[query] = (qvec, dense_text)
            self._qvecs.move_to_end(query)
            while len(self._qvecs) > 256:
                self._qvecs.popitem(last=False)

    def query_vector(self, query: str) -> np.ndarray | None:
        """The query vector of a recent search for exactly `query` (the answerer reuses it to
        compare the question with single sentences), else None."""
        with self._swap_lock:
            found = self._qvecs.get(query)
        return found[0] if found is not None else None

    def restored_text(self, query: str) -> str | None:
        """The text a recent search for exactly `query` embedded: abbreviations expanded and, for a
        query typed without diacritics, diacritics restored from the corpus (retrieval/diacritics.py)."""
        with self._swap_lock:
            found = self._qvecs.get(query)
        return found[1] if found is not None else None

    def timed_search(self, query: str, k: int = 5, lang: str | None = None, region: str | None = None,
                     program: str | None = None, mode: str = "hybrid") -> tuple[list[SearchHit], float]:
        """`search` and its wall time in milliseconds (for evaluation and benchmarks)."""
        start = time.perf_counter()
        hits = self.search(query, k, lang, region, program, mode)
        return hits, (time.perf_counter() - start) * 1000.0
