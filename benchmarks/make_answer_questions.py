"""Write benchmarks/data/answer_questions.jsonl: the answering benchmark's question set.

Base questions are hand-written (about the seed documents and the program summaries, plus
off-topic ones). Each in-scope base question also gets the variants users really type: without
diacritics and lowercase (`nodiac`), with one or two keyboard typos (`typo`), and in chat style
with abbreviations (`chat`: `ko`, `dc`, `j`, `bn`, ...). Variants are derived deterministically
(seeded), so re-running the script rewrites the same file.

Every base question (and all its variants) belongs to one split: `fit` (used to fit the confidence
model) or `test` (held out, reported separately). Line fields:
`{"id", "base", "lang", "variant", "split", "question", "in_scope", "doc", "fact"}` where `doc` is the
expected source (seed file stem or corpus summary id) and `fact` a substring the answer must contain.

    .venv/bin/python -m benchmarks.make_answer_questions
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from benchmarks.answer_questions_base import IN_SCOPE, OFF_TOPIC
from knowledge.text import fold_lower

OUT = Path(__file__).parent / "data" / "answer_questions.jsonl"

_VI_CHAT = [
    (r"\bkhông\b", "ko"), (r"\bđược\b", "dc"), (r"\bgì\b", "j"), (r"\bbao nhiêu\b", "bn"),
    (r"\bngười\b", "ng"), (r"\bvới\b", "vs"), (r"\bnhư thế nào\b", "ntn"),
    (r"\bphi chính phủ\b", "pcp"), (r"\bchương trình\b", "ct"),
]
_KEYS = "qwertyuiop asdfghjkl zxcvbnm йцукенгшщзхъ фывапролджэ ячсмитьбю"


def _plain(text: str) -> str:
    return re.sub(r"[?!.,;:«»\"()]", "", text).lower().strip()


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _KEYS.split():
        i = row.find(ch)
        if i >= 0:
            return row[max(0, min(len(row) - 1, i + rng.choice((-1, 1))))]
    return ch


def _typo_word(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "drop", "double", "key"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + _neighbour(word[i], rng) + word[i + 1 :]


def typo(text: str, rng: random.Random, n: int = 2) -> str:
    words = text.split()
    long_ones = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(long_ones, min(n, len(long_ones))):
        words[i] = _typo_word(words[i], rng)
    return " ".join(words)


def chat(text: str, lang: str) -> str:
    low = _plain(text)
    if lang == "vi":
        for pat, rep in _VI_CHAT:
            low = re.sub(pat, rep, low)
        return fold_lower(low)
    return low.replace("ё", "е").replace("неправительственных организаций", "нпо")


def variants(question: str, lang: str, rng: random.Random) -> list[tuple[str, str]]:
    out = [("orig", question)]
    if lang == "vi":
        out.append(("nodiac", fold_lower(_plain(question))))
        out.append(("typo", typo(fold_lower(_plain(question)), rng)))
        out.append(("chat", chat(question, lang)))
    else:
        out.append(("lower", _plain(question)))
        out.append(("typo", typo(_plain(question), rng)))
        out.append(("chat", chat(question, lang)))
    seen: set[str] = set()
    return [(v, q) for v, q in out if not (q in seen or seen.add(q))]  # type: ignore[func-returns-value]


def main() -> None:
    rng = random.Random(20261125)
    rows: list[dict[str, object]] = []
    for n, (lang, doc, fact, question) in enumerate(IN_SCOPE):
        split = "fit" if n % 2 == 0 else "test"
        for variant, text in variants(question, lang, rng):
            rows.append({"id": f"q{n:03d}-{variant}", "base": f"q{n:03d}", "lang": lang, "variant": variant,
                         "split": split, "question": text, "in_scope": True, "doc": doc, "fact": fact})
    for n, (lang, question) in enumerate(OFF_TOPIC):
        split = "fit" if n % 2 == 0 else "test"
        rows.append({"id": f"o{n:03d}", "base": f"o{n:03d}", "lang": lang, "variant": "orig", "split": split,
                     "question": question, "in_scope": False, "doc": None, "fact": None})
        if n % 3 == 0:
            plain = fold_lower(_plain(question)) if lang == "vi" else _plain(question)
            rows.append({"id": f"o{n:03d}-plain", "base": f"o{n:03d}", "lang": lang, "variant": "nodiac",
                         "split": split, "question": plain, "in_scope": False, "doc": None, "fact": None})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} questions to {OUT}")


if __name__ == "__main__":
    main()
