"""The knowledge base: documents and chunks in SQL, versioned, one transaction per operation.

Every write (add, import, remove, rechunk) is one transaction that also bumps
`CorpusState.version`, so the search indexes can tell they are stale. Everything is parsed and
validated before the transaction starts: a bad file or a malformed JSONL line leaves the
database untouched.

Which document does an add replace? In this order: an explicit id (JSONL id, `doc_id=`, `id:` in
front matter / sidecar); else an active document with the same URL; else one with the same
source (file path, or the `source=` given); for `add_text` without a source, one with the same
title, language and kind; else a new id (file: slug of the name + hash of the path). The old
version stays as a `replaced` row (with its text) and loses its chunks; identical text and
metadata give `unchanged` and no new version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from knowledge.errors import IngestError
from knowledge.ingest.jsonl import parse_jsonl
from knowledge.ingest.pipeline import Prepared, iter_files, prepare_file, prepare_text
from knowledge.models import Chunk, CorpusState, Document, utcnow
from knowledge.types import AddResult, ChunkInfo, DocInfo, DocMeta, Progress

BATCH = 500
_META_FIELDS = ("title", "lang", "url", "region", "program", "published", "effective")


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _same(doc: Document, p: Prepared) -> bool:
    return (
        doc.content_hash == p.content_hash
        and doc.kind == p.kind
        and all(getattr(doc, f) == getattr(p.meta, f) for f in _META_FIELDS)
    )


class KnowledgeBase:
    """Synchronous store over a SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- adding -------------------------------------------------------------------------------
    def add_file(self, path: Path | str, meta: DocMeta | None = None, *, added_by: str | None = None,
                 source: str | None = None) -> AddResult:  # fmt: skip
        """Ingest one file. `source` overrides the recorded source (e.g. the original name of a
        chat upload saved to a temporary path) and is what identifies the document."""
        return self._commit([prepare_file(path, meta, source=source)], added_by)[0]

    def add_paths(self, paths: Iterable[Path | str], meta: DocMeta | None = None, progress: Progress | None = None,
                  *, added_by: str | None = None) -> list[AddResult]:  # fmt: skip
        """Ingest files and folders (recursive) in one transaction: all of them or none."""
        files = iter_files(paths)
        prepared: list[Prepared] = []
        for i, file in enumerate(files, start=1):
            prepared.append(prepare_file(file, meta))
            if progress is not None:
                progress(i, len(files))
        return self._commit(prepared, added_by)

    def add_text(self, text: str, meta: DocMeta | None = None, *, doc_id: str | None = None, source: str = "",
                 kind: str = "document", added_by: str | None = None) -> AddResult:  # fmt: skip
        """Ingest a text (a staff upload's body, a curated Q&A with `kind="qa"`)."""
        meta = meta or DocMeta()
        if doc_id:
            meta = meta.with_(doc_id=doc_id)
        prepared = prepare_text(text, meta, source=source, kind=kind)
        return self._commit([prepared], added_by, match_title=not source)[0]

    def import_jsonl(self, path: Path | str, progress: Progress | None = None) -> list[AddResult]:
        """Import a JSONL corpus (ids kept); every line is validated before anything is written."""
        return self._commit(parse_jsonl(path), None, progress=progress)

    # ---- removing -----------------------------------------------------------------------------
    def remove(self, doc_id: str) -> bool:
        """Mark the active version `removed` and delete its chunks. False when there is none."""
        with Session(self.engine) as s, s.begin():
            stmt = select(Document).where(col(Document.doc_id) == doc_id, col(Document.status) == "active")
            doc = s.execute(stmt).scalars().first()
            if doc is None:
                return False
            doc.status, doc.updated_at = "removed", utcnow()
            s.execute(delete(Chunk).where(col(Chunk.document_pk) == doc.id))
            self._bump(s)
        return True

    def rechunk(self, progress: Progress | None = None) -> int:
        """Re-cut every active document from its stored text (after a chunking change)."""
        from knowledge.ingest.chunking import chunk_text

        with Session(self.engine) as s, s.begin():
            docs = list(s.execute(select(Document).where(col(Document.status) == "active")).scalars())
            for i, doc in enumerate(docs, start=1):
                s.execute(delete(Chunk).where(col(Chunk.document_pk) == doc.id))
                s.add_all(self._chunk_rows(doc, chunk_text(doc.text)))
                if progress is not None:
                    progress(i, len(docs))
            self._bump(s)
        return len(docs)

    # ---- reading ------------------------------------------------------------------------------
    def get(self, doc_id: str) -> DocInfo | None:
        """The active version of a document."""
        infos = self._infos(col(Document.doc_id) == doc_id, col(Document.status) == "active")
        return infos[0] if infos else None

    def list_documents(self, include_history: bool = False) -> list[DocInfo]:
        """Active documents (all versions with `include_history`), newest first."""
        return self._infos() if include_history else self._infos(col(Document.status) == "active")

    def history(self, doc_id: str) -> list[DocInfo]:
        """Every version of a document, newest first."""
        return self._infos(col(Document.doc_id) == doc_id)

    def text(self, doc_id: str, version: int | None = None) -> str | None:
        """The full cleaned text of the active (or a given) version."""
        cond = col(Document.version) == version if version is not None else col(Document.status) == "active"
        with Session(self.engine) as s:
            return s.execute(select(col(Document.text)).where(col(Document.doc_id) == doc_id, cond)).scalars().first()

    def chunks(self, doc_id: str) -> list[ChunkInfo]:
        with Session(self.engine) as s:
            rows = s.execute(
                select(
                    col(Chunk.id),
                    col(Chunk.position),
                    col(Chunk.char_start),
                    col(Chunk.char_end),
                    col(Chunk.text),
                    col(Chunk.text_hash),
                )
                .where(col(Chunk.doc_id) == doc_id)
                .order_by(col(Chunk.position))
            ).all()
        return [ChunkInfo(*row) for row in rows]

    def corpus_version(self) -> int:
        with Session(self.engine) as s:
            return int(s.execute(select(col(CorpusState.version)).where(col(CorpusState.id) == 1)).scalar() or 0)

    def count_chunks(self) -> int:
        with Session(self.engine) as s:
            return int(s.execute(select(func.count()).select_from(Chunk)).scalar() or 0)

    def count_documents(self) -> int:
        with Session(self.engine) as s:
            stmt = select(func.count()).select_from(Document).where(col(Document.status) == "active")
            return int(s.execute(stmt).scalar() or 0)

    # ---- internals ----------------------------------------------------------------------------
    def _infos(self, *conds: Any) -> list[DocInfo]:
        counts = select(col(Chunk.document_pk), func.count().label("n")).group_by(col(Chunk.document_pk)).subquery()
        stmt = (
            select(Document, counts.c.n)
            .outerjoin(counts, counts.c.document_pk == col(Document.id))
            .where(*conds)
            .order_by(col(Document.created_at).desc(), col(Document.id).desc())
        )
        with Session(self.engine) as s:
            rows = s.execute(stmt).all()
        return [_info(doc, int(n or 0)) for doc, n in rows]

    def _commit(self, prepared: list[Prepared], added_by: str | None, *, match_title: bool = False,
                progress: Progress | None = None) -> list[AddResult]:  # fmt: skip
        with Session(self.engine) as s, s.begin():
            targets = _Resolver(s, prepared, match_title).resolve()
            results: list[AddResult] = []
            new_docs: list[tuple[Document, Prepared]] = []
            old_pks: list[int] = []
            for p, (doc_id, old, last_version) in zip(prepared, targets, strict=True):
                if old is not None and _same(old, p):
                    results.append(_result(old, p, "unchanged", count=len(p.chunks)))
                    continue
                if old is not None:
                    old.status, old.updated_at = "replaced", utcnow()
                    old_pks.append(int(old.id or 0))
                doc = _new_document(p, doc_id, last_version + 1, added_by)
                new_docs.append((doc, p))
                results.append(_result(doc, p, "replaced" if old is not None else "added"))
            for part in _batches(old_pks):
                s.execute(delete(Chunk).where(col(Chunk.document_pk).in_(part)))
            s.add_all([d for d, _ in new_docs])
            s.flush()
            for i, (doc, p) in enumerate(new_docs, start=1):
                s.add_all(self._chunk_rows(doc, p.chunks))
                if progress is not None and (i % 200 == 0 or i == len(new_docs)):
                    progress(i, len(new_docs))
            if new_docs:
                self._bump(s)
        return results

    @staticmethod
    def _chunk_rows(doc: Document, chunks: Sequence[Any]) -> list[Chunk]:
        pk = int(doc.id or 0)
        fields = ("position", "text", "text_hash", "char_start", "char_end")
        return [Chunk(document_pk=pk, doc_id=doc.doc_id, **{f: getattr(c, f) for f in fields}) for c in chunks]

    @staticmethod
    def _bump(s: Session) -> None:
        state = s.get(CorpusState, 1, with_for_update=True)
        if state is None:
            state = CorpusState(id=1, version=0)
            s.add(state)
        state.version += 1
        state.updated_at = utcnow()


