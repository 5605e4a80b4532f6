"""Value types shared by the retrieval modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

Progress = Callable[[int, int], None]
"""`progress(done, total)`, called during long operations (indexing, embedding)."""

MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """What an index keeps about one chunk of an active document (chunk_id = kb_chunk row id)."""

    chunk_id: int
    doc_id: str
    title: str
    lang: str
    text: str
    text_hash: str
    position: int = 0
    url: str | None = None
    published: date | None = None
    region: str | None = None
    program: str | None = None
    kind: str = "document"


@dataclass(slots=True)
class SearchHit:
    """One result. `score` is the fused score for hybrid search (higher is better, ~0..1),
    else the single retriever's score; `scores` / `ranks` hold each retriever's own value
    (1-based rank among the candidates) for diagnostics."""

    doc_id: str
    chunk_id: int
    title: str
    score: float
    lang: str
    text: str
    url: str | None = None
    published: date | None = None
    region: str | None = None
    program: str | None = None
    kind: str = "document"
    position: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "score": round(float(self.score), 6),
            "lang": self.lang,
            "text": self.text,
        }
