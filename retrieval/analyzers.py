"""Text analysis for lexical search: Vietnamese syllables (with diacritic-folded twins), Russian stems.

The analyzer works token by token and picks the rules by script, so one index serves a mixed
Vietnamese/Russian corpus and no language detection is needed at query time:

* Latin-script tokens (Vietnamese, also names and English words) are kept as syllables, one-letter
  ones included (`ở`, `à`, `y`), and each gets a diacritic-folded twin prefixed with `~`
  (`hộ` → `hộ`, `~ho`; `đ` folds to `d`: the rule of knowledge/text/fold.py). A query typed with
  diacritics matches both forms (the exact form is a bonus); a query typed without any diacritics
  matches the folded forms only.
* Cyrillic tokens (Russian) are lowercased, `ё` → `е`, stop words dropped, Snowball-stemmed
  (knowledge/text/stem.py).
* Chat abbreviations (`ko`, `dc`, `j`, `ng`, ...) are expanded in queries, before analysis, so that
  the dense retriever sees the normal words too.
"""

from __future__ import annotations

from functools import lru_cache

from bm25s.stopwords import STOPWORDS_RUSSIAN

from knowledge.text import fold, has_diacritics, is_cyrillic, nfc, replace_words, russian_stem, words
from retrieval.synonyms import query_map

FOLD_PREFIX = "~"
_RU_STOP = frozenset(w.replace("ё", "е") for w in STOPWORDS_RUSSIAN)

# Vietnamese chat / SMS abbreviations → the words they stand for (queries only).
VI_ABBREVIATIONS: dict[str, str] = {
    "ko": "không", "k": "không", "kh": "không", "hok": "không", "hong": "không", "khg": "không",
    "dc": "được", "đc": "được", "j": "gì", "ji": "gì",
    "ns": "nói", "ng": "người", "bn": "bao nhiêu", "bnh": "bao nhiêu",
    "vs": "với", "mk": "mình", "mik": "mình", "ntn": "như thế nào", "cx": "cũng", "cg": "cũng",
    "trc": "trước", "bh": "bao giờ", "bjo": "bao giờ", "r": "rồi", "sdt": "số điện thoại",
    "sđt": "số điện thoại", "tp": "thành phố", "hs": "hồ sơ", "gd": "gia đình", "đt": "điện thoại",
    "vn": "việt nam", "z": "vậy", "zậy": "vậy", "wa": "qua", "nhìu": "nhiều",
}
VI_ABBREVIATIONS.update(query_map())  # + the synonym files per language (retrieval/synonyms/*.tsv)


@lru_cache(maxsize=200_000)
def _russian(token: str) -> str | None:
    token = token.replace("ё", "е")
    if token in _RU_STOP:
        return None
    return russian_stem(token)


def expand_abbreviations(text: str) -> str:
    """Replace whole-word chat abbreviations (`ko dc j` → `không được gì`), keeping everything else."""
    return replace_words(nfc(text), VI_ABBREVIATIONS)


def analyze(text: str, *, query: bool = False) -> list[str]:
    """Tokens for BM25. Passages: exact + folded forms. Queries: abbreviations expanded; exact
    forms only when the query itself is written with diacritics (else they would only add noise)."""
    keep_exact = not query or has_diacritics(text)
    text = expand_abbreviations(text) if query else nfc(text)
    out: list[str] = []
    for word in words(text.lower()):
        out.extend(_word_tokens(word, keep_exact))
    return out


@lru_cache(maxsize=500_000)
def _word_tokens(word: str, keep_exact: bool) -> tuple[str, ...]:
    if is_cyrillic(word):
        stem = _russian(word)
        return (stem,) if stem else ()
    folded = FOLD_PREFIX + fold(word)
    return (word, folded) if keep_exact else (folded,)


def analyze_many(texts: list[str]) -> list[list[str]]:
    return [analyze(t) for t in texts]
