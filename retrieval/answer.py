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
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from retrieval.confidence import ConfidenceModel
from retrieval.context import UNKNOWN, term_idf, with_siblings
from retrieval.extract import CANDIDATE_PASSAGES, Extract, Query, bigram_coverage, extract, term_coverage
from retrieval.extract import trigram_coverage as _trigram_coverage
from retrieval.llm import LLMRephraser
from retrieval.sentence_model import SentenceModel
from retrieval.sentences import content_terms, detect_lang, has_number, plain
from retrieval.sentvec import sentence_similarity

QA_MIN_COVERAGE = 0.5


class Searcher(Protocol):
    def search(self, query: str, k: int = 5, lang: str | None = None, region: str | None = None,
               program: str | None = None, mode: str = "hybrid") -> list[Any]: ...


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    url: str | None = None
    published: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title, "url": self.url}


@dataclass
class Answer:
    text: str
    lang: str
    abstained: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    hits: list[Any] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    generated: bool = False
    """True when an LLM rephrased the extractive answer."""

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "lang": self.lang,
            "abstained": self.abstained,
            "confidence": round(float(self.confidence), 4),
            "citations": [c.to_json() for c in self.citations],
        }


def _qa_text(hit: Any) -> str:
    """The stored answer of a curated entry (its text without a leading copy of the question)."""
    text = str(hit.text).strip()
    title = str(hit.title or "").strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip(" \n:—-")
    return text or str(hit.text).strip()


def _cite(hit: Any) -> Citation:
    return Citation(hit.doc_id, hit.title, getattr(hit, "url", None), getattr(hit, "published", None))


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


def features(q: Query, hits: Sequence[Any], hit: Any, answer_text: str, *, qa: bool,
             sentence_score: float = 0.0, idf: dict[str, float] | None = None,
             best: Extract | None = None) -> dict[str, float]:
    """What the confidence model sees about one answer (see confidence.FEATURES)."""
    others = [h.score for h in hits if h.doc_id != hit.doc_id]
    passage_terms = content_terms(f"{hit.title}\n{hit.text}", marks=True)
    answer_terms = content_terms(answer_text, marks=True)
    scores = getattr(hit, "scores", None) or {}
    dense_others = [float((getattr(h, "scores", None) or {}).get("dense", 0.0)) for h in hits
                    if h.doc_id != hit.doc_id]
    numeric = (1.0 if has_number(answer_text) else -1.0) if q.numeric else 0.0
    idf_passage, miss_passage = idf_coverage(q, passage_terms, idf)
    idf_sentence, miss_sentence = idf_coverage(q, answer_terms, idf)
    return {
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
        "trigram_passage": _trigram_coverage(q, f"{hit.title}\n{hit.text}"),
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
    def __init__(self, search: Searcher, threshold: float = 0.5, llm_base_url: str | None = None,
                 llm_model: str | None = None, llm_api_key: str | None = None, llm_timeout_s: float = 8.0,
                 *, model: ConfidenceModel | None = None) -> None:
        self.search = search
        self.threshold = threshold
        embedder = getattr(getattr(search, "embedder", None), "name", None)
        self.model = model or ConfidenceModel.load(embedder=embedder)
        self.sentence_model = SentenceModel.load(embedder=embedder)
        self.lexical_sentence_model = SentenceModel.load(embedder="*")
        self.llm: LLMRephraser | None = None
        if llm_base_url and llm_model:
            self.llm = LLMRephraser(llm_base_url, llm_model, llm_api_key, llm_timeout_s)

    def answer(self, question: str, lang: str | None = None, *, k: int = 5, offset: int = 0) -> Answer:
        """Answer `question` (its language detected, else `lang`); `offset` skips the first passages."""
        lang_out = detect_lang(question, default=lang)
        question = question.strip()
        if not question:
            return Answer("", lang_out, True, 0.0)
        found = list(self.search.search(question, k=offset + max(k, CANDIDATE_PASSAGES)))
        pool = found[offset:]
        shown = pool[:k]
        restored = getattr(self.search, "restored_text", None)
        q = Query.of(question, restored(question) if callable(restored) else None)
        text, hit, used_qa, sentence_score, ext = self._compose(q, pool)
        if hit is None or not text:
            return Answer("", lang_out, True, 0.0, hits=shown)
        feats = features(q, pool, hit, text, qa=used_qa, sentence_score=sentence_score, idf=term_idf(self.search),
                         best=ext)
        confidence = self.model.predict(feats)
        if confidence < self.threshold:
            return Answer("", lang_out, True, confidence, hits=shown, features=feats)
        generated = False
        if self.llm is not None:
            passages = [hit.text] + [h.text for h in pool[:3] if h.text != hit.text]
            rephrased = self.llm.rephrase(question, lang_out, passages, text)
            if rephrased:
                text, generated = rephrased, True
        return Answer(text, lang_out, False, confidence, [_cite(hit)], shown, feats, generated)

    def _compose(self, q: Query, pool: Sequence[Any]) -> tuple[str, Any, bool, float, Extract | None]:
        """(answer text, its hit, whether a curated answer was used, the extraction score, the extract)."""
        for h in pool[:2]:
            if getattr(h, "kind", "document") == "qa":
                cov = term_coverage(q, content_terms(f"{h.title}\n{h.text}", marks=True))
                if cov >= QA_MIN_COVERAGE:
                    return _qa_text(h), h, True, cov, None
        dense = sentence_similarity(self.search, q.text)
        model = self.sentence_model if dense is not None else self.lexical_sentence_model
        ext: Extract = extract(q, with_siblings(self.search, pool), dense=dense, model=model)
        best = max((s.score for s in ext.sentences), default=0.0)
        return ext.text, ext.hit, False, best, ext
