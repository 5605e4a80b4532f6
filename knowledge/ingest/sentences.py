"""Sentence boundaries for Vietnamese and Russian documents (offsets into the text).

A boundary is `.`, `!`, `?` or `…` (plus closing quotes/brackets) followed by whitespace, except:
- after an abbreviation (`TP.`, `ThS.`, `v.v.`, `г.`, `т.е.`, `ул.`, `руб.`) or an initial (`А. С.`);
- after a list or article number opening the sentence (`1.`, `Điều 3.`, `Статья 5.`);
- when the next word starts in lowercase.
Numbers (`1.500.000`, `2,4`) and ids (`07/2021/NĐ-CP`) contain no whitespace after the dot, so they
are never split.
"""

from __future__ import annotations

import re

_ABBREVIATION_TEXT = """
    tp tt tx q p ths ts pgs gs bs ks cn nxb st vd v.v tr đ ng k.t tm vs
    г гг т.е т.к т.д т.п т.н т.ч др пр см стр обл ул им руб тыс млн млрд коп ст п пп рис табл
    акад проф доц мин сек ч кв эт корп д р-н пос с тел прим разд гл
    mr mrs ms dr prof no nr vs etc e.g i.e fig
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
_NUMBERING_TEXT = "điều khoản mục chương phần bước статья пункт глава раздел часть шаг article section"
_NUMBERING_WORDS = frozenset(_NUMBERING_TEXT.split())
_BOUNDARY = re.compile(r"[.!?…]+[\"'»”)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.\-]+)$")


def _is_false_boundary(text: str, start: int, end: int, sent_start: int) -> bool:
    """Is the punctuation at text[start:end] (ending at `end`) not a sentence end?"""
    nxt_m = re.compile(r"\s+(\S)").match(text, end)
    if nxt_m is None:
        return False
    nxt = nxt_m.group(1)
    if nxt.islower():
        return True
    if text[start] != ".":
        return False
    m = _WORD_BEFORE.search(text, sent_start, start)
    word = m.group(1).lower() if m else ""
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    if word.isdigit() and len(word) <= 3:
        head = text[sent_start : m.start() if m else start].strip().lower()
        if not head or head in _NUMBERING_WORDS:
            return True
    return False


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (absolute offsets) of the sentences of text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        if _is_false_boundary(text, m.start(), m.end(), cur):
            continue
        spans.append((cur, m.end()))
        cur = m.end()
    spans.append((cur, end))
    return trim_spans(text, spans)


def trim_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with surrounding whitespace cut off; spans left empty are dropped."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
