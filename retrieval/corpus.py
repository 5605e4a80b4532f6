"""Reading the corpus from SQL (the source of truth) and the passage-embedding cache.

Only tables of `knowledge.models` are touched: chunks of active documents and `kb_embedding`
(vectors by (text hash, embedder name)), which this module fills. The corpus version is read
through `knowledge.queries.corpus_version`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TypeVar

import numpy as np
from sqlalchemy import Insert, Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from knowledge.models import Chunk, Document, EmbeddingCache
from retrieval.embedders import Embedder
from retrieval.sentvec import embed_chunk_sentences
from retrieval.types import ChunkRecord, Progress

BATCH = 500
EMBED_BATCH = 16
T = TypeVar("T")


def _batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _record_columns() -> tuple[Mapped[object], ...]:
    c, d = Chunk, Document
    return tuple(col(x) for x in (
        c.id, c.doc_id, d.title, d.lang, c.text, c.text_hash, c.position,
        d.url, d.published, d.region, d.program, d.kind,
    ))  # fmt: skip


def load_records(engine: Engine, ids: Iterable[int] | None = None) -> list[ChunkRecord]:
    """Chunks of active documents (all of them, or those with these row ids), ordered by id."""
    base = (
        select(*_record_columns())
        .join(Document, col(Document.id) == col(Chunk.document_pk))
        .where(col(Document.status) == "active")
    )
    rows: list[Sequence[object]] = []
    with Session(engine) as session:
        if ids is None:
            rows = list(session.execute(base))
        else:
            for part in _batches(sorted(ids)):
                rows.extend(session.execute(base.where(col(Chunk.id).in_(part))))
    records = [_record(tuple(row)) for row in rows]
    records.sort(key=lambda r: r.chunk_id)
    return records


def _record(row: Sequence[object]) -> ChunkRecord:
    cid, doc_id, title, lang, text, text_hash, position, url, published, region, program, kind = row
    return ChunkRecord(
        chunk_id=_int(cid), doc_id=str(doc_id), title=str(title or ""), lang=str(lang or ""), text=str(text),
        text_hash=str(text_hash), position=_int(position or 0), url=_optional(url),
        published=published if isinstance(published, date) else None,
        region=_optional(region), program=_optional(program), kind=str(kind or "document"),
    )  # fmt: skip


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected an integer column, got {type(value).__name__}")
    return value


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def cached_vectors(engine: Engine, embedder: Embedder, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with Session(engine) as session:
        for part in _batches(sorted(set(hashes))):
            stmt = select(col(EmbeddingCache.text_hash), col(EmbeddingCache.vector)).where(
                col(EmbeddingCache.embedder) == embedder.name,
                col(EmbeddingCache.dim) == embedder.dim,
                col(EmbeddingCache.text_hash).in_(part),
            )
            for text_hash, blob in session.execute(stmt):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (embedder.dim,):
                    found[text_hash] = vec
    return found


def store_vectors(engine: Engine, embedder: Embedder, items: dict[str, np.ndarray]) -> None:
    """Add vectors to the cache; a row another process wrote meanwhile is kept as is."""
    rows = [
        {"text_hash": h, "embedder": embedder.name, "dim": embedder.dim,
         "vector": np.asarray(v, dtype=np.float32).tobytes()}
        for h, v in items.items()
    ]  # fmt: skip
    for part in _batches(rows):
        try:
            with Session(engine) as session, session.begin():
                session.execute(_insert_ignore(engine), list(part))
        except IntegrityError:  # a concurrent writer on a dialect without ON CONFLICT
            pass


def _insert_ignore(engine: Engine) -> Insert:
    table: Table = EmbeddingCache.__table__  # type: ignore[attr-defined]
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    return table.insert()


def embed_records(
    engine: Engine, embedder: Embedder, records: Sequence[ChunkRecord], progress: Progress | None = None
) -> np.ndarray:
    """Vectors for these chunks, aligned with them: from the cache when there, else embedded
    (each distinct text once, in batches) and added to the cache."""
    vectors = cached_vectors(engine, embedder, (r.text_hash for r in records))
    todo: dict[str, str] = {}
    for rec in records:
        if rec.text_hash not in vectors:
            todo.setdefault(rec.text_hash, rec.text)
    hashes = list(todo)
    total, done = len(hashes), 0
    if progress is not None:
        progress(0, total)
    for part in _batches(hashes, EMBED_BATCH * 8):
        fresh: dict[str, np.ndarray] = {}
        for sub in _batches(part, EMBED_BATCH):
            embedded = embedder.embed_passages([todo[h] for h in sub])
            fresh.update(zip(sub, embedded, strict=True))
            done += len(sub)
            if progress is not None:
                progress(done, total)
        store_vectors(engine, embedder, fresh)
        vectors.update(fresh)
        embed_chunk_sentences(engine, embedder, [todo[h] for h in part])  # the answer extractor's
    if not records:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([vectors[r.text_hash] for r in records]).astype(np.float32)
