"""A fake answerer for dialog tests: answers from a fixed table of facts, abstains otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeHit:
    doc_id: str
    title: str
    text: str
    url: str | None = None
    published: str | None = None
    score: float = 1.0
    lang: str = "vi"


@dataclass
class FakeCitation:
    doc_id: str
    title: str
    url: str | None = None
    published: str | None = None


@dataclass
class FakeAnswer:
    text: str
    lang: str
    abstained: bool
    confidence: float
    citations: list[FakeCitation] = field(default_factory=list)
    hits: list[FakeHit] = field(default_factory=list)
    rephrase: None = None
    """No LLM step (retrieval.answer.Answer.rephrase)."""


class FakeAnswerer:
    """`facts` maps a keyword to (doc_id, title, sentence)."""

    def __init__(self, facts: dict[str, tuple[str, str, str]]) -> None:
        self.facts = facts
        self.calls: list[tuple[str, Any]] = []

    def answer(self, question: str, lang: str | None = None, *, k: int = 5, offset: int = 0,
               **context: Any) -> FakeAnswer:
        self.calls.append((question, lang))
        qlang = "ru" if any("а" <= ch <= "я" for ch in question.lower()) else (lang or "vi")
        hits = [FakeHit(d, t, s, url=f"https://example.org/{d}") for kw, (d, t, s) in self.facts.items()
                if kw in question.lower()]
        hits = hits[offset:]
        if not hits:
            return FakeAnswer("", qlang, True, 0.1)
        top = hits[0]
        return FakeAnswer(top.text, qlang, False, 0.9, [FakeCitation(top.doc_id, top.title, top.url)], hits)
