"""Typed reads of the knowledge tables for the packages above (retrieval, bot).

The store (knowledge/store.py) writes; these functions are how anything else reads `kb_*` tables,
so no other package writes SQL over them:

- `corpus_version(engine)`: the version every write of the knowledge base bumps — the one accessor
  of it (the search indexes, the answerer's caches, /healthz and /metrics all read it here).
- `sibling_chunks(engine, doc_ids)`: the chunks of these active documents, in position order.
- `active_chunk_texts(engine)`: the text of every chunk of the active documents (corpus statistics).

Each takes an explicit engine and lets database errors (`SQLAlchemyError`) propagate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from knowledge.models import Chunk, CorpusState, Document


@dataclass(frozen=True, slots=True)
class ChunkText:
    """One chunk of a document: its row id (the id every index uses), position and text."""

    chunk_id: int
    position: int
    text: str


def corpus_version(engine: Engine) -> int:
    """The corpus version (0 before the first write), read on a raw connection without an explicit
    transaction: on SQLite every SQLAlchemy transaction starts with BEGIN IMMEDIATE (a write lock),
    and this read runs before every search, so it must never queue behind an ingestion that writes."""
    sql = f"SELECT version FROM {CorpusState.__tablename__} WHERE id = 1"
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(sql)
            row = cursor.fetchone()
        finally:
            cursor.close()
        conn.rollback()  # ends PostgreSQL's implicit read transaction; a no-op for SQLite
    except engine.dialect.loaded_dbapi.Error as exc:  # the driver's own error, as SQLAlchemy would raise it
        raise DBAPIError.instance(sql, None, exc, engine.dialect.loaded_dbapi.Error) from exc
    finally:
        conn.close()
    return int(row[0]) if row and row[0] is not None else 0


def sibling_chunks(engine: Engine, doc_ids: Sequence[str]) -> dict[str, list[ChunkText]]:
    """Every chunk of the active versions of `doc_ids`, by doc id, in position order."""
    if not doc_ids:
        return {}
    stmt = (
        select(col(Chunk.doc_id), col(Chunk.id), col(Chunk.position), col(Chunk.text))
        .join(Document, col(Document.id) == col(Chunk.document_pk))
        .where(col(Document.status) == "active", col(Chunk.doc_id).in_(list(doc_ids)))
        .order_by(col(Chunk.doc_id), col(Chunk.position))
    )
    out: dict[str, list[ChunkText]] = {}
    with engine.connect() as conn:
        for doc_id, chunk_id, position, text in conn.execute(stmt):
            if chunk_id is not None:  # a stored row always has its id
                out.setdefault(str(doc_id), []).append(ChunkText(chunk_id, int(position), str(text)))
    return out


def active_chunk_texts(engine: Engine) -> Iterator[str]:
    """The text of every chunk of the active documents, streamed (the connection stays open until
    the iteration ends)."""
    stmt = (
        select(col(Chunk.text))
        .join(Document, col(Document.id) == col(Chunk.document_pk))
        .where(col(Document.status) == "active")
    )
    with engine.connect() as conn:
        for (text,) in conn.execute(stmt):
            yield str(text)
