"""Typed numbers as people write them (vi / ru), and what must be refused instead of guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.eligibility.numbers import NumberParseError, parse_amount, parse_count, parse_yes_no
from knowledge.errors import ValidationError

AMOUNTS = [
    ("1500000", 1_500_000),
    ("1,5 triệu", 1_500_000),
    ("1.5 triệu", 1_500_000),
    ("1.500.000đ", 1_500_000),
    ("1.500.000 đồng", 1_500_000),
    ("1,500,000 VND", 1_500_000),
    ("1500k", 1_500_000),
    ("1tr5", 1_500_000),
    ("2tr25", 2_250_000),
    ("1tr05", 1_050_000),
    ("2 triệu rưỡi", 2_500_000),
    ("2 triệu 500 nghìn", 2_500_000),
    ("2 triệu 5", 2_500_000),
    ("khoảng 3 triệu/tháng", 3_000_000),
    ("3 củ", 3_000_000),
    ("35 000 тг", 35_000),
    ("35\u00a0000 ₸", 35_000),
    ("35 тыс", 35_000),
    ("35 тыс. тенге", 35_000),
    ("35к", 35_000),
    ("1,5 млн", 1_500_000),
    ("полтора млн", 1_500_000),
    ("около 150 тыс в месяц", 150_000),
    ("0", 0),
    ("1.500", 1_500),
    ("1 234 567,89", Decimal("1234567.89")),
    ("1.234.567,89", Decimal("1234567.89")),
    ("1,234,567.89", Decimal("1234567.89")),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amounts(text: str, expected: int | Decimal) -> None:
    assert parse_amount(text) == Decimal(expected)


GARBAGE = [
    "", "abc", "triệu", "5-6 triệu", "1tr5tr", "1.5.00", "35 00", "-5", "1.500 triệu",  # 1.5M or 1.5bn?
    "1,500 млн", "1 nghìn 2 triệu", "12,3456,7", "ба триệу", "1e6",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_unreadable_or_ambiguous_amounts_are_refused(text: str) -> None:
    with pytest.raises(NumberParseError) as info:
        parse_amount(text)
    assert isinstance(info.value, ValidationError)
    assert info.value.code == "eligibility.bad_number" and info.value.params["text"] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4", 4), ("4 người", 4), ("3 человека", 3), ("hai", 2), ("нет", 0), ("không", 0), (" 12 ", 12), ("0", 0)],
)
def test_counts(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["2,5", "x", "", "-1", "4 5", "1.5"])
def test_bad_counts(text: str) -> None:
    with pytest.raises(NumberParseError):
        parse_count(text)


@pytest.mark.parametrize(("text", "expected"), [("Có", True), ("không", False), ("да", True), ("Нет", False),
                                                ("yes", True), ("0", False)])
def test_yes_no(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


def test_yes_no_refuses_other_words() -> None:
    with pytest.raises(NumberParseError):
        parse_yes_no("có lẽ")
