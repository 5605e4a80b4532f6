"""Text analysis for lexical search: Vietnamese syllables (with diacritic-folded twins), Russian stems.

The analyzer works token by token and picks the rules by script, so one index serves a mixed
Vietnamese/Russian corpus and no language detection is needed at query time:

* Latin-script tokens (Vietnamese, also names and English words) are kept as syllables, one-letter
  ones included (`ở`, `à`, `y`), and each gets a diacritic-folded twin prefixed with `~`
  (`hộ` → `hộ`, `~ho`; `đ` folds to `d`). A query typed with diacritics matches both forms (the
  exact form is a bonus); a query typed without any diacritics matches the folded forms only.
* Cyrillic tokens (Russian) are lowercased, `ё` → `е`, stop words dropped, Snowball-stemmed.
* Chat abbreviations (`ko`, `dc`, `j`, `ng`, ...) are expanded in queries, before analysis, so that
  the dense retriever sees the normal words too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_RUSSIAN

from retrieval.synonyms import query_map

FOLD_PREFIX = "~"
_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RU_STOP = frozenset(w.replace("ё", "е") for w in STOPWORDS_RUSSIAN)
_RU_STEMMER = Stemmer.Stemmer("russian")

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


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """Remove Vietnamese (and other Latin) diacritics: `được` → `duoc`, `Đà` → `Da`."""
    decomposed = unicodedata.normalize("NFD", token.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_diacritics(text: str) -> str:
    """The text as typed on a keyboard without Vietnamese input: folded and lowercased."""
    return fold(nfc(text)).lower()


def has_diacritics(text: str) -> bool:
    """True when some Latin letter of `text` carries a diacritic (Cyrillic is ignored)."""
    return any(fold(t) != t for t in _WORD.findall(text) if not _CYRILLIC.search(t))


def has_latin(text: str) -> bool:
    """True when the text has a word in Latin script (Vietnamese, names...), not only Cyrillic."""
    return any(not is_cyrillic(t) and not t.isdigit() for t in _WORD.findall(text))


def is_cyrillic(token: str) -> bool:
    return bool(_CYRILLIC.search(token))


@lru_cache(maxsize=200_000)
def _russian(token: str) -> str | None:
    token = token.replace("ё", "е")
    if token in _RU_STOP:
        return None
    return str(_RU_STEMMER.stemWord(token))


def expand_abbreviations(text: str) -> str:
    """Replace whole-word chat abbreviations (`ko dc j` → `không được gì`), keeping everything else."""

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        return VI_ABBREVIATIONS.get(word.lower(), word)

    return _WORD.sub(repl, nfc(text))


def analyze(text: str, *, query: bool = False) -> list[str]:
    """Tokens for BM25. Passages: exact + folded forms. Queries: abbreviations expanded; exact
    forms only when the query itself is written with diacritics (else they would only add noise)."""
    keep_exact = not query or has_diacritics(text)
    text = expand_abbreviations(text) if query else nfc(text)
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
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
