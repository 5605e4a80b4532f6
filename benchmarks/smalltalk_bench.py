"""Small talk and intents: precision and recall of the classifier (handlers/smalltalk/classify.py).

    python -m benchmarks.smalltalk_bench [--split heldout|tuning] [--show-errors] [--json]

Data: benchmarks/data/smalltalk_heldout.jsonl (frozen before the classifier was written; never
tuned on) and benchmarks/data/smalltalk_tuning.jsonl (the lexicon was tuned on it). Each line
{"text", "lang", "label"}; label is a small-talk category (greeting, thanks, bye, ok, laugh, emoji,
digits), an intent (booking, eligibility, handoff) or `question` (must reach the answerer).

Reported:
- not-a-question detection (small talk + digits + intents vs questions): precision, recall, and
  the share of real questions kept for the answerer;
- small talk alone (precision/recall of "small talk or digits");
- each intent: precision/recall of the intent label;
- category accuracy among correctly detected small talk (which friendly reply was chosen).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from handlers.smalltalk.classify import INTENTS, Verdict, classify

DATA = Path(__file__).parent / "data"
XQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xquad"
TALK = {"greeting", "thanks", "bye", "ok", "laugh", "emoji", "digits"}


def predicted(v: Verdict | None) -> str:
    return "question" if v is None else v.category


def _pr(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return {"precision": None if p is None else round(p, 3), "recall": None if r is None else round(r, 3),
            "tp": tp, "fp": fp, "fn": fn}


def evaluate(rows: list[dict[str, str]]) -> dict[str, Any]:
    pairs = [(r["label"], predicted(classify(r["text"])), r) for r in rows]

    def pr(gold_set: set[str], pred_set: set[str]) -> dict[str, Any]:
        tp = sum(1 for g, p, _ in pairs if g in gold_set and p in pred_set)
        fp = sum(1 for g, p, _ in pairs if g not in gold_set and p in pred_set)
        fn = sum(1 for g, p, _ in pairs if g in gold_set and p not in pred_set)
        return _pr(tp, fp, fn)

    not_q = TALK | set(INTENTS)
    questions = [(g, p) for g, p, _ in pairs if g == "question"]
    talk_hits = [(g, p) for g, p, _ in pairs if g in TALK and p in TALK]
    out: dict[str, Any] = {
        "n": len(pairs),
        "by_label": {lab: sum(1 for g, _, _ in pairs if g == lab) for lab in sorted({g for g, _, _ in pairs})},
        "not_a_question": pr(not_q, not_q),
        "questions_kept": round(sum(1 for _, p in questions if p == "question") / max(len(questions), 1), 3),
        "smalltalk": pr(TALK, TALK),
        "intents": {name: pr({name}, {name}) for name in INTENTS},
        "smalltalk_category_accuracy": round(sum(1 for g, p in talk_hits if g == p) / max(len(talk_hits), 1), 3),
        "errors": [{"text": r["text"], "lang": r["lang"], "gold": g, "predicted": p} for g, p, r in pairs
                   if g != p and not (g in TALK and p in TALK)],
    }
    for lang in ("vi", "ru"):
        sub = [(g, p) for g, p, r in pairs if r["lang"] == lang]
        tp = sum(1 for g, p in sub if g == p or (g in TALK and p in TALK))
        out[f"exact_{lang}"] = round(tp / max(len(sub), 1), 3)
    return out


def other_questions() -> dict[str, list[str]]:
    """Real questions nobody wrote for this classifier: the answer benchmark's questions and XQuAD's
    (vi, ru, vi typed without diacritics). None of them is small talk or a flow request."""
    from knowledge.text import fold_lower

    sets: dict[str, list[str]] = {}
    answers = DATA / "answer_questions.jsonl"
    if answers.exists():
        sets["answer_questions"] = [json.loads(x)["question"] for x in answers.read_text("utf-8").splitlines() if x]
    for lang in ("vi", "ru"):
        path = XQUAD / f"xquad.{lang}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text("utf-8"))["data"]
        qs = [qa["question"] for art in data for para in art["paragraphs"] for qa in para["qas"]]
        sets[f"xquad_{lang}"] = qs
        if lang == "vi":
            sets["xquad_vi_nodiac"] = [fold_lower(q) for q in qs]
    return sets


def question_sets() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, qs in other_questions().items():
        taken = [(q, predicted(classify(q))) for q in qs]
        wrong = [(q, p) for q, p in taken if p != "question"]
        out[name] = {"n": len(qs), "kept": round(1 - len(wrong) / max(len(qs), 1), 4), "taken": len(wrong),
                     "examples": wrong[:10]}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("heldout", "tuning"), default="heldout")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    path = DATA / f"smalltalk_{args.split}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    result = evaluate(rows)
    result["ms_per_message"] = round((time.perf_counter() - started) * 1000 / max(len(rows), 1), 3)
    result["split"] = args.split
    result["other_questions"] = question_sets()
    if not args.show_errors:
        result["errors"] = len(result["errors"])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    nq, st = result["not_a_question"], result["smalltalk"]
    print(f"{args.split}: {result['n']} messages {result['by_label']}")
    print(f"not a question: precision {nq['precision']} recall {nq['recall']} (tp {nq['tp']} fp {nq['fp']} "
          f"fn {nq['fn']}); real questions kept for the answerer {result['questions_kept']}")
    print(f"small talk + digits: precision {st['precision']} recall {st['recall']}; "
          f"reply category right {result['smalltalk_category_accuracy']}")
    for name, m in result["intents"].items():
        print(f"intent {name}: precision {m['precision']} recall {m['recall']} "
              f"(tp {m['tp']} fp {m['fp']} fn {m['fn']})")
    print(f"exact label, vi {result['exact_vi']}  ru {result['exact_ru']};  {result['ms_per_message']} ms/message")
    for name, m in result["other_questions"].items():
        print(f"real questions {name}: {m['n']}, kept for the answerer {m['kept']} ({m['taken']} taken as small talk"
              f" or intent)")
    if args.show_errors:
        for name, m in result["other_questions"].items():
            for q, p in m["examples"]:
                print(f"  [{name}] question → {p:<11} {q}")
        for e in result["errors"]:
            print(f"  [{e['lang']}] {e['gold']:>11} → {e['predicted']:<11} {e['text']}")


if __name__ == "__main__":
    main()
