"""The ports of the conversation layer: what a flow needs from the services below it, as protocols.

Services with one implementation are used as their concrete classes (`handlers.flow.Services` lists
them); the ones below have fakes in tests or several implementations, so the flows depend only on the
surface they call. A fake implements the same protocol (tests/fakes/), and no production code checks
for what an object happens to have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: importing the retrieval stack is what `civicbot rooms` never pays for
    from retrieval.answer import Answer
    from retrieval.types import Progress


class Answering(Protocol):
    """Answers a question from the knowledge base (retrieval.answer.Answerer)."""

    def answer(self, question: str, lang: str | None = None, *, k: int = 5, offset: int = 0,
               country: str | None = None, channel: str | None = None, defer_llm: bool = False) -> Answer: ...

    def rephrased(self, answer: Answer) -> Answer:
        """`answer` with its deferred LLM step run (blocks up to the LLM timeout)."""
        ...


class SearchIndex(Protocol):
    """The search indexes, kept in step with the knowledge base (retrieval.service.SearchService)."""

    def refresh(self, progress: Progress | None = None) -> bool:
        """Bring the indexes up to the corpus version (embedding new chunks); True when they changed."""
        ...

    def rebuild(self, progress: Progress | None = None) -> None:
        """Rebuild the indexes from the database."""
        ...


FetchFile = Callable[[str, str], bytes]
"""SYNC, thread-safe `(channel, file_ref) -> bytes` (bot/hub.py bridges the channels' async
downloads); raises on network errors."""


class Audit(Protocol):
    """Writes one entry of the staff audit log; returns its id (handlers.staff.service.StaffService.audit)."""

    def __call__(self, actor: str, action: str, /, *, channel: str = "", target: str | None = None,
                 outcome: str = "ok", **details: object) -> int: ...
