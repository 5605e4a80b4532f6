"""Test helpers: write documents and chunks straight into the knowledge tables (as ingestion would)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.models import Chunk, CorpusState, Document


def bump_version(session: Session) -> int:
    state = session.get(CorpusState, 1)
    if state is None:
        state = CorpusState(id=1, version=0)
    state.version += 1
    session.add(state)
    return state.version


def add_doc(
    engine: Engine,
    doc_id: str,
    texts: Sequence[str],
    *,
    lang: str = "vi",
    title: str | None = None,
    region: str | None = None,
    program: str | None = None,
) -> list[int]:
    """Add one active document with one chunk per text; returns the chunk row ids."""
    with Session(engine) as session, session.begin():
        doc = Document(doc_id=doc_id, title=title or doc_id, lang=lang, region=region, program=program)
        session.add(doc)
        session.flush()
        chunks = [
            Chunk(document_pk=doc.id or 0, doc_id=doc_id, position=i, text=t,
                  text_hash=hashlib.sha256(t.encode()).hexdigest())
            for i, t in enumerate(texts)
        ]  # fmt: skip
        session.add_all(chunks)
        bump_version(session)
        session.flush()
        return [c.id or 0 for c in chunks]


def remove_doc(engine: Engine, doc_id: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(Document).where(Document.doc_id == doc_id).values(status="removed"))  # type: ignore[arg-type]
        session.execute(delete(Chunk).where(Chunk.doc_id == doc_id))  # type: ignore[arg-type]
        bump_version(session)
