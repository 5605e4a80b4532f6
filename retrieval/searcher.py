"""What answering needs of a search (`SearchService` in production, small fakes in tests).

`Searcher` is required: the hits, and the knowledge base they come from. `VectorSearcher` is what a
search that embeds offers on top (the service does; the tests' lexical fakes do not): its embedder,
and what its recent searches computed, which the answer reuses instead of embedding the question
again. The answerer checks for it at run time and falls back to the lexical path without it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from sqlalchemy.engine import Engine

from retrieval.embedders import Embedder
from retrieval.types import SearchHit


class Searcher(Protocol):
    """A search over the knowledge base in `engine` (whose documents the answer also reads)."""

    @property
    def engine(self) -> Engine: ...

    def search(self, query: str, k: int = 5, lang: str | None = None, region: str | None = None,
               program: str | None = None, mode: str = "hybrid") -> list[SearchHit]: ...


@runtime_checkable
class VectorSearcher(Searcher, Protocol):
    """A search that embeds: its embedder, and the question's vector and restored text of a recent
    search for exactly that question (None when there was none)."""

    @property
    def embedder(self) -> Embedder: ...

    def query_vector(self, query: str) -> np.ndarray | None: ...

    def restored_text(self, query: str) -> str | None: ...
