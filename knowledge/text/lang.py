"""Language detection for Vietnamese and Russian, with no model files: one detector, `detect`.

It reads the letters (NFC, the first `sample` characters):
- the script: `ru` when at least half the letters are Cyrillic, else `vi` (None without letters);
- whether that is sure: at least 8 letters, and for Russian few letters of other Cyrillic
  alphabets (Kazakh ә ғ қ ң ө ұ ү һ і, Ukrainian є ї ґ...: under 1 %), for Vietnamese letters only
  Vietnamese uses (ă â đ ê ô ơ ư and the tone-marked vowels: at least 3 %) or, typed without
  diacritics, a high share (30 %) of very frequent Vietnamese syllables (`cua`, `cac`, `duoc`,
  `nguoi`, `khong`...) and few frequent English words.

`detect_language(text)` is the sure reading, `vi`, `ru` or `other` (documents; a chat message
switching the conversation's language). `reply_language(text, default)` is the script's reading, for
a question that must be answered in some language: a short `Аким?` is Russian, `ok` Vietnamese, and
a text without letters keeps the conversation's language. `marked_language` is the cue of a few
words (small talk): Cyrillic, or Vietnamese diacritics.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from knowledge.text.fold import fold
from knowledge.text.tokens import has_diacritics, is_cyrillic, letter_words, letters

LANGS = ("vi", "ru")
_OTHER_CYRILLIC = set("әғқңөұүһіїєґўјљњћџѓќѕ")
_VI_ONLY = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
_VI_SYLLABLE_TEXT = """
    cua cac va la duoc nhung trong cho voi nguoi khong mot nay da se tai theo ve nhu de khi thi
    ho ngheo tinh xa huyen nam thang ngay nhan dan uy ban chinh phu viec cong tac hop tren so
    co tu den ra vao nhieu hon rat cung neu vi nen hay hoac bao gi nao sao dau ai minh toi ban
    chuong trinh du an quan ly phat trien kinh te xa hoi giam ho tro ngoai nuoc dong thuc hien
    muc tieu quoc gia ben vung dia phuong can bo thon ban gia dinh tre em nha o thu nhap
    duong phai con lai them moi nhat cao thap tien dong trieu nghin tram
"""
_VI_SYLLABLES = frozenset(_VI_SYLLABLE_TEXT.split())
_NOT_VI_TEXT = "the of and to in is that for it on with as are this be by"
_NOT_VI_COMMON = frozenset(_NOT_VI_TEXT.split())
MIN_LETTERS = 8


@dataclass(frozen=True, slots=True)
class Detected:
    lang: str | None
    """`ru` (mostly Cyrillic letters) or `vi` (mostly other letters); None without letters."""
    sure: bool
    """The text shows its language clearly (see the module doc)."""


def detect(text: str, sample: int = 20000) -> Detected:
    """The language of `text` and whether it is sure."""
    text = unicodedata.normalize("NFC", text[:sample])
    found = [c.lower() for c in letters(text)]
    if not found:
        return Detected(None, False)
    cyr = sum(1 for c in found if "\u0400" <= c <= "\u04ff")
    if cyr / len(found) >= 0.5:
        other = sum(1 for c in found if c in _OTHER_CYRILLIC)
        return Detected("ru", len(found) >= MIN_LETTERS and other / cyr < 0.01)
    return Detected("vi", len(found) >= MIN_LETTERS and _vietnamese(text, found))


def _vietnamese(text: str, found: list[str]) -> bool:
    if sum(1 for c in found if c in _VI_ONLY) / len(found) >= 0.03:
        return True
    folded = [fold(w.lower()) for w in letter_words(text)]
    if not folded:
        return False
    vi_hits = sum(1 for w in folded if w in _VI_SYLLABLES)
    foreign = sum(1 for w in folded if w in _NOT_VI_COMMON)
    return vi_hits / len(folded) >= 0.3 and foreign / len(folded) < 0.05


def detect_language(text: str, sample: int = 20000) -> str:
    """`vi`, `ru` or `other` (also for text with too few letters to tell)."""
    found = detect(text, sample)
    return found.lang if found.sure and found.lang else "other"


def reply_language(text: str, default: str | None = None) -> str:
    """The script's language (`ru` or `vi`); without letters `default` when it is one of them, else `vi`."""
    return detect(text).lang or (default if default in LANGS else "vi")


def marked_language(text: str) -> str | None:
    """`ru` when a word is Cyrillic, `vi` when a word carries Vietnamese diacritics, else None."""
    if any(is_cyrillic(w) for w in text.split()):
        return "ru"
    return "vi" if has_diacritics(text) else None
