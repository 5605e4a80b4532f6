"""kz-asp: "does not exceed the poverty line" (equality qualifies), benefit, child supplement, form, table.

Per-capita monthly income = income over the previous quarter / 3 / members, compared with the
line of the check date's quarter for the region (Aktobe Q1 2026 = 37,060 ₸).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from knowledge.eligibility.registry import RuleRegistry
from knowledge.errors import NotFound

Q1 = date(2026, 2, 15)
LINE = 37_060


def family(members: int, income: int | str, children: int = 0, able: int = 1,
           region: str = "aktobe") -> dict[str, Any]:
    return {"region": region, "members": members, "income_prev_quarter": income,
            "children_1_6": children, "able_bodied_members": able}


@pytest.mark.parametrize(
    ("members", "income", "expected"),
    [
        (2, LINE * 6, "eligible"),              # exactly at the line: "не превышает" — qualifies
        (2, LINE * 6 - 1, "eligible"),          # one tenge less over the quarter
        (2, LINE * 6 + 1, "not_eligible"),
        (2, (LINE - 1) * 6, "eligible"),        # one tenge per person per month below
        (2, (LINE + 1) * 6, "not_eligible"),
        (1, LINE * 3, "eligible"),
        (1, LINE * 3 + 1, "not_eligible"),
        (1, LINE * 3 - 1, "eligible"),
        (5, 0, "eligible"),
    ],
)
def test_line_is_not_exceeded(registry: RuleRegistry, members: int, income: int, expected: str) -> None:
    _, d, _ = registry.check("kz-asp", family(members, income), Q1)
    assert d.outcome == expected
    assert d.reasons[0].right is not None and d.reasons[0].right.value == LINE


def test_benefit_is_line_minus_income_per_member(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", family(3, "300 тыс", children=2, able=0), Q1)
    asp, child = d.benefits
    per_capita = Fraction(300_000, 9)
    assert asp.details["per_member"] == LINE - per_capita
    assert asp.amount == 3 * (LINE - per_capita) == 11_180
    assert asp.variant == "unconditional"
    assert (child.id, child.details["per_child"], child.amount) == ("child_supplement", Fraction("6487.5"), 12_975)


def test_one_tenge_below_gives_a_tiny_benefit(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", family(2, (LINE - 1) * 6), Q1)
    assert d.outcome == "eligible" and d.benefits[0].amount == 2
    assert [b.id for b in d.benefits] == ["asp_monthly"]  # no children aged 1–6: no supplement
    assert d.benefits[0].variant == "conditional"


def test_not_eligible_needs_no_family_details(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", {"region": "aktobe", "members": 1, "income_prev_quarter": 500_000}, Q1)
    assert d.outcome == "not_eligible" and d.benefits == () and d.missing == ()


def test_eligible_lists_the_answers_the_benefit_needs(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", {"region": "aktobe", "members": 1, "income_prev_quarter": 0}, Q1)
    assert d.outcome is None and d.missing == ("children_1_6", "able_bodied_members")
    _, d, _ = registry.check("kz-asp", {"region": "aktobe"}, Q1)
    assert d.missing == ("members", "income_prev_quarter")


def test_children_cannot_exceed_members(registry: RuleRegistry) -> None:
    from knowledge.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        registry.check("kz-asp", family(2, 0, children=3), Q1)
    assert info.value.code == "eligibility.too_large" and info.value.params["question"] == "children_1_6"


@pytest.mark.parametrize(("on", "found"), [(date(2026, 3, 31), True), (date(2026, 4, 1), False),
                                           (date(2025, 12, 31), False)])
def test_quarter_boundary_picks_the_row(registry: RuleRegistry, on: date, found: bool) -> None:
    if found:
        _, d, _ = registry.check("kz-asp", family(2, 0), on)
        assert d.outcome == "eligible"
    else:
        with pytest.raises(NotFound) as info:
            registry.check("kz-asp", family(2, 0), on)
        assert info.value.code == "eligibility.no_table_row" and "aktobe" in str(info.value)


def test_at_the_line_the_benefit_is_zero_but_the_child_supplement_applies(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", family(2, LINE * 6, children=1, able=0), Q1)
    assert d.outcome == "eligible" and [r.code for r in d.reasons] == ["income_within_line"]
    assert [b.id for b in d.benefits] == ["asp_zero", "child_supplement"]
    assert d.benefits[1].amount == Fraction("1.5") * 4325


def test_pavlodar_sample_row_is_flagged_unverified_and_an_example(registry: RuleRegistry) -> None:
    _, d, _ = registry.check("kz-asp", family(1, 35_596 * 3 + 1, region="pavlodar"), date(2026, 11, 25))
    assert d.outcome == "not_eligible" and d.verified is False
    assert d.unverified == ("kz-poverty-lines:pavlodar/2026Q4",)
    assert [(e.table, e.key, e.value) for e in d.examples] == [("kz-poverty-lines", ("pavlodar", "2026Q4"), 35_596)]
    _, d, _ = registry.check("kz-asp", family(1, 35_596 * 3 - 1, region="pavlodar", able=0), date(2026, 11, 25))
    assert d.outcome == "eligible"
    _, d, _ = registry.check("kz-asp", family(1, 0), Q1)
    assert d.verified is True and d.examples == ()  # Aktobe's row is a published value


def test_staff_table_adds_and_corrects_rows(tmp_path: Path) -> None:
    staff = tmp_path / "rules"
    staff.mkdir()
    (staff / "lines.yaml").write_text(
        "kind: table\nid: kz-poverty-lines\ntitle: staff rows\nunit: KZT/person/month\nkeys: [region, quarter]\n"
        "rows:\n  - {region: aktobe, quarter: 2026Q1, value: 40000}\n"
        "  - {region: Karaganda, quarter: 2025Q3, value: 30000}\n",
        encoding="utf-8",
    )
    reg = RuleRegistry.load_default(extra_dir=staff)
    assert reg.errors == []
    _, d, _ = reg.check("kz-asp", family(1, 38_000 * 3), Q1)
    assert d.outcome == "eligible"  # 38,000 < the corrected 40,000
    _, d, _ = reg.check("kz-asp", family(1, 0, children=1, region="karaganda"), date(2025, 8, 1))
    assert d.benefits[1].details["per_child"] == Fraction("1.5") * 3932  # 2025 MRP
    _, d, _ = reg.check("kz-asp", family(1, 0, region="pavlodar"), date(2026, 5, 5))
    assert d.outcome == "eligible"  # shipped rows still there


def test_child_supplement_amount_unknown_without_that_years_mrp(tmp_path: Path) -> None:
    staff = tmp_path / "rules"
    staff.mkdir()
    (staff / "lines.yaml").write_text(
        "kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT\nkeys: [region, quarter]\n"
        "rows:\n  - {region: aktobe, quarter: 2027Q1, value: 40000}\n", encoding="utf-8")
    reg = RuleRegistry.load_default(extra_dir=staff)
    _, d, _ = reg.check("kz-asp", family(1, 0, children=1), date(2027, 2, 1))
    child = d.benefits[1]
    assert child.amount is None and child.amount_unknown is True


def test_staff_row_with_an_unknown_region_is_reported(tmp_path: Path) -> None:
    staff = tmp_path / "rules"
    staff.mkdir()
    path = staff / "lines.yaml"
    path.write_text("kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT\nkeys: [region, quarter]\n"
                    "rows:\n  - {region: pavlodr, quarter: 2026Q1, value: 1}\n", encoding="utf-8")
    reg = RuleRegistry.load_default(extra_dir=staff)
    assert [(e.file, e.field) for e in reg.errors] == [(str(path), "rows[0].region")]
    assert "pavlodr" in reg.errors[0].reason
