"""A fake answerer for dialog tests: answers from a fixed table of facts, abstains otherwise.

It implements the answerer's port (handlers.ports.Answering) and returns the real result types
(retrieval.answer.Answer with Citation and SearchHit), so the flows see exactly what they see in
production.
"""

from __future__ import annotations

from retrieval.answer import Answer, Citation
from retrieval.types import SearchHit


class FakeAnswerer:
    """`facts` maps a keyword to (doc_id, title, sentence)."""

    def __init__(self, facts: dict[str, tuple[str, str, str]]) -> None:
        self.facts = facts
        self.calls: list[tuple[str, str | None]] = []

    def answer(self, question: str, lang: str | None = None, *, k: int = 5, offset: int = 0,
               country: str | None = None, channel: str | None = None, defer_llm: bool = False) -> Answer:
        self.calls.append((question, lang))
        qlang = "ru" if any("а" <= ch <= "я" for ch in question.lower()) else (lang or "vi")
        hits = [SearchHit(doc_id=d, chunk_id=n, title=t, score=1.0, lang="vi", text=s, url=f"https://example.org/{d}")
                for n, (kw, (d, t, s)) in enumerate(self.facts.items(), start=1) if kw in question.lower()]
        hits = hits[offset:]
        if not hits:
            return Answer("", qlang, True, 0.1)
        top = hits[0]
        return Answer(top.text, qlang, False, 0.9, [Citation(top.doc_id, top.title, top.url)], hits)

    def rephrased(self, answer: Answer) -> Answer:
        """No LLM here: the answer as it is."""
        return answer