class _Resolver:
    """Finds, for each prepared document, its doc_id, the active row it replaces, its last version."""

    def __init__(self, s: Session, prepared: list[Prepared], match_title: bool) -> None:
        self.s, self.prepared, self.match_title = s, prepared, match_title

    def _active(self, column: Any, values: list[str]) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for part in _batches(sorted(set(values))):
            stmt = select(Document).where(column.in_(part), col(Document.status) == "active")
            for doc in self.s.execute(stmt).scalars():
                found.setdefault(getattr(doc, column.key), doc)
        return found

    def _pick_id(self, p: Prepared, by_url: dict[str, Document], by_source: dict[str, Document]) -> str:
        if p.meta.doc_id:
            return p.meta.doc_id
        if p.meta.url and p.meta.url in by_url:
            return by_url[p.meta.url].doc_id
        if p.source and p.source in by_source:
            return by_source[p.source].doc_id
        if self.match_title and not p.source:
            stmt = select(col(Document.doc_id)).where(
                col(Document.title) == p.meta.title, col(Document.lang) == p.meta.lang,
                col(Document.kind) == p.kind, col(Document.status) == "active",
            )  # fmt: skip
            same_title = self.s.execute(stmt).scalars().first()
            if same_title:
                return str(same_title)
        return p.derived_id

    def resolve(self) -> list[tuple[str, Document | None, int]]:
        implicit = [p for p in self.prepared if not p.meta.doc_id]
        by_url = self._active(col(Document.url), [p.meta.url for p in implicit if p.meta.url])
        by_source = self._active(col(Document.source), [p.source for p in implicit if p.source])
        ids = [self._pick_id(p, by_url, by_source) for p in self.prepared]
        seen: dict[str, Prepared] = {}
        for doc_id, p in zip(ids, self.prepared, strict=True):
            if doc_id in seen:
                raise IngestError("ingest.duplicate_id", file=p.source, id=doc_id, first_line="?",
                                  message="two documents of this batch would have the same id {id}")  # fmt: skip
            seen[doc_id] = p
        active = self._active(col(Document.doc_id), ids)
        versions: dict[str, int] = {}
        for part in _batches(sorted(set(ids))):
            stmt = (
                select(col(Document.doc_id), func.max(col(Document.version)))
                .where(col(Document.doc_id).in_(part))
                .group_by(col(Document.doc_id))
            )
            versions.update({str(k): int(v) for k, v in self.s.execute(stmt).all()})
        return [(i, active.get(i), versions.get(i, 0)) for i in ids]


