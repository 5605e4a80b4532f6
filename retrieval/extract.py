"""Pick the sentences that answer a question from retrieved passages (no text is ever made up).

Each sentence of the top passages is scored by: the question's content words it contains (folded,
stemmed, typo tolerant; but a word typed WITH diacritics must agree with the text's, `đá` ≠ `đã`),
character-trigram overlap, its passage's retrieval rank, a bonus when a how-much/when question meets
a sentence with a number (not one inside a document number like `80/2020/NĐ-CP`), and a little of
its neighbours' overlap.
The best sentence is kept, with its contiguous neighbours when they score well too or it is too
short to stand alone, plus a runner-up of the same document that scores nearly as well (two close
candidates are safer shown together), within `max_chars`. The candidates are the retrieved chunks
and the sibling chunks of the best documents (retrieval/context.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from knowledge.text import has_diacritics, has_latin
from retrieval.sentence_model import SentenceModel
from retrieval.sentences import (
    content_terms,
    is_numeric_question,
    is_why_question,
    passage_sentences,
    plain,
    same_word,
    trigrams,
    typo_apart,
    words,
)

MAX_CHARS = 600
CANDIDATE_PASSAGES = 4
TITLE_WEIGHT = 0.35
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
class Query:
    text: str
    terms: list[str]
    term_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    grams: frozenset[str]
    numeric: bool
    why: bool = False
    _hits: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _typos: frozenset[str] | None = field(default=None, repr=False)
    _unknown: frozenset[str] = field(default=frozenset(), repr=False)
    _plain: dict[str, str] = field(default_factory=dict, repr=False)
    alias: dict[str, str] = field(default_factory=dict, repr=False)
    """A typo (Vietnamese) → the most frequent vocabulary word it stands for (weighs like it)."""

    def know(self, vocabulary: Iterable[str]) -> None:
        """Vietnamese syllables absent from `vocabulary` are taken for typos: only they match
        fuzzily (two real syllables one letter apart, like `thon`/`thong`, are different words).
        Russian stems always may (they also absorb what the stemmer leaves: `работ`/`работа`).
        A word absent from `vocabulary` weighs like the most frequent word it is a typo of (`alias`)."""
        counts: dict[str, int] = {}
        for v in vocabulary:
            counts[plain(v)] = counts.get(plain(v), 0) + 1
        self._typos = frozenset(t for t in self.term_set if plain(t) not in counts or not plain(t).isascii())
        self._hits.clear()
        self.alias = {}
        self._unknown = frozenset(t for t in self.term_set if plain(t) not in counts)
        for t in self._unknown:
            near = [w for w in counts if _fuzzy(plain(t), w, True)]
            if near:
                self.alias[t] = max(near, key=lambda w: (counts[w], w))

    def key(self, term: str) -> str:
        """The word a question term is weighed as: folded, a typo as the word it stands for."""
        return plain(self.alias.get(term, term))

    def matched(self, terms: Iterable[str]) -> set[str]:
        """The question's terms found among `terms`, exactly or with one typo (long words)."""
        found: set[str] = set()
        fuzzy = self.term_set if self._typos is None else self._typos
        if not self._plain:
            self._plain.update({t: plain(t) for t in self.term_set})
        folded = self._plain
        for w in set(terms):
            hit = self._hits.get(w)
            if hit is None:
                pw = plain(w)
                hit = frozenset(t for t, pt in folded.items() if t == w or (pt == pw and same_word(t, w)) or (
                    t in fuzzy and _fuzzy(pt, pw, t in self._unknown)))
                self._hits[w] = hit
            found |= hit
        return found

    @classmethod
    def of(cls, text: str, restored: str | None = None) -> Query:
        """`restored`: the question with its diacritics put back (when typed without them): it only
        decides which words are content words (`ho can ngheo`: `can` is `cận`, not the stop word
        `cần`; `nha` is `nhà`), the words themselves stay folded so they match any diacritics."""
        terms = content_terms(text, marks=True)
        if restored and has_latin(text) and not has_diacritics(text):
            terms = [plain(t) for t in content_terms(restored, marks=True)] or terms
        return cls(text, terms, frozenset(terms), frozenset(pairwise(terms)),
                   frozenset(trigrams(text)), is_numeric_question(text), is_why_question(text))


@dataclass
class Scored:
    hit: Any
    rank: int
    index: int
    start: int
    end: int
    text: str
    coverage: float = 0.0
    score: float = 0.0
    feats: dict[str, float] = field(default_factory=dict)


@dataclass
class Extract:
    sentences: list[Scored] = field(default_factory=list)
    hit: Any = None
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


def _fuzzy(t: str, w: str, unknown: bool = False) -> bool:
    """`t` is `w` with one typo; or, for a word the passages never use (`unknown`), `w` is its stem
    and the typo is in the ending, which the stemmer then could not strip (`услугаси` → `услуг`)."""
    if unknown and len(w) >= 5 and t.startswith(w) and len(t) - len(w) <= 3 and not w.isascii():
        return True
    return (t[:1] == w[:1] or t[-1:] == w[-1:]) and typo_apart(t, w)


def term_coverage(q: Query, terms: Iterable[str]) -> float:
    """Share of the question's distinct content words present (one typo allowed on long words)."""
    if not q.term_set:
        return 0.0
    return len(q.matched(terms)) / len(q.term_set)


def bigram_coverage(q: Query, terms: Sequence[str]) -> float:
    if not q.bigrams:
        return 0.0
    return len(pairs_found(q, terms)) / len(q.bigrams)


def pairs_found(q: Query, terms: Sequence[str]) -> set[tuple[str, str]]:
    """The question's adjacent word pairs standing together in `terms` (diacritics as `same_word`)."""
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for x, y in pairwise(terms):
        index.setdefault((plain(x), plain(y)), []).append((x, y))
    return {(a, b) for a, b in q.bigrams
            if any(same_word(a, x) and same_word(b, y) for x, y in index.get((plain(a), plain(b)), ()))}


def trigram_coverage(q: Query, text: str) -> float:
    if not q.grams:
        return 0.0
    return len(q.grams & trigrams(text)) / len(q.grams)


def _sentences(hits: Sequence[Any]) -> list[list[Scored]]:
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


def _is_heading(s: Scored) -> bool:
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
                "heading": 1.0 if _is_heading(s) else 0.0,
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


def candidates(q: Query, hits: Sequence[Any], *, dense: Callable[[list[str]], Sequence[float] | None] | None = None,
               model: SentenceModel | None = None) -> list[list[Scored]]:
    """Every candidate sentence, per passage, with its features and score."""
    passages = _sentences(hits)
    sims = dense([s.text for sents in passages for s in sents]) if dense is not None else None
    _score(q, passages, sims, model)
    return passages


def extract(question: str | Query, hits: Sequence[Any], max_chars: int = MAX_CHARS, *,
            dense: Callable[[list[str]], Sequence[float] | None] | None = None,
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
    body = [s for s in chosen if not _is_heading(s)]
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
