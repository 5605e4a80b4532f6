"""Grouping similar unanswered questions, so staff answer each topic once.

Questions are compared as sets of folded terms (Vietnamese syllables without diacritics, Russian
stems, chat abbreviations expanded: the search analyzer's terms, retrieval/analyzers.py) with the
Jaccard index. Greedy clustering in the order asked: a question joins the group whose
first question it resembles most if the similarity reaches the threshold, else it starts a group.
The group id is the id of its first (oldest) question, so it is stable while that question is open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from knowledge.text import is_cyrillic
from retrieval.analyzers import FOLD_PREFIX, analyze

THRESHOLD = 0.5


@dataclass(frozen=True)
class Question:
    id: int
    question: str
    lang: str
    created_at: datetime
    user_hash: str
    reason: str
    """`abstained` or `downvoted`."""


@dataclass
class Group:
    id: int
    question: str
    """The representative question (the most frequent wording, else the first)."""
    lang: str
    members: list[Question] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def users(self) -> int:
        return len({m.user_hash for m in self.members})

    @property
    def query_ids(self) -> list[int]:
        return [m.id for m in self.members]

    @property
    def last_asked(self) -> datetime:
        return max(m.created_at for m in self.members)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "question": self.question,
            "lang": self.lang,
            "count": self.count,
            "users": self.users,
            "last_asked": self.last_asked.isoformat(),
            "query_ids": self.query_ids,
            "questions": sorted({m.question for m in self.members}),
            "reasons": dict(Counter(m.reason for m in self.members)),
        }


def analyzer_terms(text: str) -> set[str]:
    """The folded search terms of `text` (Vietnamese folded syllables, Russian stems)."""
    return {t for t in analyze(text, query=True) if t.startswith(FOLD_PREFIX) or is_cyrillic(t)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


def group_questions(
    questions: Sequence[Question],
    *,
    threshold: float = THRESHOLD,
    terms: Callable[[str], set[str]] | None = None,
) -> list[Group]:
    """Groups of similar questions, the most frequent first (ties: the most recent first)."""
    terms_of = terms or analyzer_terms
    groups: list[Group] = []
    heads: list[set[str]] = []
    by_term: dict[str, list[int]] = {}  # term → groups whose head has it: only those can reach the threshold
    for q in sorted(questions, key=lambda q: q.id):
        own = terms_of(q.question)
        best, best_score = -1, 0.0
        shared: Counter[int] = Counter()
        for t in own:
            shared.update(by_term.get(t, ()))
        for i, inter in sorted(shared.items()):
            score = inter / (len(own) + len(heads[i]) - inter)
            if score > best_score:
                best, best_score = i, score
        if best >= 0 and best_score >= threshold:
            groups[best].members.append(q)
            continue
        groups.append(Group(id=q.id, question=q.question, lang=q.lang, members=[q]))
        heads.append(own)
        for t in own:
            by_term.setdefault(t, []).append(len(heads) - 1)
    for g in groups:
        wordings = Counter(" ".join(m.question.split()) for m in g.members)
        top, n = wordings.most_common(1)[0]
        if n > 1:
            g.question = top
        g.lang = Counter(m.lang for m in g.members).most_common(1)[0][0]
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.id))
    return groups


def find_group(groups: Sequence[Group], ref: int) -> Group | None:
    """The group with id `ref`, else the group holding the question with id `ref`."""
    for g in groups:
        if g.id == ref:
            return g
    for g in groups:
        if ref in g.query_ids:
            return g
    return None
