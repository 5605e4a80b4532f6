"""vn-poverty: boundary tables for both rule versions (lines, deprivations, areas, dates).

Expected outcomes are worked out by hand from Decree 07/2021 Art. 3 and Decree 351/2025:
poor = income ≤ line AND ≥ 3 deprivations; near-poor = income ≤ line AND < 3; average living
(2022–2025 only) = line < income ≤ 2.25M rural / 3M urban.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from knowledge.eligibility.registry import RuleRegistry

INDICATORS_2022 = ["employment", "dependants", "nutrition", "health_insurance", "adult_education",
                   "child_schooling", "housing_quality", "housing_area", "water", "latrine", "internet",
                   "info_devices"]
INDICATORS_2027 = [*INDICATORS_2022[:-1], "waste"]
OLD, NEW = date(2026, 12, 31), date(2027, 1, 1)


def answers(area: str, per_person: int | str, deprived: int, indicators: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"area": area, "members": 4, "income_per_person_month": per_person}
    out.update({ind: i < deprived for i, ind in enumerate(indicators)})
    return out


CASES_2022 = [
    # area, income per person, deprivations, expected
    ("rural", 1_500_000, 3, "poor"),
    ("rural", 1_500_000, 2, "near_poor"),
    ("rural", 1_499_999, 3, "poor"),
    ("rural", 1_499_999, 2, "near_poor"),
    ("rural", 1_500_001, 3, "average_living"),
    ("rural", 1_500_001, 12, "average_living"),
    ("rural", 2_250_000, 5, "average_living"),
    ("rural", 2_250_001, 0, "not_poor"),
    ("rural", 0, 0, "near_poor"),
    ("urban", 2_000_000, 3, "poor"),
    ("urban", 2_000_000, 2, "near_poor"),
    ("urban", 1_999_999, 12, "poor"),
    ("urban", 2_000_001, 3, "average_living"),
    ("urban", 1_500_001, 3, "poor"),  # above the rural line, still within the urban one
    ("urban", 3_000_000, 0, "average_living"),
    ("urban", 3_000_001, 0, "not_poor"),
    ("rural", 2_000_000, 3, "average_living"),  # the same income is poor in town, not in a village
]


@pytest.mark.parametrize(("area", "income", "deprived", "expected"), CASES_2022)
def test_2022_2025_boundaries(registry: RuleRegistry, area: str, income: int, deprived: int, expected: str) -> None:
    rs, d, ignored = registry.check("vn-poverty", answers(area, income, deprived, INDICATORS_2022), OLD)
    assert (rs.version, d.outcome, d.missing) == ("2022-2025", expected, ())
    assert ignored == []


CASES_2027 = [
    ("rural", 2_200_000, 3, "poor"),
    ("rural", 2_200_000, 2, "near_poor"),
    ("rural", 2_199_999, 3, "poor"),
    ("rural", 2_200_001, 3, "not_poor"),
    ("rural", 1_500_001, 2, "near_poor"),  # average living in 2026, near-poor from 2027
    ("urban", 2_800_000, 3, "poor"),
    ("urban", 2_800_000, 2, "near_poor"),
    ("urban", 2_800_001, 0, "not_poor"),
    ("urban", 2_799_999, 2, "near_poor"),
]


@pytest.mark.parametrize(("area", "income", "deprived", "expected"), CASES_2027)
def test_2027_2030_boundaries(registry: RuleRegistry, area: str, income: int, deprived: int, expected: str) -> None:
    rs, d, _ = registry.check("vn-poverty", answers(area, income, deprived, INDICATORS_2027), NEW)
    assert (rs.version, d.outcome) == ("2027-2030", expected)


def test_2027_never_claims_average_living_and_says_why(registry: RuleRegistry) -> None:
    rs, d, _ = registry.check("vn-poverty", answers("rural", 2_300_000, 0, INDICATORS_2027), NEW)
    assert d.outcome == "not_poor"
    assert [r.code for r in d.reasons] == ["income_above_line", "average_line_unknown"]
    assert all(o.id != "average_living" for o in rs.outcomes)


@pytest.mark.parametrize(
    ("on", "version", "expected"),
    [(date(2026, 12, 31), "2022-2025", "average_living"), (date(2027, 1, 1), "2027-2030", "near_poor"),
     (date(2022, 1, 1), "2022-2025", "average_living")],
)
def test_effective_date_boundary(registry: RuleRegistry, on: date, version: str, expected: str) -> None:
    # 1.8M rural with 2 deprivations: above the 2022 line (1.5M), below the 2027 line (2.2M)
    ans = answers("rural", 1_800_000, 2, INDICATORS_2022) | {"waste": False}
    rs, d, ignored = registry.check("vn-poverty", ans, on)
    assert (rs.version, d.outcome) == (version, expected)
    assert ignored == (["info_devices"] if version == "2027-2030" else ["waste"])


def test_no_version_before_2022(registry: RuleRegistry) -> None:
    from knowledge.errors import NotFound

    with pytest.raises(NotFound) as info:
        registry.resolve("vn-poverty", date(2021, 12, 31))
    assert info.value.code == "eligibility.no_version"


@pytest.mark.parametrize(
    ("household", "members", "expected"),
    [(6_000_000, 4, "near_poor"),   # exactly 1.5M per person
     (6_000_001, 4, "average_living"),  # 1,500,000.25 per person: above the line by a fraction of a đồng
     (5_999_999, 4, "near_poor"),
     (4_500_000, 3, "near_poor"), (4_500_001, 3, "average_living")],
)
def test_income_per_person_is_derived_exactly(registry: RuleRegistry, household: int, members: int,
                                              expected: str) -> None:
    ans = {"area": "rural", "members": members, "household_income_month": household}
    ans.update({ind: False for ind in INDICATORS_2022})
    _, d, _ = registry.check("vn-poverty", ans, OLD)
    assert d.outcome == expected


def test_reasons_name_the_numbers_and_indicators(registry: RuleRegistry) -> None:
    ans = answers("urban", "2 triệu", 3, INDICATORS_2022)
    _, d, _ = registry.check("vn-poverty", ans, OLD)
    income, dep = d.reasons
    assert (income.code, income.op, income.left.value, income.right.value) == (  # type: ignore[union-attr]
        "income_within_line", "le", 2_000_000, 2_000_000)
    assert dep.code == "deprivations_3plus" and dep.indicators == ("employment", "dependants", "nutrition")
    assert d.verified is False and "questions.employment" in d.unverified  # indicator thresholds: secondary source
    assert [b.id for b in d.benefits] == ["health_insurance_poor", "housing_ntp", "nutrition_ntp", "jobs_ntp"]


def test_income_above_every_line_needs_no_indicator_answers(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("vn-poverty", {"area": "urban", "members": 2, "household_income_month": "10 triệu"}, OLD)
    assert d.outcome == "not_poor" and d.missing == () and d.verified is True


def test_missing_answers_are_listed_not_guessed(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("vn-poverty", {}, OLD)
    assert d.outcome is None
    assert d.missing == ("area", "members", "household_income_month", *INDICATORS_2022)
    _, d, _ = registry.check("vn-poverty", {"area": "rural", "income_per_person_month": 1_000_000,
                                            "water": True}, OLD)
    assert d.outcome is None and d.missing == tuple(i for i in INDICATORS_2022 if i != "water")
    # three yes answers already make the household poor only together with all the others answered
    _, d, _ = registry.check("vn-poverty", {"area": "rural", "income_per_person_month": 1_000_000}, OLD)
    assert "members" not in d.missing  # income per person given directly


@pytest.mark.parametrize(("field", "value", "code"), [
    ("members", 0, "eligibility.too_small"), ("members", "abc", "eligibility.bad_count"),
    ("area", "mountain", "eligibility.bad_choice"), ("water", "maybe", "eligibility.bad_yes_no"),
    ("household_income_month", "nhiều", "eligibility.bad_number"), ("members", 2.5, "eligibility.bad_count"),
    ("household_income_month", -1, "eligibility.too_small"), ("household_income_month", True, "eligibility.bad_number"),
])
def test_bad_answers_are_rejected_with_the_question_id(registry: RuleRegistry, field: str, value: Any,
                                                       code: str) -> None:
    from knowledge.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        registry.check("vn-poverty", {field: value}, OLD)
    assert info.value.code == code and info.value.params["question"] == field
    assert field in str(info.value)


def test_decree_351_standard_is_named_for_2026_2030_and_applies_from_2027(registry: RuleRegistry) -> None:
    """Issue 12: Decree 351/2025's standard is for 2026–2030; its new lines apply 2027–2030."""
    rs = registry.resolve("vn-poverty", date(2027, 1, 1))
    assert all("2026–2030" in rs.title.get(lang) for lang in ("vi", "ru", "en"))
    assert "2026–2030" in rs.sources[0].document and rs.effective.from_ == date(2027, 1, 1)
    assert registry.resolve("vn-poverty", date(2026, 12, 31)).version == "2022-2025"


def test_dependants_question_follows_the_draft_and_stays_unverified(registry: RuleRegistry) -> None:
    q = registry.resolve("vn-poverty", date(2027, 1, 1)).question("dependants")
    assert q is not None and q.verified is False
    assert "dưới 16 tuổi" in q.prompt.vi and "trợ cấp xã hội hằng tháng" in q.prompt.vi
    assert "до 16 лет" in q.prompt.ru and "ежемесячное социальное пособие" in q.prompt.ru
