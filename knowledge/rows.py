"""Row-level helpers of the knowledge store: which document an add targets, and row ↔ value types."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict, TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, QueryableAttribute, defer
from sqlmodel import Session, col

from knowledge.errors import IngestError
from knowledge.ingest.chunking import ChunkSpan
from knowledge.ingest.pipeline import Prepared
from knowledge.models import Document, utcnow
from knowledge.types import AddResult, DocInfo

BATCH = 500
T = TypeVar("T")
TEXT_COLUMN = cast("QueryableAttribute[str]", Document.text)  # the class attribute, seen as str by the type checker

_LOOKUPS: dict[str, tuple[Mapped[str] | Mapped[str | None], Callable[[Document], str | None]]] = {
    "doc_id": (col(Document.doc_id), lambda d: d.doc_id),
    "url": (col(Document.url), lambda d: d.url),
    "source": (col(Document.source), lambda d: d.source),
    "content_hash": (col(Document.content_hash), lambda d: d.content_hash),
}

def batches(items: Sequence[T], size: int = BATCH) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def same_document(doc: Document, p: Prepared) -> bool:
    """Same text, kind and metadata: re-adding it changes nothing."""
    return (
        doc.content_hash == p.content_hash
        and doc.kind == p.kind
        and (doc.title, doc.lang, doc.url, doc.region, doc.program, doc.published, doc.effective)
        == (p.meta.title, p.meta.lang, p.meta.url, p.meta.region, p.meta.program, p.meta.published, p.meta.effective)
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where one prepared document goes: its id, the active row it replaces, the last version used,
    and (for a repeat of an identical document earlier in the same batch) that document's index."""

    doc_id: str
    old: Document | None
    last_version: int
    alias_of: int | None = None


class Resolver:
    """Finds, for each prepared document, its doc_id, the active row it replaces, its last version."""

    def __init__(self, s: Session, prepared: list[Prepared], match_title: bool) -> None:
        self.s, self.prepared, self.match_title = s, prepared, match_title

    def _active(self, field: str, values: list[str]) -> dict[str, Document]:
        """Active documents whose `field` (doc_id, url, source or content_hash) is one of `values`."""
        column, value_of = _LOOKUPS[field]
        found: dict[str, Document] = {}
        for part in batches(sorted(set(values))):
            stmt = (select(Document).options(defer(TEXT_COLUMN))
                    .where(column.in_(part), col(Document.status) == "active"))
            for doc in self.s.execute(stmt).scalars():
                found.setdefault(value_of(doc) or "", doc)
        return found

    def _pick_id(self, p: Prepared, found: dict[str, dict[str, Document]]) -> str:
        if p.meta.doc_id:
            return p.meta.doc_id
        if p.meta.url and p.meta.url in found["url"]:
            return found["url"][p.meta.url].doc_id
        if p.source and p.source in found["source"]:
            return found["source"][p.source].doc_id
        twin = found["content_hash"].get(p.content_hash)
        if twin is not None and twin.kind == p.kind:
            return twin.doc_id
        if self.match_title and not p.source:
            stmt = select(col(Document.doc_id)).where(
                col(Document.title) == p.meta.title, col(Document.lang) == p.meta.lang,
                col(Document.kind) == p.kind, col(Document.status) == "active",
            )  # fmt: skip
            same_title = self.s.execute(stmt).scalars().first()
            if same_title:
                return str(same_title)
        return p.derived_id

    def _aliases(self) -> list[int | None]:
        """For each document without an explicit id, the index of an earlier identical one."""
        first: dict[tuple[str, str], int] = {}
        out: list[int | None] = []
        for i, p in enumerate(self.prepared):
            key = (p.content_hash, p.kind)
            out.append(None if p.meta.doc_id else first.get(key))
            if not p.meta.doc_id:
                first.setdefault(key, i)
        return out

    def resolve(self) -> list[Target]:
        aliases = self._aliases()
        implicit = [p for p, a in zip(self.prepared, aliases, strict=True) if not p.meta.doc_id and a is None]
        found = {
            "url": self._active("url", [p.meta.url for p in implicit if p.meta.url]),
            "source": self._active("source", [p.source for p in implicit if p.source]),
            "content_hash": self._active("content_hash", [p.content_hash for p in implicit]),
        }
        ids: list[str] = []
        seen: set[str] = set()
        for p, alias in zip(self.prepared, aliases, strict=True):
            doc_id = ids[alias] if alias is not None else self._pick_id(p, found)
            if alias is None and doc_id in seen:
                first = next(q.source for q, i in zip(self.prepared, ids, strict=False) if i == doc_id)
                raise IngestError("ingest.duplicate_id", file=p.source, id=doc_id, first_line="?",
                                  message=f"two documents of this batch would have the same id {{id}} "
                                          f"({first} and {{file}}): a document's id is its front-matter id, "
                                          f"else its file name; add them separately or give each an id")  # fmt: skip
            seen.add(doc_id)
            ids.append(doc_id)
        active = self._active("doc_id", ids)
        versions: dict[str, int] = {}
        for part in batches(sorted(set(ids))):
            stmt = (
                select(col(Document.doc_id), func.max(col(Document.version)))
                .where(col(Document.doc_id).in_(part))
                .group_by(col(Document.doc_id))
            )
            versions.update({str(k): int(v) for k, v in self.s.execute(stmt).all()})
        return [Target(i, active.get(i), versions.get(i, 0), a) for i, a in zip(ids, aliases, strict=True)]


