"""Chunks: contiguous spans of a document's text cut on paragraph and sentence boundaries.

- Paragraphs (blocks separated by a blank line, or single lines in line-per-paragraph text) are
  packed whole into a chunk while it stays ≤ `max_chars` (1200 by default: comfortably under
  the 512 tokens multilingual-e5-small reads). A heading starts a new chunk once the current
  one has `min_chars`, and a chunk never ends with a heading.
- A paragraph longer than `max_chars` is cut between sentences; consecutive pieces overlap by
  one sentence. A single sentence longer than `max_chars` is cut at a space.
- Every chunk is `text[char_start:char_end]`, so positions map back to the document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.text import sentence_spans, trim_spans

MAX_CHARS = 1200
MIN_CHARS = 300
_PARA_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class ChunkSpan:
    position: int
    char_start: int
    char_end: int
    text: str
    text_hash: str


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paragraphs(text: str) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    cur = 0
    for m in _PARA_BREAK.finditer(text):
        blocks.append((cur, m.start()))
        cur = m.end()
    blocks.append((cur, len(text)))
    return trim_spans(text, blocks)


def _is_heading(text: str, span: tuple[int, int]) -> bool:
    piece = text[span[0] : span[1]]
    return "\n" not in piece and len(piece) <= 120 and piece[-1] not in ".!?…:;,"


def _cut_long_sentence(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while e - s > max_chars:
        cut = text.rfind(" ", s + max_chars // 2, s + max_chars)
        cut = cut if cut > s else s + max_chars
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    out.append((s, e))
    return out


def _split_paragraph(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    """Pieces of a long paragraph, each ≤ max_chars, overlapping by one sentence."""
    sents = [p for a, b in sentence_spans(text, s, e) for p in _cut_long_sentence(text, a, b, max_chars)]
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(sents):
        j = i
        while j + 1 < len(sents) and sents[j + 1][1] - sents[i][0] <= max_chars:
            j += 1
        pieces.append((sents[i][0], sents[j][1]))
        if j + 1 >= len(sents):
            break
        overlap_fits = sents[j + 1][1] - sents[j][0] <= max_chars and sents[j][1] - sents[j][0] <= max_chars // 2
        i = j if j > i and overlap_fits else j + 1
    return pieces


def _units(text: str, max_chars: int) -> list[tuple[int, int, bool]]:
    """Paragraph-level units (start, end, is_heading); long paragraphs already split."""
    units: list[tuple[int, int, bool]] = []
    for s, e in _paragraphs(text):
        if e - s <= max_chars:
            units.append((s, e, _is_heading(text, (s, e))))
            continue
        for m in re.finditer(r"[^\n]+", text[s:e]):
            a, b = s + m.start(), s + m.end()
            if b - a <= max_chars:
                units.append((a, b, _is_heading(text, (a, b))))
            else:
                units.extend((x, y, False) for x, y in _split_paragraph(text, a, b, max_chars))
    return units


def chunk_text(text: str, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS) -> list[ChunkSpan]:
    groups: list[list[tuple[int, int, bool]]] = []
    cur: list[tuple[int, int, bool]] = []
    for unit in _units(text, max_chars):
        size = unit[1] - cur[0][0] if cur else 0
        if cur and (size > max_chars or (unit[2] and size - (unit[1] - unit[0]) >= min_chars)):
            carry: list[tuple[int, int, bool]] = []
            while len(cur) > 1 and cur[-1][2]:
                carry.insert(0, cur.pop())
            groups.append(cur)
            cur = carry
            if cur and unit[1] - cur[0][0] > max_chars:
                groups.append(cur)
                cur = []
        cur.append(unit)
    if cur:
        groups.append(cur)
    chunks: list[ChunkSpan] = []
    for group in groups:
        s, e = group[0][0], group[-1][1]
        piece = text[s:e]
        chunks.append(ChunkSpan(len(chunks), s, e, piece, text_hash(piece)))
    return chunks
