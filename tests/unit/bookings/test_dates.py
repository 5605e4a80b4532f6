"""Typed dates, times and durations in the booking chat (vi / ru / en)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.booking_dates import parse_clock, parse_day, parse_duration

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.12", date(2026, 12, 25)),
        ("25/12", date(2026, 12, 25)),
        ("ngày 25/12", date(2026, 12, 25)),
        ("Ngay 25-12", date(2026, 12, 25)),
        ("25 tháng 12", date(2026, 12, 25)),
        ("25 декабря", date(2026, 12, 25)),
        ("3 марта", date(2027, 3, 3)),
        ("9 мая", date(2027, 5, 9)),
        ("05.01", date(2027, 1, 5)),  # already passed this year → next year
        ("1.12", date(2026, 12, 1)),
        ("25.12.2027", date(2027, 12, 25)),
        ("2026-12-31", date(2026, 12, 31)),
        ("hôm nay", TODAY),
        ("сегодня", TODAY),
        ("ngày mai", date(2026, 12, 2)),
        ("Завтра", date(2026, 12, 2)),
        ("tomorrow", date(2026, 12, 2)),
        ("послезавтра", date(2026, 12, 3)),
        ("thứ sáu", date(2026, 12, 4)),
        ("T2", date(2026, 12, 7)),
        ("в пятницу", date(2026, 12, 4)),
        ("вторник", TODAY),
        ("chủ nhật", date(2026, 12, 6)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31.02", "hello", "", "32/1", "25 smarch"])
def test_parse_day_rejects(text: str) -> None:
    assert parse_day(text, TODAY) is None


def test_clock_and_duration() -> None:
    assert parse_clock("10") == (10, 0) and parse_clock("9:30") == (9, 30) and parse_clock("14h15") == (14, 15)
    assert parse_clock("25:00") is None and parse_clock("ten") is None
    assert parse_duration("2") == 120 and parse_duration("1,5 ч") == 90 and parse_duration("90 phút") == 90
    assert parse_duration("2 giờ") == 120 and parse_duration("0") is None and parse_duration("long") is None
