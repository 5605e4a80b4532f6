"""Issue 12: typed answers matched loosely (declined region names, number words, labels with filler)
and amounts read with the period written in them."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from knowledge.eligibility.numbers import NumberParseError
from knowledge.eligibility.periods import period_word, split_period
from knowledge.eligibility.registry import RuleRegistry
from knowledge.eligibility.values import coerce_answer
from knowledge.errors import ValidationError

ON = date(2026, 11, 25)


@pytest.mark.parametrize("typed", ["Павлодар", "павлодарская", "Pavlodar", "в Павлодаре", "ПАВЛОДАРСКАЯ ОБЛ.",
                                   "Павлодарская область", "tỉnh pavlodar", "мы живём в Павлодарской области"])
def test_region_in_any_case_form(registry: RuleRegistry, typed: str) -> None:
    q = registry.resolve("kz-asp", ON).question("region")
    assert q is not None and coerce_answer(q, typed) == "pavlodar"


@pytest.mark.parametrize(("typed", "region"), [("Актобе", "aktobe"), ("г. Алматы", "almaty"), ("Алматы", "almaty"),
                                               ("алматинская", "almaty_region"), ("Жетысу", "zhetisu"),
                                               ("Ұлытау", "ulytau"), ("Астана", "astana")])
def test_other_regions_and_aliases(registry: RuleRegistry, typed: str, region: str) -> None:
    q = registry.resolve("kz-asp", ON).question("region")
    assert q is not None and coerce_answer(q, typed) == region


@pytest.mark.parametrize("typed", ["Almaty region or city", "казахстан", "область", "Москва"])
def test_ambiguous_or_unknown_region_is_asked_again(registry: RuleRegistry, typed: str) -> None:
    q = registry.resolve("kz-asp", ON).question("region")
    assert q is not None
    with pytest.raises(ValidationError):
        coerce_answer(q, typed)


@pytest.mark.parametrize(("typed", "area"), [("o nong thon", "rural"), ("ở nông thôn", "rural"),
                                             ("ở thành phố", "urban"), ("thanh thi", "urban"),
                                             ("nhà tôi ở xã", "rural"), ("в городе", "urban"), ("село", "rural")])
def test_area_label_with_filler(registry: RuleRegistry, typed: str, area: str) -> None:
    for on in (ON, date(2027, 3, 1)):
        q = registry.resolve("vn-poverty", on).question("area")
        assert q is not None and coerce_answer(q, typed) == area


@pytest.mark.parametrize(("typed", "count"), [("четверо", 4), ("пятеро", 5), ("нас трое", 3), ("bốn", 4),
                                              ("năm người", 5), ("nam nguoi", 5), ("hai mươi mốt", 21),
                                              ("mười hai người", 12), ("двадцать два", 22), ("одиннадцать", 11)])
def test_counts_as_words(registry: RuleRegistry, typed: str, count: int) -> None:
    q = registry.resolve("kz-asp", ON).question("members")
    assert q is not None and coerce_answer(q, typed) == count


@pytest.mark.parametrize(("typed", "expected"), [
    ("40 000 в месяц", ("40 000", "month")), ("40 000/мес", ("40 000", "month")),
    ("120 000 в квартал", ("120 000", "quarter")), ("120 000 за 3 месяца", ("120 000", "quarter")),
    ("4 triệu mỗi tháng", ("4 triệu", "month")), ("3tr5/tháng", ("3tr5", "month")),
    ("mỗi tháng 4 triệu", ("4 triệu", "month")), ("48 triệu một năm", ("48 triệu", "year")),
    ("năm triệu", ("năm triệu", None)), ("150 000", ("150 000", None)),
])
def test_split_period(typed: str, expected: tuple[str, str | None]) -> None:
    assert split_period(typed) == expected


def test_an_odd_number_of_months_is_not_guessed() -> None:
    with pytest.raises(NumberParseError):
        split_period("80 000 за 2 месяца")
    assert period_word("за квартал") == "quarter" and period_word("mỗi tháng") == "month"
    assert period_word("да") is None


def test_amount_answers_are_converted_to_the_question_unit(registry: RuleRegistry) -> None:
    asp = registry.resolve("kz-asp", ON).question("income_prev_quarter")
    vn = registry.resolve("vn-poverty", ON).question("household_income_month")
    assert asp is not None and vn is not None
    assert coerce_answer(asp, "40 000 в месяц") == 120_000
    assert coerce_answer(asp, "120 000 за квартал") == 120_000
    assert coerce_answer(vn, "12 triệu một năm") == 1_000_000
    assert coerce_answer(vn, "3 triệu/quý") == 1_000_000
    assert coerce_answer(vn, "4 triệu mỗi tháng") == 4_000_000
    assert coerce_answer(asp, "100000") == Fraction(100_000)  # answers files: the unit's period
