"""The answer's guard: jurisdiction, the question's constraints, and curated staff answers.

`Plan.make` reads the question's constraints (retrieval/constraints.py), picks the conversation's
country (retrieval/jurisdiction.py) and splits the search hits into the documents that may answer
and those of other countries. `Plan.check` vets a chosen answer against every constraint.
`Plan.curated` decides whether a staff answer fits: the new question must be a close paraphrase of
a question the staff answer was written for (the similarity of the questions, never of the answer
text), and must not contradict its constraints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy.engine import Engine

from retrieval import jurisdiction
from retrieval.constraint_check import Mismatch, Source, affirms, vet
from retrieval.constraints import Facts, read
from retrieval.query import Query
from retrieval.sentences import content_terms
from retrieval.types import SearchHit

Attempt = tuple[str, SearchHit | None, dict[str, float], float]
"""An answer tried on some hits: (text, its hit or None, features, confidence)."""

QA_MIN_SIMILARITY = 0.7
"""A staff answer needs this much overlap both ways between the question and one it answers."""


def similarity(question: str, asked: Sequence[str]) -> float:
    """How closely `question` paraphrases one of `asked`: the smaller of the two shares of content
    words found in the other (folded, stemmed, typo tolerant), the best over `asked`."""
    q = Query.of(question)
    if not q.term_set:
        return 0.0
    best = 0.0
    for other in asked:
        o = Query.of(other)
        if not o.term_set:
            continue
        forward = len(q.matched(content_terms(other, marks=True))) / len(q.term_set)
        backward = len(o.matched(content_terms(question, marks=True))) / len(o.term_set)
        best = max(best, min(forward, backward))
    return best


@runtime_checkable
class KnowledgeSource(Protocol):
    """What the plan reads documents from: the search's knowledge base."""

    @property
    def engine(self) -> Engine: ...


@dataclass
class Plan:
    asked: Facts
    context: jurisdiction.Context
    docs: dict[str, jurisdiction.DocInfo]
    allowed: list[SearchHit]
    foreign: list[SearchHit]
    lang: str

    @classmethod
    def make(cls, search: object, question: str, lang: str, hits: Sequence[SearchHit], *,
             country: str | None = None, channel: str | None = None,
             catalog: jurisdiction.DocumentCatalog | None = None) -> Plan:
        """The plan for `question` over `hits`. Documents are read through `catalog` (one the caller
        keeps, caching across questions), else through the shared catalog of the search's knowledge
        base; a search that declares none (the answerer's `Searcher` protocol does not promise
        `engine` yet) leaves the hits to speak for their documents."""
        asked = read(question)
        ctx = jurisdiction.choose(asked, lang, chosen=country, channel=channel)
        if catalog is None and isinstance(search, KnowledgeSource):
            catalog = jurisdiction.shared_catalog(search.engine)
        docs = catalog.documents(hits) if catalog is not None else jurisdiction.from_hits(hits, {})
        allowed, foreign = jurisdiction.split(hits, docs, ctx)
        return cls(asked, ctx, docs, allowed, foreign, lang)

    def settle(self, attempt: Callable[[Sequence[SearchHit]], Attempt], pool: Sequence[SearchHit], threshold: float,
               *, foreign: bool = True) -> tuple[Attempt, Mismatch | None]:
        """The answer to give and its mismatch, if any. `attempt(hits)` answers from `hits`.
        An answer that contradicts a constraint is replaced by one from the documents that do not
        contradict it, when that is at least as confident and names what was asked (a national
        rule does not replace another province's figure); else it is kept, with its mismatch (to be
        shown labelled). When the conversation's country has no confident answer, another country's
        document may give one, with a `country` mismatch."""
        best = self.trim(attempt(pool))
        text, hit, _, confidence = best
        mismatch = self.check(text, hit) if hit is not None and confidence >= threshold else None
        if mismatch is not None and (narrowed := self.without_conflicts(pool)) != list(pool) and narrowed:
            retry = self.trim(attempt(narrowed))
            r_text, r_hit, _, r_confidence = retry
            if r_hit is not None and r_confidence >= max(threshold, confidence) and self.check(r_text, r_hit) is None \
                    and self.affirms(mismatch.kind, r_text, r_hit):
                return retry, None
        if (hit is None or confidence < threshold) and self.foreign and foreign:
            other = self.trim(attempt(self.foreign))
            o_text, o_hit, _, o_confidence = other
            if o_hit is not None and o_confidence >= threshold and self.check(o_text, o_hit) is None:
                return other, self.country_mismatch(o_hit)
        return best, mismatch

    def trim(self, tried: Attempt) -> Attempt:
        """An answer of several stretches keeps those that name what was asked when one contradicts
        it (`2027-2030` asked: the stretch about `2022–2025` goes, the one about `2027–2030` stays;
        with no such stretch the answer stays whole, to be vetted as a whole)."""
        text, hit, feats, confidence = tried
        lines = text.split("\n")
        if hit is None or len(lines) < 2 or hit.kind == "qa":
            return tried
        wrong = [m for line in lines if (m := self.check(line, hit)) is not None]
        if not wrong:
            return tried
        keep = [line for line in lines if self.check(line, hit) is None and self.affirms(wrong[0].kind, line, hit)]
        return ("\n".join(keep), hit, feats, confidence) if keep else tried

    def info(self, hit: SearchHit) -> jurisdiction.DocInfo:
        """What is known of `hit`'s document (from the hit itself for one the plan was not made with)."""
        return self.docs.get(hit.doc_id) or jurisdiction.DocInfo.of_hit(hit)

    def check(self, text: str, hit: SearchHit) -> Mismatch | None:
        """The constraint the answer `text` (taken from `hit`) contradicts, if any."""
        info = self.info(hit)
        if info.kind == "qa":
            return vet(self.asked, Source(" ".join(info.questions), " ".join(info.questions), info.facts), self.lang)
        return vet(self.asked, Source(text, str(hit.text), info.facts), self.lang)

    def affirms(self, kind: str, text: str, hit: SearchHit) -> bool:
        """The answer `text` (from `hit`) names what the question asked for `kind`."""
        info = self.info(hit)
        return affirms(self.asked, Source(text, str(hit.text), info.facts), kind, None)

    def country_mismatch(self, hit: SearchHit) -> Mismatch:
        """An answer found only in another country's document than the conversation's."""
        from retrieval.gazetteer import gazetteer

        g = gazetteer()
        found = self.docs[hit.doc_id].facts.country if hit.doc_id in self.docs else None
        def label(c: str | None) -> str | None:
            return (g.entities[c].label(self.lang) if c and c in g.entities else c)
        return Mismatch("country", str(label(self.context.country)), label(found))

    def curated(self, question: str, hits: Sequence[SearchHit]) -> tuple[SearchHit, float] | None:
        """The first staff answer among `hits` written for a question this one paraphrases."""
        for h in hits:
            if h.kind != "qa":
                continue
            info = self.docs.get(h.doc_id)
            asked = info.questions if info is not None and info.questions else [str(h.title)]
            sim = similarity(question, asked)
            if sim >= QA_MIN_SIMILARITY and self.check("", h) is None:
                return h, sim
        return None

    def without_conflicts(self, pool: Sequence[SearchHit]) -> list[SearchHit]:
        """`pool` without the documents whose own scope contradicts the question (another place,
        country, program or document number named by the document as a whole)."""
        keep = []
        for h in pool:
            info = self.docs.get(h.doc_id)
            if info is None or vet(self.asked, Source("", "", info.facts), self.lang) is None:
                keep.append(h)
        return keep