class DocumentValues(TypedDict):
    """Column values of a new Document row (a bulk insert takes them as they are)."""

    doc_id: str
    title: str
    lang: str
    source: str
    url: str | None
    region: str | None
    program: str | None
    published: date | None
    effective: date | None
    kind: str
    status: str
    version: int
    content_hash: str
    added_by: str | None
    meta_json: str
    text: str
    created_at: datetime
    updated_at: datetime


class ChunkValues(TypedDict):
    """Column values of a new Chunk row."""

    document_pk: int
    doc_id: str
    position: int
    text: str
    text_hash: str
    char_start: int
    char_end: int


def document_values(p: Prepared, doc_id: str, version: int, added_by: str | None) -> DocumentValues:
    """Column values of a new Document row."""
    m, now = p.meta, utcnow()
    return DocumentValues(
        doc_id=doc_id, title=m.title or doc_id, lang=m.lang or "", source=p.source[:1000], url=m.url,
        region=m.region, program=m.program, published=m.published, effective=m.effective, kind=p.kind,
        status="active", version=version, content_hash=p.content_hash, added_by=added_by,
        meta_json=json.dumps(m.extra, ensure_ascii=False, default=str), text=p.text, created_at=now, updated_at=now,
    )  # fmt: skip


def chunk_values(document_pk: int, doc_id: str, c: ChunkSpan) -> ChunkValues:
    return ChunkValues(
        document_pk=document_pk, doc_id=doc_id, position=c.position, text=c.text, text_hash=c.text_hash,
        char_start=c.char_start, char_end=c.char_end,
    )  # fmt: skip


def add_result(p: Prepared, doc_id: str, version: int, action: str, source: str,
               previous: int | None = None) -> AddResult:  # fmt: skip
    m = p.meta
    return AddResult(
        doc_id=doc_id, title=m.title or doc_id, lang=m.lang or "", chunks=len(p.chunks), version=version,
        action=action, source=source, kind=p.kind, url=m.url, chars=len(p.text), previous_version=previous,
    )  # fmt: skip


def doc_info(doc: Document, chunks: int, chars: int) -> DocInfo:
    try:
        meta = json.loads(doc.meta_json or "{}")
    except ValueError:
        meta = {}
    return DocInfo(
        doc_id=doc.doc_id, title=doc.title, lang=doc.lang, source=doc.source, url=doc.url, region=doc.region,
        program=doc.program, published=doc.published, effective=doc.effective, chunks=chunks, version=doc.version,
        status=doc.status, kind=doc.kind, added_by=doc.added_by, created_at=doc.created_at, chars=chars,
        content_hash=doc.content_hash, meta=meta if isinstance(meta, dict) else {},
    )  # fmt: skip
