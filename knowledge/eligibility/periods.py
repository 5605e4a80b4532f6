"""The period an amount is typed for: "40 000 в месяц", "120 000 за 3 месяца", "4 triệu mỗi tháng".

    split_period("40 000 в месяц") == ("40 000", "month")
    split_period("mỗi tháng 4 triệu") == ("4 triệu", "month")
    split_period("120 000 за 3 месяца") == ("120 000", "quarter")
    split_period("150 000") == ("150 000", None)

A period is recognized at the start or the end of the text, with a lead word ("в", "за", "/",
"mỗi", "một", "per", "a"...) or a number of months, so "năm triệu" (five million) is never read as
"a year". A number of months other than 1, 3 or 12 raises :class:`NumberParseError`: nothing is
guessed. `convert` turns an amount from one period into another exactly (fractions).
"""

from __future__ import annotations

import re
from fractions import Fraction

from knowledge.eligibility.numbers import NumberParseError
from knowledge.text import nfc

MONTHS = {"month": 1, "quarter": 3, "year": 12}
_MONTH = r"(?:месяц[а-я]*|мес\.?|months?|mo|tháng|thang)"
_QUARTER = r"(?:квартал[а-я]*|кв\.?|quarters?|qtr|quý|quy)"
_YEAR = r"(?:год[а-я]*|лет|years?|yr|năm|nam)"
_LEAD = (r"(?:/|в|во|за|на|per|a|an|in|for|the|last|một|mot|mỗi|moi|hàng|hang|hằng|trên|tren|trong|cả|ca|"
         r"весь|весь|целый|прошлый|последние|каждый)")
_COUNT = r"(?:\d{1,2}|один|одн[а-я]*|три|трёх|трех|двенадцать|ba|một|mot|mười hai|muoi hai|one|three|twelve)"
_COUNT_VALUES = {"один": 1, "одна": 1, "одного": 1, "одну": 1, "три": 3, "трёх": 3, "трех": 3, "двенадцать": 12,
                 "ba": 3, "một": 1, "mot": 1, "mười hai": 12, "muoi hai": 12, "one": 1, "three": 3, "twelve": 12}
_UNIT = rf"(?P<unit>{_MONTH}|{_QUARTER}|{_YEAR})"
_SPEC = rf"(?:(?:{_LEAD}\s*)+(?:(?P<n1>{_COUNT})\s+)?|(?P<n2>{_COUNT})\s+){_UNIT}(?![^\W\d_])"
_TAIL = re.compile(rf"(?:^|(?<=\d)|(?<=\s)|(?<=[^\W\d_]))\s*{_SPEC}\.?\s*$")
_HEAD = re.compile(rf"^\s*{_SPEC}\.?\s*[:,\-–—]?\s*")
_ADVERBS = {
    "ежемесячно": "month", "monthly": "month", "ежеквартально": "quarter", "quarterly": "quarter",
    "ежегодно": "year", "yearly": "year", "annually": "year",
}


def _clean(text: str) -> str:
    text = nfc(text).lower()
    text = re.sub(r"[\u00a0\u2007\u202f\u2009]", " ", text)
    return " ".join(text.split())


def split_period(text: str) -> tuple[str, str | None]:
    """(the amount's text, "month" | "quarter" | "year" | None when no period is written)."""
    cleaned = _clean(text)
    words = cleaned.split(" ")
    if words and words[-1].strip(".,") in _ADVERBS:
        return " ".join(words[:-1]), _ADVERBS[words[-1].strip(".,")]
    if words and words[0].strip(".,") in _ADVERBS:
        return " ".join(words[1:]), _ADVERBS[words[0].strip(".,")]
    for pattern in (_TAIL, _HEAD):
        match = pattern.search(cleaned)
        if match is None:
            continue
        rest = (cleaned[: match.start()] + " " + cleaned[match.end():]).strip()
        if not any(ch.isdigit() for ch in rest) and not rest:
            continue
        return rest, _period(match.group("unit"), match.group("n1") or match.group("n2"), text)
    return cleaned, None


def period_word(text: str) -> str | None:
    """A bare period answer: "в месяц", "за квартал", "mỗi tháng", "3 tháng", "month" → the period."""
    cleaned = _clean(text).strip(" .!")
    if cleaned in _ADVERBS:
        return _ADVERBS[cleaned]
    match = re.fullmatch(rf"(?:{_LEAD}\s*)*(?:(?P<n1>{_COUNT})\s+)?{_UNIT}", cleaned)
    if match is None:
        return None
    try:
        return _period(match.group("unit"), match.group("n1"), text)
    except NumberParseError:
        return None


def _period(unit: str, count: str | None, original: str) -> str:
    months = 1 if count is None else int(count) if count.isdigit() else _COUNT_VALUES.get(count, 0)
    if re.fullmatch(_MONTH, unit):
        base = 1
    elif re.fullmatch(_QUARTER, unit):
        base = 3
    else:
        base = 12
    total = base * months
    for name, n in MONTHS.items():
        if n == total:
            return name
    raise NumberParseError("eligibility.bad_period", message="not a period we can read: {text}", text=original)


def unit_period(unit: str | None) -> str | None:
    """The period of a question's unit: "KZT/quarter" → quarter, "VND/person/month" → month."""
    if not unit:
        return None
    last = unit.rsplit("/", 1)[-1].strip().lower()
    return last if last in MONTHS else None


def convert(amount: Fraction, from_period: str, to_period: str) -> Fraction:
    """The same money over another period: 40 000 a month = 120 000 a quarter."""
    return amount * MONTHS[to_period] / MONTHS[from_period]
