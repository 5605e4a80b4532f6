"""Fit the answer-confidence model (retrieval/confidence_model.json) on the `fit` half of the questions.

Label = 1 when the extractive answer holds the expected fact and cites the expected document; wrong
answers and off-topic questions are 0. The `test` half is never seen here (answer_bench reports it).

    .venv/bin/python -m benchmarks.fit_confidence [--l2 1.0] [--dry-run]
"""

from __future__ import annotations

import argparse

from benchmarks.answer_common import build, load_questions, run
from retrieval.answer import Answerer
from retrieval.confidence import MODEL_PATH, ConfidenceModel, fit_logistic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--dry-run", action="store_true", help="print the model, do not save it")
    args = parser.parse_args()
    bench = build()
    rows = [r for r in load_questions() if r["split"] == "fit"]
    outcomes = run(Answerer(bench.search, threshold=0.0), rows, bench.docs)
    feats = [o.answer.features for o in outcomes if o.answer.features]
    labels = [int(o.right) for o in outcomes if o.answer.features]
    model = fit_logistic(feats, labels, l2=args.l2)
    model.meta.update({"questions": len(rows), "split": "fit", "source": "benchmarks/fit_confidence.py"})
    acc = sum((model.predict(f) >= 0.5) == bool(y) for f, y in zip(feats, labels, strict=True)) / len(labels)
    print(f"fitted on {len(labels)} questions ({sum(labels)} right answers); training accuracy {acc:.3f}")
    for name, w in sorted(model.weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:16s} {w:+.3f}")
    if not args.dry_run:
        model.save(MODEL_PATH)
        print(f"saved {MODEL_PATH}")
    assert isinstance(model, ConfidenceModel)


if __name__ == "__main__":
    main()
