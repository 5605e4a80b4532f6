"""XQuAD answer spans: is the gold answer inside the bot's answer? (vi, ru, vi typed without diacritics)

Questions: ../shared/data/xquad/{vi,ru}/queries.jsonl (1,190 each, gold `answers` spans); the vi
questions are also asked folded and lowercased as typed without Vietnamese input (`vi-nodiac`).
Knowledge base: the answer benchmark's (benchmarks/answer_common.py: seeds, program summaries and
every XQuAD vi and ru paragraph), so every question competes with the whole corpus.
Split: benchmarks/data/answer_split.json (by article, frozen); `test` is the headline.
A question counts right when the bot answers (does not abstain) and a gold span is inside the answer
text (Unicode NFC, case-insensitive); abstaining counts as wrong.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.answer_common import SHARED
from benchmarks.answer_split import load_split
from knowledge.text import fold_lower, nfc

XQUAD = SHARED / "data" / "xquad"
SETS = ("vi", "ru", "vi-nodiac")


def norm(text: str) -> str:
    return nfc(text).casefold()


def span_in(answers: list[str], text: str) -> bool:
    t = norm(text)
    return bool(t) and any(norm(a) in t for a in answers if a.strip())


def load_xquad(split: str | None = None, sets: tuple[str, ...] = SETS) -> list[dict[str, Any]]:
    """The XQuAD questions of the frozen `split` (`fit`, `test`, or None for both)."""
    articles = load_split()
    rows: list[dict[str, Any]] = []
    for name in sets:
        lang = name[:2]
        para_title = {}
        for line in (XQUAD / lang / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            para_title[d["id"]] = d["title"]
        for line in (XQUAD / lang / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            para = d["relevant"][0]
            part = articles[para_title[para]]
            if split is not None and part != split:
                continue
            question = fold_lower(d["text"]) if name.endswith("nodiac") else d["text"]
            rows.append({"id": f"{name}:{d['id']}", "set": name, "lang": lang, "question": question,
                         "answers": d["answers"], "doc": para, "split": part,
                         "article": para_title[para]})
    return rows


@dataclass
class SpanOutcome:
    row: dict[str, Any]
    answered: bool
    right: bool
    """Answered, with a gold span inside the answer."""
    forced_right: bool
    """A gold span inside the answer the bot would give at threshold 0."""
    confidence: float
    features: dict[str, float]
    latency_ms: float
    search_ms: float
    payload: dict[str, Any]


def run_spans(answerer: Any, rows: list[dict[str, Any]], search: Any | None = None) -> list[SpanOutcome]:
    """Answer each question once with the answerer's own threshold (the answer's JSON decides whether it
    abstained); the forced answer (threshold 0) is recomputed only for abstentions. With `search`, the
    search alone is also timed on the same question right after (same conditions, for the latency ratio)."""
    from retrieval.answer import Answerer

    probe = Answerer(answerer.search, threshold=0.0, model=answerer.model)
    if rows:
        answerer.answer(rows[0]["question"], rows[0]["lang"])
    out: list[SpanOutcome] = []
    for row in rows:
        start = time.perf_counter()
        ans = answerer.answer(row["question"], row["lang"])
        latency = (time.perf_counter() - start) * 1000.0
        search_ms = 0.0
        if search is not None:
            start = time.perf_counter()
            search.search(row["question"], k=5)
            search_ms = (time.perf_counter() - start) * 1000.0
        payload = ans.to_json()
        answered = not payload.get("abstained", False)
        forced = ans if answered else probe.answer(row["question"], row["lang"])
        out.append(SpanOutcome(row, answered, answered and span_in(row["answers"], payload.get("answer", "")),
                               span_in(row["answers"], forced.text), float(ans.confidence),
                               dict(forced.features), latency, search_ms, payload))
    return out
