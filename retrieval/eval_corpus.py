"""Loading an evaluation corpus (JSONL) into a data directory's database.

Uses `knowledge.store.KnowledgeBase.import_jsonl` (the real ingestion). Until that module exists,
a stand-in stores the documents parsed and chunked by `knowledge.ingest` directly, one transaction
for the whole file, so evaluations and benchmarks run on the same chunks either way.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from knowledge.models import Chunk, CorpusState, Document
from retrieval.types import Progress


def corpus_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                ids.add(str(json.loads(line)["id"]))
    return ids


def active_doc_ids(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.execute(select(col(Document.doc_id)).where(col(Document.status) == "active"))
        return {r[0] for r in rows}


def import_corpus(engine: Engine, path: Path, progress: Progress | None = None) -> bool:
    """Store the corpus unless every one of its documents is already active. True if imported."""
    try:
        if corpus_ids(path) <= active_doc_ids(engine):
            return False
    except (KeyError, ValueError, TypeError):
        pass  # let the importer report the bad line
    try:
        from knowledge.store import KnowledgeBase
    except ModuleNotFoundError:
        _import_direct(engine, path, progress)
        return True
    KnowledgeBase(engine).import_jsonl(path, progress=progress)
    return True


def _import_direct(engine: Engine, path: Path, progress: Progress | None) -> None:
    from knowledge.ingest.jsonl import parse_jsonl

    docs = parse_jsonl(path)
    with Session(engine) as session, session.begin():
        for i, prep in enumerate(docs, 1):
            meta = prep.meta
            doc = Document(
                doc_id=meta.doc_id or prep.derived_id, title=meta.title or "", lang=meta.lang or "",
                source=prep.source, url=meta.url, region=meta.region, program=meta.program,
                published=meta.published, effective=meta.effective, kind=prep.kind,
                content_hash=prep.content_hash,
            )  # fmt: skip
            session.add(doc)
            session.flush()
            session.add_all(
                Chunk(document_pk=doc.id or 0, doc_id=doc.doc_id, position=c.position, text=c.text,
                      text_hash=c.text_hash, char_start=c.char_start, char_end=c.char_end)
                for c in prep.chunks
            )  # fmt: skip
            if progress is not None:
                progress(i, len(docs))
        state = session.get(CorpusState, 1) or CorpusState(id=1, version=0)
        state.version += 1
        session.add(state)
