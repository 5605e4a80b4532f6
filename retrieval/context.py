"""What an answer reads around the hits, from the knowledge base (the source of truth).

Search returns one chunk per document (its best); the sentence that answers may sit in a sibling
chunk of that same document. `PassageContext.with_siblings` adds those chunks (read through
`knowledge.queries`) right after their document's hit, carrying its metadata and score.
`PassageContext.term_idf` weighs the words of the whole knowledge base, cached per corpus version
by the context object (one per answerer). A database error while reading either is logged and the
answer goes on without it (no siblings; words weighed alike); nothing else is swallowed.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from knowledge.queries import active_chunk_texts, corpus_version, sibling_chunks
from retrieval.sentences import content_terms, plain
from retrieval.types import SearchHit

log = logging.getLogger(__name__)

MAX_SIBLINGS = 24
"""Per document: the chunks nearest (by position) to the retrieved one, for very long documents."""

UNKNOWN = ""
"""The key under which `term_idf` stores the weight of a word absent from the knowledge base."""


class PassageContext:
    """Sibling chunks and corpus-wide IDF over one knowledge base (`engine`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._idf: tuple[int, dict[str, float] | None] | None = None
        self._idf_lock = threading.Lock()

    def with_siblings(self, hits: Sequence[SearchHit], top_docs: int = 2) -> list[SearchHit]:
        """`hits`, with the other chunks of the first `top_docs` documents inserted after their hit."""
        lead = [h for h in hits[:top_docs] if h.kind == "document"]
        if not lead:
            return list(hits)
        try:
            chunks = sibling_chunks(self.engine, [h.doc_id for h in lead])
        except SQLAlchemyError as exc:  # the answer must not fail because context could not be read
            log.warning("sibling chunks unavailable: %s", type(exc).__name__)
            return list(hits)
        present = {h.chunk_id for h in hits}
        out: list[SearchHit] = []
        for h in hits:
            out.append(h)
            if h not in lead:
                continue
            near = sorted((c for c in chunks.get(h.doc_id, []) if c.chunk_id not in present),
                          key=lambda c: abs(c.position - h.position))[:MAX_SIBLINGS]
            for c in sorted(near, key=lambda c: c.position):
                out.append(replace(h, chunk_id=c.chunk_id, position=c.position, text=c.text))
        return out

    def term_idf(self) -> dict[str, float] | None:
        """IDF of every content word over the active chunks (`log(1 + N/(1+df))`), cached per corpus
        version; a word the KB never uses weighs `idf[UNKNOWN]`. None when the knowledge base is empty
        or cannot be read: the caller then weighs words alike."""
        try:
            version = corpus_version(self.engine)
            cached = self._idf
            if cached is not None and cached[0] == version:
                return cached[1]
            idf = _idf(active_chunk_texts(self.engine))
        except SQLAlchemyError as exc:  # confidence must not fail because the KB could not be read
            log.warning("term weights unavailable: %s", type(exc).__name__)
            return None
        with self._idf_lock:
            self._idf = (version, idf)
        return idf


def _idf(texts: Iterable[str]) -> dict[str, float] | None:
    df: dict[str, int] = {}
    n = 0
    for text in texts:
        n += 1
        for t in {plain(w) for w in content_terms(text, marks=True)}:
            df[t] = df.get(t, 0) + 1
    if n == 0:
        return None
    idf = {t: math.log(1.0 + n / (1.0 + c)) for t, c in df.items()}
    idf[UNKNOWN] = math.log(1.0 + n)
    return idf
