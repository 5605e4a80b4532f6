"""Sentence splitting for Vietnamese and Russian text: one splitter for chunking and answering.

A sentence ends at a line break, or at `.`, `!`, `?` or `…` (with closing quotes and brackets)
followed by whitespace, except:
- after an abbreviation (`TP.`, `ThS.`, `v.v.`, `г.`, `т.е.`, `ул.`, `руб.`) or an initial (`А. С.`);
- after a list or article number opening the sentence (`1.`, `Điều 3.`, `Статья 5.`);
- when the next word starts in lowercase.
Numbers (`1.500.000`, `2,4`) and ids (`07/2021/NĐ-CP`) have no whitespace after their dots, so they
are never split. With `max_chars`, a longer sentence is cut after `;` (else `:`) so an answer can
quote the relevant part. Spans are trimmed of whitespace; a piece with neither a letter nor a digit
(`***`, `—`) is not a sentence. Every `Span.text == text[start:end]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_ABBREVIATION_TEXT = """
    tp tt tx q p ths ts pgs gs bs ks cn nxb st vd v.v tr tp.hcm ng k.t tm vs
    г гг т.е т.к т.д т.п т.н т.ч др пр см стр обл ул им руб тыс млн млрд коп ст п пп рис илл табл
    акад проф доц н.э до.н.э мин сек ч кв эт корп д р-н пос с прим разд гл
    mr mrs ms dr prof no nr vs etc e.g i.e fig
"""
ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
"""Words written with a final dot that ends no sentence (lowercase, without that dot)."""
_NUMBERING_TEXT = "điều khoản mục chương phần bước статья пункт глава раздел часть шаг article section"
_NUMBERING_WORDS = frozenset(_NUMBERING_TEXT.split())
_BOUNDARY = re.compile(r"([.!?…]+)[\"'»”)\]]*(?=\s)")
_NEXT = re.compile(r"\s+(\S)")
_WORD_BEFORE = re.compile(r"([\w.\-]+)$")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_CONTENT = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def _false_boundary(text: str, last: int, end: int, sent_start: int) -> bool:
    """Is the punctuation ending at `end` (its last mark, before closing quotes, at `last`) not the
    end of the sentence that began at `sent_start`?"""
    nxt = _NEXT.match(text, end)
    if nxt is None:
        return False
    if nxt.group(1).islower():
        return True
    if text[last] != ".":
        return False
    m = _WORD_BEFORE.search(text, sent_start, last)
    word = m.group(1).lower() if m else ""
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    if word.isdigit() and len(word) <= 3:
        head = text[sent_start : m.start() if m else last].strip().lower()
        return not head or head in _NUMBERING_WORDS
    return False


def _line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        if not _false_boundary(text, m.end(1) - 1, m.end(), cur):
            spans.append((cur, m.end()))
            cur = m.end()
    spans.append((cur, end))
    return spans


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """An over-long sentence cut after `;` (else `:`)."""
    if end - start <= max_chars:
        return [(start, end)]
    for sep in (";", ":"):
        parts: list[tuple[int, int]] = []
        cur = start
        for m in re.finditer(re.escape(sep) + r"\s+", text[start:end]):
            parts.append((cur, start + m.start() + 1))
            cur = start + m.end()
        parts.append((cur, end))
        if len(parts) > 1:
            return [q for a, b in parts for q in _cut_long(text, a, b, max_chars)]
    return [(start, end)]


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


def sentence_spans(text: str, start: int = 0, end: int | None = None, *,
                   max_chars: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of text[start:end]."""
    return list(_spans(text, start, len(text) if end is None else end, max_chars))


_CACHED_CHARS = 5000
"""Passages are split again and again while answering (cached); whole documents once (not kept)."""


def _spans(text: str, start: int, end: int, max_chars: int | None) -> tuple[tuple[int, int], ...]:
    if len(text) <= _CACHED_CHARS:
        return _cached_spans(text, start, end, max_chars)
    return _split(text, start, end, max_chars)


@lru_cache(maxsize=20_000)
def _cached_spans(text: str, start: int, end: int, max_chars: int | None) -> tuple[tuple[int, int], ...]:
    return _split(text, start, end, max_chars)


def _split(text: str, start: int, end: int, max_chars: int | None) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    line_start = start
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text, start, end)] + [(end, end)]
    for br_start, br_end in breaks:
        pieces = _line(text, line_start, br_start)
        if max_chars is not None:
            pieces = [q for a, b in pieces for q in _cut_long(text, a, b, max_chars)]
        out += [(s, e) for s, e in trim_spans(text, pieces) if _CONTENT.search(text, s, e)]
        line_start = br_end
    return tuple(out)


def split_sentences(text: str, max_chars: int | None = None) -> list[Span]:
    """The sentences of `text` as spans (see the module doc)."""
    return [Span(s, e, text[s:e]) for s, e in _spans(text, 0, len(text), max_chars)]


def sentence_texts(text: str, max_chars: int | None = None) -> list[str]:
    """The sentences of `text`, as strings."""
    return [text[s:e] for s, e in _spans(text, 0, len(text), max_chars)]
