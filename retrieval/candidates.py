"""Candidate sentences of the retrieved passages, each with its features and P(it answers).

The candidates are the sentences of the first CANDIDATE_PASSAGES documents' chunks (the retrieved
ones and their siblings, retrieval/context.py). Each is described by: the question's content words it
contains (IDF-weighted over the candidates, the title's words counting less), its adjacent word
pairs, character-trigram overlap, its passage's retrieval rank, whether a how-much/when question
meets a number in it (not one inside a document number like `80/2020/NĐ-CP`), its neighbours'
overlap, its shape (title, heading, short, long) and its cosine with the question when known; the
fitted sentence model (retrieval/sentence_model.py) turns that into a score. Choosing among them is
retrieval/extract.py's part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from retrieval.query import Query, pairs_found, trigram_coverage
from retrieval.sentence_model import SentenceModel
from retrieval.sentences import content_terms, passage_sentences, plain, same_word, words
from retrieval.types import SearchHit

CANDIDATE_PASSAGES = 4
TITLE_WEIGHT = 0.35

Dense = Callable[[list[str]], Sequence[float] | None]
"""`dense(sentences)`: the question's cosine with each sentence (None when unknown)."""


@dataclass
class Scored:
    hit: SearchHit
    rank: int
    index: int
    start: int
    end: int
    text: str
    coverage: float = 0.0
    score: float = 0.0
    feats: dict[str, float] = field(default_factory=dict)


def _sentences(hits: Sequence[SearchHit]) -> list[list[Scored]]:
    """Sentences of each candidate passage (the first CANDIDATE_PASSAGES documents' chunks);
    `rank` is the rank of the passage's document, `index` the sentence's place in its passage."""
    seen: set[tuple[str, str]] = set()
    docs: list[str] = []
    per_passage: list[list[Scored]] = []
    for hit in hits:
        if hit.doc_id not in docs:
            if len(docs) >= CANDIDATE_PASSAGES:
                break
            docs.append(hit.doc_id)
        rank = docs.index(hit.doc_id)
        sents: list[Scored] = []
        for i, span in enumerate(passage_sentences(hit.text)):
            key = (hit.doc_id, span.text)
            if key in seen:
                continue
            seen.add(key)
            sents.append(Scored(hit, rank, i, span.start, span.end, span.text))
        per_passage.append(sents)
    return per_passage


def _weights(passages: list[list[Scored]], terms: dict[int, list[str]]) -> dict[str, float]:
    """Local IDF of the words over all candidate sentences: words found everywhere weigh little."""
    n = sum(len(p) for p in passages)
    df: dict[str, int] = {}
    for ts in terms.values():
        for t in {plain(w) for w in ts}:
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1.0 + n / (1.0 + c)) for t, c in df.items()}


def weighted_coverage(q: Query, terms: Iterable[str], weights: dict[str, float]) -> float:
    found = q.matched(terms)
    total = hit = 0.0
    default = max(weights.values(), default=1.0)
    for t in q.term_set:
        w = weights.get(q.key(t), default)
        total += w
        hit += w if t in found else 0.0
    return hit / total if total else 0.0


def _bigram_weighted(q: Query, terms: Sequence[str], weights: dict[str, float]) -> float:
    """Share (IDF-weighted) of the question's adjacent word pairs that stand together in the
    sentence: `thẩm định` is not found in `thẩm quyền ... định`."""
    present = pairs_found(q, terms)
    default = max(weights.values(), default=1.0)
    total = hit = 0.0
    for a, b in q.bigrams:
        w = (weights.get(q.key(a), default) + weights.get(q.key(b), default)) / 2
        total += w
        hit += w if (a, b) in present else 0.0
    return hit / total if total else 0.0


_REFERENCE = re.compile(r"\b\d+(?:/\d+)*/[^\W\d_][\w\-]*")
"""A document number (`80/2020/NĐ-CP`, `167/KH-UBND`): an identifier, not an amount or a date."""
_ASKS_NUMBER_ID = re.compile(r"\b(so may|so bao nhieu|so hieu|so nao|ky hieu|номер)")


