"""Answers with sources, or an honest abstention: the engine behind every channel and `civicbot ask`.

`Answerer.answer(question)` searches, extracts the answering sentences (retrieval/extract.py),
estimates P(answer is right) with the fitted logistic model (retrieval/confidence.py) and abstains
below the threshold. The answer text holds only sentences copied from the sources (curated staff
answers are quoted whole); citations are kept apart so each channel formats them itself. When an
LLM endpoint is configured the answer may be rephrased from the same passages (retrieval/llm.py),
with the extractive answer as the fallback.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from knowledge.jsontypes import JSONDict
from knowledge.text import clean_input, reply_language
from retrieval.candidates import CANDIDATE_PASSAGES
from retrieval.confidence import ConfidenceModel
from retrieval.constraint_check import Mismatch
from retrieval.context import UNKNOWN, PassageContext
from retrieval.domain_model import DomainModel
from retrieval.extract import Extract, extract
from retrieval.llm import LLMRephraser
from retrieval.query import Query, bigram_coverage, term_coverage, trigram_coverage
from retrieval.searcher import Searcher, VectorSearcher
from retrieval.sentence_model import SentenceModel
from retrieval.sentences import content_terms, has_number, plain
from retrieval.sentvec import sentence_similarity
from retrieval.types import SearchHit
from retrieval.vetting import Attempt, Plan


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    url: str | None = None
    published: date | None = None

    kind: str = "document"
    """`document`, or `qa`: a curated answer written by staff."""

    def to_json(self) -> JSONDict:
        data: JSONDict = {"doc_id": self.doc_id, "title": self.title, "url": self.url}
        if self.kind == "qa":
            data["staff_answer"] = True
        return data


@dataclass(frozen=True)
class Rephrase:
    """The LLM step of an answer, not run yet (`Answerer.answer(..., defer_llm=True)`): the caller
    runs it where waiting for the endpoint blocks nobody else (`Answerer.rephrased`)."""

    question: str
    lang: str
    passages: tuple[str, ...]
    extractive: str


@dataclass
class Answer:
    text: str
    lang: str
    abstained: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    hits: list[SearchHit] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    generated: bool = False
    """True when an LLM rephrased the extractive answer."""
    mismatch: Mismatch | None = None
    """Set when the knowledge base has the fact only for another place, year, program or country:
    `text` is that nearest fact (to be shown clearly labelled) and `abstained` is True."""
    rephrase: Rephrase | None = None
    """Set instead of calling the LLM when the caller deferred it; None otherwise."""

    def to_json(self) -> JSONDict:
        data: JSONDict = {
            "answer": self.text,
            "lang": self.lang,
            "abstained": self.abstained,
            "confidence": round(float(self.confidence), 4),
            "citations": [c.to_json() for c in self.citations],
        }
        if self.mismatch is not None:
            data["mismatch"] = self.mismatch.to_json()
        if self.abstained:
            data["closest"] = closest(self.hits)
        return data


def closest(hits: Sequence[SearchHit], n: int = 3) -> list[JSONDict]:
    """The first `n` distinct documents among `hits`, as {doc_id, title, url}."""
    out: dict[str, JSONDict] = {}
    for h in hits:
        if h.doc_id not in out and len(out) < n:
            out[h.doc_id] = {"doc_id": h.doc_id, "title": h.title, "url": h.url}
    return list(out.values())


def _qa_text(hit: SearchHit) -> str:
    """The stored answer of a curated entry (its text without a leading copy of the question)."""
    text = str(hit.text).strip()
    title = str(hit.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip(" \n:—-")
    return text or str(hit.text).strip()


def _cite(hit: SearchHit) -> Citation:
    return Citation(hit.doc_id, hit.title, hit.url, hit.published, hit.kind)


def idf_coverage(q: Query, terms: Sequence[str], idf: dict[str, float] | None) -> tuple[float, float]:
    """(IDF-weighted share of the question's content words found in `terms`, the largest IDF of
    a word not found, relative to a word the KB never uses). IDF over the whole knowledge base, so
    words every document uses (`Việt Nam`, `hộ`) weigh little and the question's specific words
    decide; without `idf` every word weighs alike."""
    if not q.term_set:
        return 0.0, 0.0
    found = q.matched(terms)
    top = (idf or {}).get(UNKNOWN, 1.0) or 1.0
    weight = {t: (idf.get(plain(t), top) if idf is not None else 1.0) for t in q.term_set}
    total = sum(weight.values())
    missing = [w for t, w in weight.items() if t not in found]
    return sum(w for t, w in weight.items() if t in found) / total, max(missing, default=0.0) / top


def idf_found(q: Query, terms: Sequence[str], idf: dict[str, float] | None) -> tuple[float, float]:
    """How specific the words shared with the question are: (the largest KB-wide IDF among the
    question's words found in `terms`, the sum of their IDFs), relative to a word the KB never uses.
    A passage that shares only everyday words with the question (`làm sao`, `tốt hơn`) matches it
    by accident; one that shares a rare name or term is about what was asked."""
    if not q.term_set or idf is None:
        return 0.0, 0.0
    top = idf.get(UNKNOWN, 1.0) or 1.0
    found = [idf.get(plain(t), top) / top for t in q.matched(terms)]
    return max(found, default=0.0), sum(found)


def features(q: Query, hits: Sequence[SearchHit], hit: SearchHit, answer_text: str, *, qa: bool,
             sentence_score: float = 0.0, idf: dict[str, float] | None = None,
             best: Extract | None = None) -> dict[str, float]:
    """What the confidence model sees about one answer (see confidence.FEATURES)."""
    others = [h.score for h in hits if h.doc_id != hit.doc_id]
    passage_terms = content_terms(f"{hit.title}\n{hit.text}", marks=True)
    answer_terms = content_terms(answer_text, marks=True)
    scores = hit.scores
    dense_others = [float(h.scores.get("dense", 0.0)) for h in hits
                    if h.doc_id != hit.doc_id]
    numeric = (1.0 if has_number(answer_text) else -1.0) if q.numeric else 0.0
    idf_passage, miss_passage = idf_coverage(q, passage_terms, idf)
    idf_sentence, miss_sentence = idf_coverage(q, answer_terms, idf)
    found_max_p, found_sum_p = idf_found(q, passage_terms, idf)
    found_max_s, found_sum_s = idf_found(q, answer_terms, idf)
    return {
        "found_max_passage": found_max_p,
        "found_sum_passage": found_sum_p,
        "found_max_sentence": found_max_s,
        "found_sum_sentence": found_sum_s,
        "idf_passage": idf_passage,
        "idf_sentence": idf_sentence,
        "miss_passage": miss_passage,
        "miss_sentence": miss_sentence,
        "dense_margin": float(scores.get("dense", 0.0)) - max(dense_others, default=0.0),
        "top_score": float(hit.score),
        "margin": float(hit.score) - (max(others) if others else 0.0),
        "dense": float(scores.get("dense", 0.0)),
        "bm25": math.log1p(max(0.0, float(scores.get("bm25", 0.0)))),
        "cov_passage": term_coverage(q, passage_terms),
        "cov_sentence": term_coverage(q, answer_terms),
        "bigram_sentence": bigram_coverage(q, answer_terms),
        "sentence_score": sentence_score,
        "bigram_passage": bigram_coverage(q, passage_terms),
        "trigram_passage": trigram_coverage(q, f"{hit.title}\n{hit.text}"),
        "numeric": numeric,
        "qa": 1.0 if qa else 0.0,
        "q_terms": math.log1p(len(q.term_set)),
        **sentence_features(best),
    }


def sentence_features(ext: Extract | None) -> dict[str, float]:
    """The sentence scorer's view of the chosen sentence (zeros for a curated answer)."""
    best = ext.best if ext is not None else None
    if best is None:
        return {"sent_prob": 0.0, "sent_dense": 0.0, "sent_margin": 0.0, "sent_dense_rel": 0.0}
    return {"sent_prob": best.score, "sent_dense": best.feats.get("dense", 0.0),
            "sent_margin": best.score - ext.other_doc if ext is not None else 0.0,
            "sent_dense_rel": best.feats.get("dense_rel", 0.0)}


class Answerer:
    def __init__(self, search: Searcher, threshold: float | None = None, llm_base_url: str | None = None,
                 llm_model: str | None = None, llm_api_key: str | None = None, llm_timeout_s: float = 8.0,
                 *, model: ConfidenceModel | None = None) -> None:
        self.search = search
        self.context = PassageContext(search.engine)
        """Sibling chunks and corpus-wide word weights, read from the knowledge base."""
        embedder = search.embedder.name if isinstance(search, VectorSearcher) else None
        self.model = model or ConfidenceModel.load(embedder=embedder)
        self.threshold = threshold if threshold is not None else self.model.threshold
        self.sentence_model = SentenceModel.load(embedder=embedder)
        self.lexical_sentence_model = SentenceModel.load(embedder="*")
        self.domain = DomainModel.load(embedder)
        """P(the question is one the bot answers) from its vector (retrieval/domain_model.py)."""
        self.llm: LLMRephraser | None = None
        if llm_base_url and llm_model:
            self.llm = LLMRephraser(llm_base_url, llm_model, llm_api_key, llm_timeout_s)

    def answer(self, question: str, lang: str | None = None, *, k: int = 5, offset: int = 0,
               country: str | None = None, channel: str | None = None, defer_llm: bool = False) -> Answer:
        """Answer `question` (its language detected, else `lang`); `offset` skips the first passages.
        `country` (the user's choice) and `channel` set the jurisdiction (retrieval/vetting.py).
        `defer_llm`: the extractive answer with the LLM step in `rephrase` instead of waiting for it."""
        question = clean_input(question)  # NUL, zero-width characters (knowledge/text/normalize.py)
        lang_out = reply_language(question, default=lang)
        question = question.strip()
        if not question:
            return Answer("", lang_out, True, 0.0)
        found = list(self.search.search(question, k=offset + max(k, CANDIDATE_PASSAGES)))
        plan = Plan.make(self.search, question, lang_out, found, country=country, channel=channel)
        pool = plan.allowed[offset:]
        shown = (pool + plan.foreign[offset:])[:k]
        restored = self.search.restored_text(question) if isinstance(self.search, VectorSearcher) else None
        q = Query.of(question, restored)
        asked = self.question_features(question, lang_out)
        (text, hit, feats, confidence), mismatch = plan.settle(
            lambda hits: self._attempt(q, question, hits, plan, asked), pool, self.threshold, foreign=not offset)
        if hit is None or not text or confidence < self.threshold:
            return Answer("", lang_out, True, confidence if hit is not None else 0.0, hits=shown, features=feats)
        if mismatch is not None:
            return Answer(text, lang_out, True, confidence, [_cite(hit)], shown, feats, mismatch=mismatch)
        result = Answer(text, lang_out, False, confidence, [_cite(hit)], shown, feats)
        if self.llm is not None:
            passages = (hit.text, *[h.text for h in pool[:3] if h.text != hit.text])
            result.rephrase = Rephrase(question, lang_out, passages, text)
        return result if defer_llm else self.rephrased(result)

    def rephrased(self, answer: Answer) -> Answer:
        """`answer` with its deferred LLM step run: the rephrased text (`generated`), or the
        extractive one when the endpoint fails or answers badly. Blocks up to the LLM timeout."""
        step = answer.rephrase
        if step is None or self.llm is None:
            return answer
        text = self.llm.rephrase(step.question, step.lang, list(step.passages), step.extractive)
        if text:
            return replace(answer, text=text, generated=True, rephrase=None)
        return replace(answer, rephrase=None)

    def question_features(self, question: str, lang: str) -> dict[str, float]:
        """What the confidence model knows of the question alone: its language and, with the vector
        the search computed for it, the domain model's P(a question the bot answers); without a
        vector the fitted mean stands in (no evidence either way)."""
        out = {"is_ru": 1.0 if lang == "ru" else 0.0}
        if self.domain is not None:
            vector = self.search.query_vector(question) if isinstance(self.search, VectorSearcher) else None
            out["p_dom"] = (self.domain.probability(vector) if vector is not None
                            else self.model.mean.get("p_dom", 0.5))
        return out

    def _attempt(self, q: Query, question: str, pool: Sequence[SearchHit], plan: Plan,
                 asked: dict[str, float] | None = None) -> Attempt:
        """(answer text, its hit, features, confidence) from `pool`.
        A staff answer is used when the question paraphrases one it was written for, unless a
        document answers confidently with a sentence that covers more of the question's words than
        the staff answer's question does."""
        text, hit, _, sentence_score, ext = self._compose(q, [h for h in pool if h.kind != "qa"])
        feats: dict[str, float] = {}
        confidence = 0.0
        if hit is not None and text:
            feats = features(q, pool, hit, text, qa=False, sentence_score=sentence_score, idf=self.context.term_idf(),
                             best=ext) | (asked or {})
            confidence = self.model.predict(feats)
        staff = plan.curated(question, pool[:3])
        doc_better = confidence >= self.threshold and feats.get("cov_sentence", 0.0) > (staff[1] if staff else 1.0)
        if staff is not None and not doc_better:
            qa_hit, sim = staff
            text, hit = _qa_text(qa_hit), qa_hit
            feats = features(q, pool, qa_hit, text, qa=True, sentence_score=sim,
                             idf=self.context.term_idf()) | (asked or {})
            confidence = max(sim, self.model.predict(feats))
        return text, hit, feats, confidence

    def _compose(self, q: Query, pool: Sequence[SearchHit]) -> tuple[str, SearchHit | None, bool, float, Extract]:
        """(answer text, its hit, False, the extraction score, the extract) from the documents of `pool`."""
        dense = sentence_similarity(self.search, q.text)
        model = self.sentence_model if dense is not None else self.lexical_sentence_model
        ext: Extract = extract(q, self.context.with_siblings(pool), dense=dense, model=model)
        best = max((s.score for s in ext.sentences), default=0.0)
        return ext.text, ext.hit, False, best, ext
