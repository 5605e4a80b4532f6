"""The other chunks of the best documents, so an answer can come from any part of them.

Search returns one chunk per document (its best); the sentence that answers may sit in a sibling
chunk of that same document. `with_siblings` reads those chunks from SQL (the source of truth:
`kb_chunk` of active documents) and adds them right after their document's hit, carrying its
metadata and score. Without an engine (e.g. a fake search) the hits are returned unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from knowledge.models import Chunk, CorpusState, Document
from retrieval.sentences import content_terms, plain

MAX_SIBLINGS = 24
"""Per document: the chunks nearest (by position) to the retrieved one, for very long documents."""


def _siblings(engine: Any, doc_ids: Sequence[str]) -> dict[str, list[tuple[int, int, str]]]:
    stmt = (
        select(Chunk.doc_id, Chunk.id, Chunk.position, Chunk.text)  # type: ignore[call-overload]
        .join(Document, Document.id == Chunk.document_pk)
        .where(Document.status == "active", Chunk.doc_id.in_(list(doc_ids)))  # type: ignore[attr-defined]
        .order_by(Chunk.doc_id, Chunk.position)
    )
    out: dict[str, list[tuple[int, int, str]]] = {}
    with Session(engine) as session:
        for doc_id, chunk_id, position, text in session.execute(stmt):
            out.setdefault(str(doc_id), []).append((int(chunk_id), int(position), str(text)))
    return out


def with_siblings(search: Any, hits: Sequence[Any], top_docs: int = 2) -> list[Any]:
    """`hits`, with the other chunks of the first `top_docs` documents inserted after their hit."""
    engine = getattr(search, "engine", None)
    lead = [h for h in hits[:top_docs] if getattr(h, "kind", "document") == "document"]
    if engine is None or not lead:
        return list(hits)
    try:
        chunks = _siblings(engine, [h.doc_id for h in lead])
    except Exception:  # the answer must not fail because context could not be read
        return list(hits)
    present = {h.chunk_id for h in hits}
    out: list[Any] = []
    for h in hits:
        out.append(h)
        if h not in lead:
            continue
        near = sorted((c for c in chunks.get(h.doc_id, []) if c[0] not in present),
                      key=lambda c: abs(c[1] - h.position))[:MAX_SIBLINGS]
        for chunk_id, position, text in sorted(near, key=lambda c: c[1]):
            out.append(replace(h, chunk_id=chunk_id, position=position, text=text))
    return out


_IDF_CACHE: dict[int, tuple[int, dict[str, float]]] = {}


def _corpus_version(engine: Any) -> int:
    with Session(engine) as session:
        row = session.execute(select(CorpusState.version).where(CorpusState.id == 1)).first()  # type: ignore[call-overload]
    return int(row[0]) if row else 0


def term_idf(search: Any) -> dict[str, float] | None:
    """IDF of every content word over the whole knowledge base (active chunks; `log(1 + N/(1+df))`),
    cached per corpus version; a word the KB never uses weighs `unknown_idf(...)`. None without an
    engine (e.g. a fake search) or when the KB cannot be read: the caller then weighs words alike."""
    engine = getattr(search, "engine", None)
    if engine is None:
        return None
    try:
        version = _corpus_version(engine)
        cached = _IDF_CACHE.get(id(engine))
        if cached is not None and cached[0] == version:
            return cached[1]
        stmt = (select(Chunk.text)  # type: ignore[call-overload]
                .join(Document, Document.id == Chunk.document_pk)
                .where(Document.status == "active"))
        df: dict[str, int] = {}
        n = 0
        with Session(engine) as session:
            for (text,) in session.execute(stmt):
                n += 1
                for t in {plain(w) for w in content_terms(str(text), marks=True)}:
                    df[t] = df.get(t, 0) + 1
    except Exception:  # confidence must not fail because the KB could not be read
        return None
    idf = {t: math.log(1.0 + n / (1.0 + c)) for t, c in df.items()}
    idf[UNKNOWN] = math.log(1.0 + n)
    _IDF_CACHE[id(engine)] = (version, idf)
    return idf


UNKNOWN = ""
"""The key under which `term_idf` stores the weight of a word absent from the knowledge base."""
