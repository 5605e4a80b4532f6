"""Typed dates, times and durations in the booking chat (vi / ru / en)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.booking.dates import TypedDay, parse_clock, parse_day, parse_duration, parse_typed_day

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("следующий вторник", date(2026, 12, 8)),
        ("в следующий вторник", date(2026, 12, 8)),
        ("во вторник на следующей неделе", date(2026, 12, 8)),
        ("на следующей неделе во вторник", date(2026, 12, 8)),
        ("в следующую среду", date(2026, 12, 9)),
        ("в среду", date(2026, 12, 2)),
        ("Пятница.", date(2026, 12, 4)),
        ("в пятницу на будущей неделе", date(2026, 12, 11)),
        ("в эту субботу", date(2026, 12, 5)),
        ("воскресенье следующей недели", date(2026, 12, 13)),
        ("thứ ba tuần sau", date(2026, 12, 8)),
        ("thu 3 tuan sau", date(2026, 12, 8)),
        ("thứ bảy tuần này", date(2026, 12, 5)),
        ("chủ nhật tuần tới", date(2026, 12, 13)),
        ("ngày mai", date(2026, 12, 2)),
        ("mai", date(2026, 12, 2)),
        ("послезавтра", date(2026, 12, 3)),
        ("next friday", date(2026, 12, 11)),
    ],
)
def test_relative_days_in_any_form(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["завтра в пятницу", "вторник и среда", "следующий", "tuần sau"])
def test_relative_days_refuse_what_is_not_one_day(text: str) -> None:
    assert parse_day(text, TODAY) is None


def test_a_guessed_year_is_marked() -> None:
    assert parse_typed_day("01.11", TODAY) == TypedDay(date(2027, 11, 1), year_guessed=True)
    assert parse_typed_day("01.11.2027", TODAY) == TypedDay(date(2027, 11, 1))
    assert parse_typed_day("завтра", TODAY) == TypedDay(date(2026, 12, 2))