def _new_document(p: Prepared, doc_id: str, version: int, added_by: str | None) -> Document:
    m = p.meta
    return Document(
        doc_id=doc_id, title=m.title or doc_id, lang=m.lang or "", source=p.source[:1000], url=m.url,
        region=m.region, program=m.program, published=m.published, effective=m.effective, kind=p.kind,
        status="active", version=version, content_hash=p.content_hash, added_by=added_by,
        meta_json=json.dumps(m.extra, ensure_ascii=False, default=str), text=p.text,
    )  # fmt: skip


def _result(doc: Document, p: Prepared, action: str, count: int | None = None) -> AddResult:
    return AddResult(
        doc_id=doc.doc_id, title=doc.title, lang=doc.lang, chunks=len(p.chunks) if count is None else count,
        version=doc.version, action=action, source=doc.source, kind=doc.kind, url=doc.url, chars=len(p.text),
    )  # fmt: skip


def _info(doc: Document, chunks: int) -> DocInfo:
    try:
        meta = json.loads(doc.meta_json or "{}")
    except ValueError:
        meta = {}
    return DocInfo(
        doc_id=doc.doc_id, title=doc.title, lang=doc.lang, source=doc.source, url=doc.url, region=doc.region,
        program=doc.program, published=doc.published, effective=doc.effective, chunks=chunks, version=doc.version,
        status=doc.status, kind=doc.kind, added_by=doc.added_by, created_at=doc.created_at, chars=len(doc.text or ""),
        content_hash=doc.content_hash, meta=meta if isinstance(meta, dict) else {},
    )  # fmt: skip
