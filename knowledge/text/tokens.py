"""Tokenization: the word patterns every module splits text with, and what a word is written in.

* `words(text)`: runs of word characters (`\\w+`: letters, digits, `_`) — what search indexes
  (retrieval/analyzers.py) and the small-talk lexicon compare;
* `letter_words(text)`: runs of letters only (no digits, no `_`) — language detection;
* `word_offsets(text)`: (word, offset) pairs of runs of letters and digits (no `_`) — place names,
  which must map back to where they were written, and word counts;
* `terms(text)`: letter runs and numbers, a number written with group separators kept whole
  (`1.500.000`, `1,500,000`, `1 500 000` with no-break spaces) and decimals (`2,4`) — the words of
  questions and sentences in answering.

`is_cyrillic` and `has_latin` tell scripts apart; `has_diacritics` tells a Latin word typed with
its marks from one typed without (Vietnamese typed on a plain keyboard).
"""

from __future__ import annotations

import re

from knowledge.text.fold import fold

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_ALNUM = re.compile(r"[^\W_]+")
_TERM = re.compile(r"\d+(?:[.,\u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)?|[^\W\d_]+")


def words(text: str) -> list[str]:
    """Runs of word characters: `Hộ nghèo (2021_2025)` → `Hộ`, `nghèo`, `2021_2025`."""
    return _WORD.findall(text)


def replace_words(text: str, repl: dict[str, str]) -> str:
    """`text` with each whole word found (lowercased) in `repl` replaced, everything else kept."""
    return _WORD.sub(lambda m: repl.get(m.group(0).lower(), m.group(0)), text)


def letter_words(text: str) -> list[str]:
    """Runs of letters: `COVID-19 đã` → `COVID`, `đã`."""
    return _LETTER_WORD.findall(text)


def letters(text: str) -> list[str]:
    """Every letter of `text`, one by one."""
    return LETTER.findall(text)


def word_offsets(text: str) -> list[tuple[str, int]]:
    """(word, offset) of each run of letters and digits: `Hà Nội, 2025` → (`Hà`, 0), (`Nội`, 3), (`2025`, 8)."""
    return [(m.group(0), m.start()) for m in _ALNUM.finditer(text)]


def terms(text: str) -> list[str]:
    """Letter runs and numbers: `1.500.000 đồng, 2,4 lần` → `1.500.000`, `đồng`, `2,4`, `lần`."""
    return _TERM.findall(text)


def is_cyrillic(token: str) -> bool:
    """True when `token` has a Cyrillic letter."""
    return CYRILLIC.search(token) is not None


def has_latin(text: str) -> bool:
    """True when the text has a word in Latin script (Vietnamese, names...), not only Cyrillic."""
    return any(not is_cyrillic(t) and not t.isdigit() for t in words(text))


def has_diacritics(text: str) -> bool:
    """True when some Latin-script word of `text` carries a diacritic (Cyrillic words are ignored)."""
    return any(fold(t) != t for t in words(text) if not is_cyrillic(t))
