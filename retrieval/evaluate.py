"""Retrieval quality and latency on a labelled query set, scored by document id.

Queries are JSONL: `{"id", "text", "lang", "relevant": [doc ids], "answers": [strings]}`.
Metrics: recall@1, recall@5 (share of relevant documents found), mrr@10, ndcg@10 (binary
relevance), answer_hit@5 (an answer string occurs in one of the 5 returned passages), and the
p50/p95 wall time of `SearchService.search` in milliseconds, measured after one warm-up query.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.jsontypes import as_list, as_object
from knowledge.text import fold_lower, nfc
from retrieval.types import SearchHit


class EvalInputError(ValueError):
    """A query file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    text: str
    lang: str | None
    relevant: tuple[str, ...]
    answers: tuple[str, ...] = field(default=())


def load_queries(path: Path) -> list[LabelledQuery]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: cannot read the query file ({exc})") from exc
    out: list[LabelledQuery] = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = as_object(json.loads(line), "query")
            relevant = tuple(str(x) for x in as_list(obj["relevant"], "relevant"))
            text = str(obj["text"])
            if not text.strip() or not relevant:
                raise ValueError("empty text or relevant list")
            answers = tuple(str(a) for a in as_list(obj.get("answers") or [], "answers"))
            lang = obj.get("lang")
            out.append(LabelledQuery(str(obj.get("id", no)), text, None if lang is None else str(lang),
                                     relevant, answers))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalInputError(f"{path}, line {no}: not a valid query ({exc})") from exc
    if not out:
        raise EvalInputError(f"{path}: no queries")
    return out


def query_metrics(q: LabelledQuery, hits: Sequence[SearchHit]) -> dict[str, float]:
    ranked = list(dict.fromkeys(h.doc_id for h in hits))  # distinct documents, best first
    rel = set(q.relevant)
    first = next((i for i, d in enumerate(ranked[:10]) if d in rel), None)
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    passages = [nfc(h.text).casefold() for h in hits[:5]]
    answers = [nfc(a).casefold() for a in q.answers if a.strip()]
    return {
        "recall@1": len(rel & set(ranked[:1])) / len(rel),
        "recall@5": len(rel & set(ranked[:5])) / len(rel),
        "mrr@10": 0.0 if first is None else 1.0 / (first + 1),
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "answer_hit@5": float(any(a in p for a in answers for p in passages)) if answers else 0.0,
    }


SearchFn = Callable[[str], tuple[list[SearchHit], float]]


def evaluate(
    search: SearchFn,
    queries: Sequence[LabelledQuery],
    *,
    strip: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, float]:
    """Run every query through `search` (returns hits and milliseconds) and average the metrics."""
    if queries:
        search(queries[0].text)  # warm-up: lazy loading, first-call allocations
    sums: dict[str, float] = {}
    times: list[float] = []
    for i, q in enumerate(queries, 1):
        hits, ms = search(fold_lower(q.text) if strip else q.text)
        times.append(ms)
        for name, value in query_metrics(q, hits).items():
            sums[name] = sums.get(name, 0.0) + value
        if progress is not None:
            progress(i, len(queries))
    n = max(len(queries), 1)
    result: dict[str, float] = {name: round(total / n, 4) for name, total in sums.items()}
    result["queries"] = len(queries)
    result["p50_ms"] = round(float(np.percentile(times, 50)), 2) if times else 0.0
    result["p95_ms"] = round(float(np.percentile(times, 95)), 2) if times else 0.0
    return result
