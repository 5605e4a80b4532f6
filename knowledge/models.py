"""What the bot knows, as stored in SQL (the source of truth; indexes are derived caches)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel


def utcnow() -> datetime:
    """The current time, aware and in UTC (how every table of the project stores time)."""
    return datetime.now(UTC)


class RowWithId(Protocol):
    """A table row whose primary key is `id`, filled in by the database on insert."""

    @property
    def id(self) -> int | None: ...


def insert_returning_id(engine: Engine, row: RowWithId) -> int:
    """Insert one row in its own transaction and return its new primary key."""
    with Session(engine) as s:
        s.add(row)
        s.commit()
        s.refresh(row)
        new_id = row.id
        assert new_id is not None
        return int(new_id)


class Document(SQLModel, table=True):
    """One version of one document. Replacing a document keeps the old row with status `replaced`."""

    __tablename__ = "kb_document"

    id: int | None = Field(default=None, primary_key=True)
    doc_id: str = Field(index=True, max_length=200)
    """Stable external id (JSONL id, or derived from the source); shared by all versions."""
    title: str = Field(max_length=500)
    lang: str = Field(max_length=8, index=True)
    source: str = Field(default="", max_length=1000)
    """The file path or URL the document came from."""
    url: str | None = Field(default=None, max_length=1000)
    region: str | None = Field(default=None, max_length=100, index=True)
    program: str | None = Field(default=None, max_length=100, index=True)
    published: date | None = None
    effective: date | None = None
    kind: str = Field(default="document", max_length=20)
    """`document`, or `qa` for a curated question-answer entry written by staff."""
    status: str = Field(default="active", max_length=20, index=True)
    """`active`, `replaced` (an older version kept for history) or `removed`."""
    version: int = 1
    content_hash: str = Field(default="", max_length=64)
    added_by: str | None = Field(default=None, max_length=200)
    meta_json: str = Field(default="{}")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    """The full cleaned text of this version (kept for history and re-chunking)."""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Chunk(SQLModel, table=True):
    """A retrievable passage of an active document. Its row id is the id used in every index."""

    __tablename__ = "kb_chunk"

    id: int | None = Field(default=None, primary_key=True)
    document_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("kb_document.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    doc_id: str = Field(index=True, max_length=200)
    position: int = 0
    text: str
    text_hash: str = Field(max_length=64, index=True)
    char_start: int = 0
    char_end: int = 0


class EmbeddingCache(SQLModel, table=True):
    """Passage embeddings by (text hash, embedder name): re-indexing never re-embeds unchanged text."""

    __tablename__ = "kb_embedding"
    __table_args__ = (UniqueConstraint("text_hash", "embedder"),)

    id: int | None = Field(default=None, primary_key=True)
    text_hash: str = Field(max_length=64)
    embedder: str = Field(max_length=300)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CorpusState(SQLModel, table=True):
    """A single row: the corpus version, bumped in the same transaction as every change."""

    __tablename__ = "kb_corpus_state"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
