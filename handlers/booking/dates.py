"""Typed dates for the booking chat: "25.12", "25/12", "ngày 25/12", "25 декабря", "завтра",
"ngày mai", "hôm nay", "сегодня", weekday names in any case form, this week's or next week's
("во вторник на следующей неделе", "thứ ba tuần sau") (vi / ru / en). Pure functions of (text, today),
where `today` is the date in the house time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.text import match_form

RELATIVE_PHRASES: dict[str, int] = {
    "hom nay": 0, "today": 0, "сегодня": 0,
    "ngay mai": 1, "mai": 1, "tomorrow": 1, "завтра": 1,
    "ngay kia": 2, "ngay mot": 2, "mot": 2, "day after tomorrow": 2, "послезавтра": 2,
}
WEEKDAY_PHRASES: dict[str, int] = {}
for _i, _words in enumerate((
    ("thu hai", "thu 2", "t2", "пн", "monday", "mon"),
    ("thu ba", "thu 3", "t3", "вт", "tuesday", "tue"),
    ("thu tu", "thu 4", "t4", "ср", "wednesday", "wed"),
    ("thu nam", "thu 5", "t5", "чт", "thursday", "thu"),
    ("thu sau", "thu 6", "t6", "пт", "friday", "fri"),
    ("thu bay", "thu 7", "t7", "сб", "saturday", "sat"),
    ("chu nhat", "cn", "вс", "sunday", "sun"),
)):
    WEEKDAY_PHRASES.update(dict.fromkeys(_words, _i))
RU_WEEKDAY_STEMS = ("понедельн", "вторн", "сред", "четверг", "пятниц", "суббот", "воскресен")
"""Russian weekday names in every case form: вторник, вторника, вторнику, во вторник, по вторникам..."""
WEEK_PHRASES = {"tuan sau": 1, "tuan toi": 1, "next week": 1, "tuan nay": 0, "this week": 0}
NEXT_STEMS = ("следующ", "будущ", "след")
"""следующий / следующую / на следующей неделе, будущий..."""
THIS_WORDS = {"this", "этот", "эту", "этой", "это", "nay"}
FILLER = {"в", "во", "на", "по", "ngay", "vao", "hom", "on", "the", "next", "toi", "неделе", "неделю", "недели",
          "неделя", "week", "tuan", "sau", "и"}
RU_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр",
             "декабр")
PREFIXES = ("ngay ", "vao ", "во ", "в ", "на ", "on ")


def _typed(text: str) -> str:
    """The text as it is parsed: knowledge.text.match_form (lowercase, folded, single spaces), commas
    as spaces."""
    return match_form(text.replace(",", " "))


@dataclass(frozen=True)
class TypedDay:
    day: date
    year_guessed: bool = False
    """True when the user typed a day and month without a year and the year was inferred."""


def parse_day(text: str, today: date) -> date | None:
    """The date a user typed, or None. A day and month without a year is the next such date."""
    found = parse_typed_day(text, today)
    return found.day if found is not None else None


def parse_typed_day(text: str, today: date) -> TypedDay | None:
    """Relative days (today, tomorrow, the day after), weekdays (this one, or of next week:
    "следующий вторник", "во вторник на следующей неделе", "thứ ba tuần sau", "next tuesday")
    and numeric or Russian month-name dates; with or without diacritics, any Russian case form."""
    folded = _typed(text)
    relative = _relative(folded, today)
    if relative is not None:
        return TypedDay(relative)
    changed = True
    while changed:
        changed = False
        for prefix in PREFIXES:
            if folded.startswith(prefix):
                folded, changed = folded[len(prefix):], True
    return _numeric(folded, today)


def _relative(folded: str, today: date) -> date | None:
    padded = " " + " ".join(re.sub(r"[.!?;:()«»\"']", " ", folded).split()) + " "
    phrases = [(p, f"@r{v}") for p, v in RELATIVE_PHRASES.items()] + [
        (p, f"@w{v}") for p, v in WEEKDAY_PHRASES.items()] + [(p, f"@k{v}") for p, v in WEEK_PHRASES.items()]
    for phrase, code in sorted(phrases, key=lambda pc: -len(pc[0])):
        padded = padded.replace(f" {phrase} ", f" {code} ")
    offset: int | None = None
    weekday: int | None = None
    week: int | None = None  # 0 this week, 1 next week, None the coming such weekday
    for token in padded.split():
        named = int(token[2:]) if token.startswith("@w") else next(
            (i for i, stem in enumerate(RU_WEEKDAY_STEMS) if token.startswith(stem)), None)
        if named is not None:
            if weekday is not None and weekday != named:
                return None  # two different days: not one date
            weekday = named
        elif token.startswith("@r"):
            offset = int(token[2:])
        elif token.startswith("@k"):
            week = int(token[2:])
        elif token.startswith(NEXT_STEMS) or token == "next":
            week = 1
        elif token in THIS_WORDS:
            week = 0 if week is None else week
        elif token not in FILLER:
            return None
    if weekday is None:
        return today + timedelta(days=offset) if offset is not None and week is None else None
    if offset is not None:
        return None
    if week is None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    return today - timedelta(days=today.weekday()) + timedelta(days=7 * week + weekday)


def _numeric(folded: str, today: date) -> TypedDay | None:
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


def _with_year(day: int, month: int, year: str | None, today: date) -> TypedDay | None:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _make(full, month, day)
    found = _make(today.year, month, day)
    if found is not None and found.day < today:
        found = _make(today.year + 1, month, day)
    return TypedDay(found.day, year_guessed=True) if found is not None else None


def _make(year: int, month: int, day: int) -> TypedDay | None:
    try:
        return TypedDay(date(year, month, day))
    except ValueError:
        return None


def parse_clock(text: str) -> tuple[int, int] | None:
    """"10", "10:30", "10h30", "10.30" → (10, 30)."""
    m = re.fullmatch(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:h|ч)?", _typed(text))
    if m is None or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def parse_duration(text: str) -> int | None:
    """Minutes from "2", "1.5", "1,5 h", "90 min", "2 giờ", "2 часа"; None if not understood."""
    folded = _typed(text.replace(",", "."))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min|mins|minutes|phut|мин|минут|минуты)?\s*\w*\.?", folded)
    if m is None:
        return None
    value = float(m.group(1))
    minutes = value if m.group(2) else value * 60
    return int(minutes) if minutes > 0 else None
