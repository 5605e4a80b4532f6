"""Diacritic folding: the one rule every comparison of typed and written words uses.

The rule (`fold`):

* every combining mark goes (the text is decomposed, NFD, and each character with a non-zero
  canonical combining class is dropped): Vietnamese tones and vowel marks (`được` → `duoc`,
  `Hà Nội` → `Ha Noi`), accents of names (`Pérez` → `Perez`), and `ё` → `е` (Russian writes `е`
  for `ё` all the time, so the two must compare equal);
* `đ`/`Đ` → `d`/`D` (a letter of its own in Unicode, not a `d` with a mark, so named explicitly);
* **`й` stays `й`**: it is a letter of its own on every Russian keyboard and people type it;
  folding it to `и` would change Russian words rather than spellings — the Snowball stemmer cuts
  `павлодарской` to `павлодарск` but `павлодарскои` to `павлодарско`, so a folded question would
  stop matching the documents' stems (search analyzers, the answer's content words, the
  gazetteer), which is where folding matters most;
* case is kept (`fold_lower` lowercases too); the result is NFC.

`match_form` is what typed input is compared in (buttons, commands, dates, room names, places):
lowercase, folded, single spaces. `kazakh_as_russian` maps the Kazakh letters to the Russian ones
people type instead (`Қарағанды` → `Караганды`), for matching typed place names.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_BREVE = "\u0306"
_BASE_OF_SHORT_I = frozenset("иИ")
_KAZAKH = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
                         "Ә": "А", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О", "Ұ": "У", "Ү": "У", "Һ": "Х", "І": "И"})


def fold(text: str) -> str:
    """`text` without diacritics by the module's rule: `Đà Nẵng` → `Da Nang`, `Ёлка` → `Елка`,
    `Йошкар-Ола` unchanged. (Words are cached; long texts are not.)"""
    if text.isascii():
        return text
    return _fold_word(text) if len(text) <= _CACHED_LEN else _fold(text)


_CACHED_LEN = 40


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return _fold(word)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    kept = [ch for i, ch in enumerate(decomposed)
            if not unicodedata.combining(ch) or (ch == _BREVE and decomposed[i - 1 : i] in _BASE_OF_SHORT_I)]
    return unicodedata.normalize("NFC", "".join(kept))


def fold_lower(text: str) -> str:
    """`fold` and lowercase: `Hộ Nghèo` → `ho ngheo`."""
    return fold(text.lower())


def has_marks(word: str) -> bool:
    """True when folding changes `word`: it carries a diacritic (or an `ё`, a `đ`)."""
    return fold(word) != word


def match_form(text: str) -> str:
    """Typed text as it is compared with labels and keywords: lowercase, folded, single spaces."""
    return " ".join(fold(text.lower()).split())


def kazakh_as_russian(text: str) -> str:
    """The Kazakh letters ә ғ қ ң ө ұ ү һ і as the Russian letters typed for them (а г к н о у у х и)."""
    return text.translate(_KAZAKH)
