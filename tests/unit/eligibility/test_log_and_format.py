"""The results log (no personal data) and number formatting per language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

import knowledge.eligibility.models  # noqa: F401
from bot.db import create_schema, make_engine
from knowledge.eligibility.log import EligibilityLog
from knowledge.eligibility.values import format_number, to_json_number


def test_log_counts_by_program_and_outcome(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    log = EligibilityLog(engine)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    for outcome, age in (("poor", 0), ("poor", 1), ("near_poor", 1), ("poor", 40)):
        log.record(channel="telegram", user_hash="h1", program="vn-poverty", version="2022-2025",
                   outcome=outcome, lang="vi", check_date=date(2026, 11, 25), verified=False,
                   at=now - timedelta(days=age))
    assert log.counts() == {("vn-poverty", "poor"): 3, ("vn-poverty", "near_poor"): 1}
    assert log.counts(since=now - timedelta(days=7)) == {("vn-poverty", "poor"): 2, ("vn-poverty", "near_poor"): 1}


@pytest.mark.parametrize(("value", "lang", "text"), [
    (1_500_000, "vi", "1.500.000"), (1_500_000, "ru", "1\u00a0500\u00a0000"), (1_500_000, "en", "1,500,000"),
    (Fraction("6487.5"), "ru", "6\u00a0487,5"), (Fraction(100_000, 3), "vi", "33.333,33"),
    (Fraction(1, 200), "en", "0.01"), (0, "vi", "0"), (-1500, "en", "-1,500"),
])
def test_format_number(value: Fraction | int, lang: str, text: str) -> None:
    assert format_number(value, lang) == text


def test_json_numbers() -> None:
    assert to_json_number(Fraction(12)) == 12 and isinstance(to_json_number(Fraction(12)), int)
    assert to_json_number(Fraction(100_000, 3)) == 33333.33 and to_json_number(None) is None
