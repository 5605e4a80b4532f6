"""Typed dates for the booking chat: "25.12", "25/12", "ngày 25/12", "25 декабря", "завтра",
"ngày mai", "hôm nay", "сегодня", weekday names (vi / ru / en). Pure functions of (text, today)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

RELATIVE = {
    "hom nay": 0, "today": 0, "сегодня": 0,
    "ngay mai": 1, "mai": 1, "tomorrow": 1, "завтра": 1,
    "ngay kia": 2, "ngay mot": 2, "mot": 2, "послезавтра": 2,
}
WEEKDAY_WORDS: dict[str, int] = {}
for _i, _words in enumerate((
    ("thu hai", "thu 2", "t2", "понедельник", "пн", "monday", "mon"),
    ("thu ba", "thu 3", "t3", "вторник", "вт", "tuesday", "tue"),
    ("thu tu", "thu 4", "t4", "среда", "среду", "ср", "wednesday", "wed"),
    ("thu nam", "thu 5", "t5", "четверг", "чт", "thursday", "thu"),
    ("thu sau", "thu 6", "t6", "пятница", "пятницу", "пт", "friday", "fri"),
    ("thu bay", "thu 7", "t7", "суббота", "субботу", "сб", "saturday", "sat"),
    ("chu nhat", "cn", "воскресенье", "вс", "sunday", "sun"),
)):
    WEEKDAY_WORDS.update(dict.fromkeys(_words, _i))
RU_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр",
             "декабр")
PREFIXES = ("ngay ", "vao ", "во ", "в ", "на ", "on ", "next ", "this ")


def fold(text: str) -> str:
    """Lowercase, no diacritics (đ → d, й → и), single spaces."""
    text = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.replace(",", " ").split())


def parse_day(text: str, today: date) -> date | None:
    """The date a user typed, or None. A day and month without a year is the next such date."""
    folded = fold(text)
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if folded.startswith(prefix):
                folded, changed = folded[len(prefix):], True
    if folded in RELATIVE:
        return today + timedelta(days=RELATIVE[folded])
    if folded in WEEKDAY_WORDS:
        return today + timedelta(days=(WEEKDAY_WORDS[folded] - today.weekday()) % 7)
    return _numeric(folded, today)


def _numeric(folded: str, today: date) -> date | None:
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", folded)
    if iso:
        return _make(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    m = re.fullmatch(r"(\d{1,2})\s*[./-]\s*(\d{1,2})(?:\s*[./-]\s*(\d{2}|\d{4}))?", folded)
    if m is None:
        m = re.fullmatch(r"(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?", folded)
    if m is not None:
        return _with_year(int(m.group(1)), int(m.group(2)), m.group(3), today)
    ru = re.fullmatch(r"(\d{1,2})\s+([а-я]+)(?:\s+(\d{4}))?(?:\s+г\.?)?", folded)
    if ru is not None:
        month = next((i + 1 for i, stem in enumerate(RU_MONTHS) if ru.group(2).startswith(stem)), None)
        if month is not None and not (month == 5 and ru.group(2) not in ("мая", "май")):
            return _with_year(int(ru.group(1)), month, ru.group(3), today)
    return None


def _with_year(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _make(full, month, day)
    found = _make(today.year, month, day)
    if found is not None and found < today:
        found = _make(today.year + 1, month, day)
    return found


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_clock(text: str) -> tuple[int, int] | None:
    """"10", "10:30", "10h30", "10.30" → (10, 30)."""
    m = re.fullmatch(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:h|ч)?", fold(text))
    if m is None or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def parse_duration(text: str) -> int | None:
    """Minutes from "2", "1.5", "1,5 h", "90 min", "2 giờ", "2 часа"; None if not understood."""
    folded = fold(text.replace(",", "."))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min|mins|minutes|phut|мин|минут|минуты)?\s*\w*\.?", folded)
    if m is None:
        return None
    value = float(m.group(1))
    minutes = value if m.group(2) else value * 60
    return int(minutes) if minutes > 0 else None
