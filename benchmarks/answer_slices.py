"""Generated slices of the answer benchmark: near-miss questions and small talk.

Near-miss: each answerable in-domain question (as typed: with diacritics, and without) gets ONE
variant per kind of constraint it names (place, year, program, country), that constraint swapped for
one the knowledge base does not cover (`SWAPS`: checked absent from the seeds and program summaries;
a year is shifted to one its expected document never mentions). The knowledge base cannot answer
such a question; the bot is right when it declines (`abstained`) or when its answer carries a
`mismatch` object (`{"asked", "found"}`: it says the fact it has is about another place/year).
Each near-miss question inherits the split of the question it comes from.

Small talk: greetings, thanks, emoji, "ok", laughter and stray digits in vi and ru; right when
not answered from a document (abstained, or no citation).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from benchmarks.answer_common import CORPUS, SEEDS

# (kind, pattern, replacement): patterns are matched case-insensitively on the question as typed.
SWAPS: list[tuple[str, str, str]] = [
    ("place", r"Sơn La", "Lai Châu"), ("place", r"son la", "lai chau"),
    ("place", r"Bắc Kạn", "Cao Bằng"), ("place", r"bac kan", "cao bang"),
    ("place", r"Tuyên Quang", "Điện Biên"), ("place", r"tuyen quang", "dien bien"),
    ("place", r"Pavlodar", "Karaganda"),
    ("place", r"Павлодарской", "Карагандинской"), ("place", r"Павлодарская", "Карагандинская"),
    ("place", r"Павлодаре", "Караганде"), ("place", r"Павлодара", "Караганды"),
    ("place", r"Актюбинской", "Костанайской"),
    ("country", r"во Вьетнаме", "в Камбодже"), ("country", r"Вьетнама", "Камбоджи"),
    ("country", r"вьетнамской", "камбоджийской"), ("country", r"Казахстане", "Узбекистане"),
    ("country", r"Việt Nam", "Campuchia"), ("country", r"viet nam", "campuchia"),
    ("country", r"Kazakhstan", "Uzbekistan"),
    ("program", r"135", "30a"),
]
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?:\s*[-–]\s*(20[0-3]\d))?(?!\d)")
_PROGRAM_NUMBERS = {"135"}

SMALL_TALK: list[tuple[str, str]] = [
    ("vi", "xin chào"), ("vi", "chào bạn"), ("vi", "chao ban"), ("vi", "alo"), ("vi", "hi"), ("vi", "cảm ơn"),
    ("vi", "cam on nhieu nha"), ("vi", "thanks"), ("vi", "ok"), ("vi", "oke"), ("vi", "ừ"), ("vi", "dạ"),
    ("vi", "haha"), ("vi", "hihi"), ("vi", "👍"), ("vi", "😂"), ("vi", "❤️"), ("vi", "1"), ("vi", "2"), ("vi", "9"),
    ("vi", "tạm biệt"), ("vi", "bye"), ("vi", "chúc ngủ ngon"), ("vi", "bạn khỏe không"),
    ("ru", "привет"), ("ru", "здравствуйте"), ("ru", "добрый день"), ("ru", "спасибо"), ("ru", "спс"),
    ("ru", "благодарю"), ("ru", "ок"), ("ru", "хорошо"), ("ru", "ага"), ("ru", "ладно"), ("ru", "ха-ха"),
    ("ru", "))"), ("ru", "😊"), ("ru", "🙏"), ("ru", "3"), ("ru", "0"), ("ru", "пока"), ("ru", "до свидания"),
    ("ru", "как дела"),
]


def _doc_text(doc: str) -> str:
    """The expected document's text (a seed file stem or `corpus:<stem>`)."""
    if doc.startswith("corpus:"):
        path = CORPUS / f"{doc.split(':', 1)[1]}.md"
    else:
        path = next(iter(sorted(SEEDS.glob(f"{doc}*"))), Path("/nonexistent"))
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _swap_year(question: str, doc_text: str) -> str | None:
    m = _YEAR.search(question)
    if m is None or m.group(1) in _PROGRAM_NUMBERS:
        return None
    for shift in (-6, -7, -9, 7, 9):
        a = str(int(m.group(1)) + shift)
        b = str(int(m.group(2)) + shift) if m.group(2) else None
        if a in doc_text or (b and b in doc_text):
            continue
        new = a if b is None else m.group(0).replace(m.group(1), a).replace(m.group(2), b)
        return question[: m.start()] + new + question[m.end() :]
    return None


def near_miss(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One near-miss question per (answerable question typed `orig` or `nodiac`, constraint kind)."""
    out: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for row in rows:
        if not row.get("in_scope") or row.get("variant") not in ("orig", "nodiac"):
            continue
        q = row["question"]
        made: dict[str, str] = {}
        for kind, pattern, repl in SWAPS:
            if kind in made:
                continue
            m = re.search(pattern, q, flags=re.IGNORECASE)
            if m is not None:
                made[kind] = q[: m.start()] + repl + q[m.end() :]
        doc_text = texts.setdefault(row["doc"], _doc_text(row["doc"]))
        year = _swap_year(q, doc_text)
        if year is not None:
            made["year"] = year
        for kind, question in made.items():
            out.append({**row, "id": f"{row['id']}-nm-{kind}", "question": question, "near_miss": kind,
                        "in_scope": False, "fact": None})
    return out


def small_talk() -> list[dict[str, Any]]:
    return [{"id": f"st{i:02d}", "lang": lang, "question": text, "split": "test", "small_talk": True}
            for i, (lang, text) in enumerate(SMALL_TALK)]


def declined_or_mismatch(payload: dict[str, Any]) -> bool:
    return bool(payload.get("abstained")) or bool(payload.get("mismatch"))


def not_from_documents(payload: dict[str, Any]) -> bool:
    return bool(payload.get("abstained")) or not payload.get("citations")