def _numbers(text: str, references: bool = True) -> set[str]:
    """The numbers of `text`; without `references`, those inside document numbers are left out."""
    if not references:
        text = _REFERENCE.sub(" ", text)
    return {w for w in content_terms(text) if w[:1].isdigit()}


def _is_title(s: Scored) -> bool:
    """The document's title repeated as its first line: it names the topic, it answers nothing."""
    title = " ".join(str(s.hit.title or "").split()).casefold()
    return bool(title) and " ".join(s.text.split()).casefold().lstrip("# ") == title


def is_heading(s: Scored) -> bool:
    """A line of its own without end punctuation (a section heading such as "Кто может получить АСП")."""
    text = s.hit.text
    alone = (s.start == 0 or text[s.start - 1] == "\n") and (s.end >= len(text) or text[s.end] == "\n")
    return alone and s.text.rstrip()[-1:] not in ".!?…:;)»\"" and len(s.text) <= 120


def _score(q: Query, passages: list[list[Scored]], dense: Sequence[float] | None = None,
           model: SentenceModel | None = None) -> None:
    """Sentence features (`SENTENCE_FEATURES`), then scores = P(the sentence holds the answer) from the
    fitted sentence model (retrieval/sentence_model.json). Question words found in the passage's title
    count less (TITLE_WEIGHT): the title says what the document is about, so those words pick the
    document, not the sentence. `dense`: cosine of the question with each sentence (in order)."""
    terms = {id(s): content_terms(s.text, marks=True) for sents in passages for s in sents}
    q.know(t for ts in terms.values() for t in ts)
    weights = _weights(passages, terms)
    q_numbers = _numbers(q.text)
    references = bool(_ASKS_NUMBER_ID.search(" ".join(words(q.text))))
    flat = [s for sents in passages for s in sents]
    for sents in passages:
        if not sents:
            continue
        title_terms = set(content_terms(sents[0].hit.title or ""))
        local = {t: w * (TITLE_WEIGHT if t in title_terms else 1.0) for t, w in weights.items()}
        for s in sents:
            s.coverage = weighted_coverage(q, terms[id(s)], local)
            bigram = _bigram_weighted(q, terms[id(s)], local) if q.bigrams else 0.0
            found = q.matched(terms[id(s)])
            novel = sum(1 for t in set(terms[id(s)]) if not any(same_word(t, x) for x in found))
            s.feats = {
                "cov": s.coverage, "bigram": bigram, "tri": trigram_coverage(q, s.text),
                "rank": 1.0 / (1 + s.rank),
                "num": 1.0 if q.numeric and _numbers(s.text, references) - q_numbers else 0.0,
                "num_missing": 1.0 if q.numeric and not _numbers(s.text, references) - q_numbers else 0.0,
                "short": 1.0 if len(s.text) < 25 else 0.0, "title": 1.0 if _is_title(s) else 0.0,
                "heading": 1.0 if is_heading(s) else 0.0,
                "long": max(0.0, (len(s.text) - 200) / 100), "novel": min(novel, 8) / 8.0,
                "first": 1.0 if s.index == 0 else 0.0,
            }
        for i, s in enumerate(sents):
            near = [sents[j].coverage for j in (i - 1, i + 1) if 0 <= j < len(sents)]
            s.feats["near"] = max(near, default=0.0)
    best_cov = max((s.coverage for s in flat), default=0.0)
    best_dense = max(dense, default=0.0) if dense is not None else 0.0
    for i, s in enumerate(flat):
        s.feats["cov_rel"] = s.coverage - best_cov
        d = float(dense[i]) if dense is not None else 0.0
        s.feats["dense"] = d
        s.feats["dense_rel"] = d - best_dense if dense is not None else 0.0
    model = model or SentenceModel.load()
    for s in flat:
        s.score = model.predict(s.feats)


def candidates(q: Query, hits: Sequence[SearchHit], *, dense: Dense | None = None,
               model: SentenceModel | None = None) -> list[list[Scored]]:
    """Every candidate sentence, per passage, with its features and score."""
    passages = _sentences(hits)
    sims = dense([s.text for sents in passages for s in sents]) if dense is not None else None
    _score(q, passages, sims, model)
    return passages
