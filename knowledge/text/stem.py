"""Russian stemming: one Snowball stemmer (PyStemmer) for search, answering and place names.

`russian_stem(word)` lowercases nothing (callers pass lowercase words) but reads `ё` as `е`, as
folding does. The stemmer sometimes cuts a short word too deep (`акима` → `аким` but `аким` →
`ак`); `min_len` keeps a word whole when its stem would be shorter than that, which callers that
compare whole words use (answering: 3 letters, place names: 4).
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("russian")


@lru_cache(maxsize=200_000)
def _snowball(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def russian_stem(word: str, min_len: int = 0) -> str:
    """The Snowball stem of a (lowercase) Russian word; the word itself (`ё` as `е`) when the stem
    would be shorter than `min_len` letters."""
    word = word.replace("ё", "е")
    stem = _snowball(word)
    return stem if len(stem) >= min_len else word
