"""A small language detector for documents: `vi`, `ru` or `other`, with no model files.

- Russian: most letters are Cyrillic and few are letters of other Cyrillic alphabets
  (Kazakh ә ғ қ ң ө ұ ү һ і, Ukrainian є ї ґ) — those texts are `other`.
- Vietnamese: letters only Vietnamese uses (ă â đ ê ô ơ ư and the precomposed tone-marked
  vowels), or, for text typed without diacritics, a high share of very frequent Vietnamese
  syllables (`cua`, `cac`, `duoc`, `nguoi`, `khong`...) that are rare as words elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
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


def _fold(word: str) -> str:
    word = word.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def detect_language(text: str, sample: int = 20000) -> str:
    """`vi`, `ru` or `other` (also for text with too few letters to tell)."""
    text = unicodedata.normalize("NFC", text[:sample])
    letters = [c.lower() for c in _LETTER.findall(text)]
    if len(letters) < 8:
        return "other"
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if cyr / len(letters) >= 0.5:
        other = sum(1 for c in letters if c in _OTHER_CYRILLIC)
        return "ru" if other / cyr < 0.01 else "other"
    vi_only = sum(1 for c in letters if c in _VI_ONLY)
    if vi_only / len(letters) >= 0.03:
        return "vi"
    words = [_fold(w) for w in _WORD.findall(text)]
    if not words:
        return "other"
    vi_hits = sum(1 for w in words if w in _VI_SYLLABLES)
    foreign = sum(1 for w in words if w in _NOT_VI_COMMON)
    if vi_hits / len(words) >= 0.3 and foreign / len(words) < 0.05:
        return "vi"
    return "other"
