"""Pick the sentences that answer a question from retrieved passages (no text is ever made up).

Every candidate sentence is scored first (retrieval/candidates.py: the sentences of the retrieved
chunks and of the sibling chunks of the best documents, with P(it answers) from the sentence model).
The best sentence is kept, with its contiguous neighbours when they score well too or it is too
short to stand alone, plus runners-up of the same document that score nearly as well (close
candidates are safer shown together), within `max_chars`. The question's side (`Query`, the
coverage measures) is retrieval/query.py; both modules' names are importable from here as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.candidates import (
    CANDIDATE_PASSAGES,
    TITLE_WEIGHT,
    Dense,
    Scored,
    candidates,
    is_heading,
    weighted_coverage,
)
from retrieval.query import Query, bigram_coverage, pairs_found, term_coverage, trigram_coverage
from retrieval.sentence_model import SentenceModel
from retrieval.types import SearchHit

__all__ = [
    "CANDIDATE_PASSAGES", "MAX_CHARS", "RUNNER_UP", "RUNNER_UP_SURE", "SURE", "TITLE_WEIGHT", "Extract", "Query",
    "Scored", "bigram_coverage", "candidates", "extract", "pairs_found", "term_coverage", "trigram_coverage",
    "weighted_coverage",
]

MAX_CHARS = 600
RUNNER_UP = 0.05
SURE = 0.8
RUNNER_UP_SURE = 0.2
"""Further sentences of the same document are shown, most likely first within MAX_CHARS, when their
P(answer) is at least RUNNER_UP of the best one's; RUNNER_UP_SURE when the best is already likely
(P ≥ SURE). Chosen on the XQuAD `fit` articles and the in-domain fit half (candidate sentences
scored once, answers simulated): one runner-up at 0.3 put the gold span inside 0.89 (vi) / 0.87
(ru) / 0.88 (vi-nodiac) of the answers; every sentence ≥ 0.05 of the best 0.92 / 0.89 / 0.90 at
about 400 characters; with 0.2 when sure, the same at about 380 characters."""


@dataclass
class Extract:
    sentences: list[Scored] = field(default_factory=list)
    hit: SearchHit | None = None
    rank: int = 0
    best: Scored | None = None
    other_doc: float = 0.0
    """The best score of a sentence from another document (how clear the choice was)."""

    @property
    def text(self) -> str:
        """The chosen sentences exactly as they stand in their passages: each run of contiguous
        sentences copied as one stretch, stretches (in document order) on separate lines."""
        stretches: list[str] = []
        run: list[Scored] = []
        for s in self.sentences + [None]:
            if run and (s is None or s.hit is not run[-1].hit or s.index != run[-1].index + 1):
                stretches.append(str(run[0].hit.text[run[0].start : run[-1].end]))
                run = []
            if s is not None:
                run.append(s)
        return "\n".join(stretches)


def _same_line(a: Scored, b: Scored) -> bool:
    first, last = (a, b) if a.start < b.start else (b, a)
    return "\n" not in a.hit.text[first.end : last.start]


def _grow(q: Query, best: Scored, sents: list[Scored], max_chars: int) -> list[Scored]:
    """Add contiguous neighbours on the same line that also answer (or the follower of a stub, or
    of the sentence a why-question restates), within max_chars and 3 sentences."""
    chosen = [best]
    pos = sents.index(best)
    size = len(best.text)
    for j in (pos + 1, pos - 1, pos + 2):
        if len(chosen) >= 3 or not 0 <= j < len(sents):
            continue
        cand = sents[j]
        if min(abs(cand.index - c.index) for c in chosen) != 1:
            continue
        follower = j == pos + 1
        stub = size < 60 and follower and best.text.rstrip()[-1:] not in ".!?…"
        why = q.why and follower and _same_line(best, cand)
        good = cand.score >= 0.8 * best.score and _same_line(best, cand)
        if (stub or why or good) and size + len(cand.text) + 1 <= max_chars:
            chosen.append(cand)
            size += len(cand.text) + 1
    return sorted(chosen, key=lambda s: s.index)


def extract(question: str | Query, hits: Sequence[SearchHit], max_chars: int = MAX_CHARS, *,
            dense: Dense | None = None,
            model: SentenceModel | None = None) -> Extract:
    """The answering sentences from the candidate passages: the best one, its contiguous neighbours
    when they answer too, and a close runner-up of the same document (empty when there is no text).
    `dense(sentences)`: the question's cosine with each sentence (None when unknown)."""
    q = question if isinstance(question, Query) else Query.of(question)
    passages = candidates(q, hits, dense=dense, model=model)
    flat = [(s, n) for n, sents in enumerate(passages) for s in sents]
    if not flat:
        return Extract()
    best, n = max(flat, key=lambda sn: (sn[0].score, -sn[0].rank, -sn[1], -sn[0].index))
    other = max((s.score for s, _ in flat if s.hit.doc_id != best.hit.doc_id), default=0.0)
    sents = passages[n]
    if len(best.text) > max_chars:
        cut = best.text[:max_chars].rsplit(" ", 1)[0]
        best = Scored(best.hit, best.rank, best.index, best.start, best.start + len(cut), cut,
                      best.coverage, best.score)
        return Extract([best], best.hit, best.rank, best, other)
    chosen = _grow(q, best, sents, max_chars)
    chosen += _runner_up(best, chosen, [s for s, _ in flat], max_chars)
    body = [s for s in chosen if not is_heading(s)]
    chosen = body or chosen  # a section heading names the topic; the sentences under it answer
    order = {id(p[0].hit): n for n, p in enumerate(passages) if p}
    chosen.sort(key=lambda s: (s.hit.position, order.get(id(s.hit), 0), s.index))
    return Extract(chosen, best.hit, best.rank, best, other)


def _runner_up(best: Scored, chosen: list[Scored], flat: list[Scored], max_chars: int) -> list[Scored]:
    """Other sentences of the same document that score close to the best (P(answer) at least
    RUNNER_UP of the best one's), most likely first, while the answer stays within `max_chars`: when
    the scorer is unsure between sentences, showing them together is safer than betting on one."""
    size = sum(len(s.text) + 1 for s in chosen)
    taken = {(id(s.hit), s.index) for s in chosen}
    texts = {c.text for c in chosen}
    others = sorted((s for s in flat if s.hit.doc_id == best.hit.doc_id and (id(s.hit), s.index) not in taken
                     and s.text not in texts), key=lambda s: -s.score)
    out: list[Scored] = []
    ratio = RUNNER_UP_SURE if best.score >= SURE else RUNNER_UP
    for second in others:
        if second.score < ratio * best.score:
            break
        if size + len(second.text) + 1 <= max_chars and second.text not in texts:
            out.append(second)
            texts.add(second.text)
            size += len(second.text) + 1
    return out
