"""Rule files are validated at load: bad files are named with field and reason; good rules keep serving."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from knowledge.eligibility.registry import SHIPPED_DIR, RuleRegistry, load_file, validate_path

VN_2022 = SHIPPED_DIR / "vn-poverty-2022-2025.yaml"
ON = date(2026, 6, 1)


def staff_copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    staff = tmp_path / "rules"
    staff.mkdir(exist_ok=True)
    text = VN_2022.read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    target = staff / "vn-poverty-2022-2025.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def rural_income(reg: RuleRegistry, per_person: int) -> str | None:
    ans = {"area": "rural", "members": 1, "income_per_person_month": per_person}
    ans.update({q.id: False for q in reg.resolve("vn-poverty", ON).questions if q.indicator})
    return reg.check("vn-poverty", ans, ON)[1].outcome


def test_shipped_rules_are_valid() -> None:
    files, errors = validate_path(SHIPPED_DIR)
    assert errors == [] and len(files) == 4


BAD_EDITS = [
    # (original text, replacement, field reported, words in the reason)
    ("values: {rural: 1500000, urban: 2000000}", "values: {rural: 1500000}", "thresholds.poverty_line.values",
     "options of 'area'"),
    ("- {le: [income_per_person, poverty_line], reason: income_within_line}",
     "- {le: [income_per_persn, poverty_line], reason: income_within_line}", "outcomes[0].when.all[0].le[0]",
     "unknown name 'income_per_persn'"),
    ("reason: deprivations_3plus}", "reason: no_such_text}", "outcomes[0].when.all[1].reason", "no text"),
    ("timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Hanoi_Nowhere", "timezone", "unknown time zone"),
    ("  - id: members\n    type: count", "  - id: members\n    type: integer", "questions[1].type", "Input should be"),
    ("  from: 2022-01-01", "  from: 2022-13-01", "-", "month must be in 1..12"),
    ("  from: 2022-01-01", "  from: soon", "effective.from", "date"),
    ('    ru: "Ваша семья живёт', '    rux: "Ваша семья живёт', "questions[0].prompt", ""),
    ("program: vn-poverty", "program: VN poverty", "program", "pattern"),
    ("benefits: [low_income_training]", "benefits: [free_money]", "outcomes[2].benefits[0]", "unknown benefit"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BAD_EDITS)
def test_invalid_file_names_file_field_and_reason(tmp_path: Path, old: str, new: str, field: str,
                                                  words: str) -> None:
    path = staff_copy(tmp_path, (old, new))
    _, errors = validate_path(path)
    assert errors, "the broken file was accepted"
    assert all(e.file == str(path) for e in errors)
    assert any(e.field.startswith(field) and words in e.reason for e in errors), [str(e) for e in errors]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("program: x\nquestions: [\n  - id: a\n", encoding="utf-8")
    _, errors = validate_path(bad)
    assert len(errors) == 1 and errors[0].field.startswith("line ") and "YAML" in errors[0].reason


def test_table_rows_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT\nkeys: [region, quarter]\nrows:\n"
                   "  - {region: aktobe, quarter: 2026-Q1, value: 1}\n  - {region: aktobe, quarter: 2026Q2}\n"
                   "  - {region: aktobe, quarter: 2026Q2, value: 5, colour: red}\n", encoding="utf-8")
    _, errors = validate_path(bad)
    fields = {e.field for e in errors}
    assert {"rows[0].quarter", "rows[1].value", "rows[2].colour", "rows[2]"} <= fields


def test_unknown_table_is_reported(tmp_path: Path) -> None:
    text = (SHIPPED_DIR / "kz-asp.yaml").read_text(encoding="utf-8").replace("table: kz-poverty-lines",
                                                                             "table: kz-lines-typo")
    path = tmp_path / "kz.yaml"
    path.write_text(text, encoding="utf-8")
    _, errors = validate_path(path)
    assert [(e.field, e.reason) for e in errors] == [("thresholds.poverty_line.table", "unknown table 'kz-lines-typo'")]


def test_staff_file_overrides_the_shipped_version(tmp_path: Path) -> None:
    staff_copy(tmp_path, ("values: {rural: 1500000, urban: 2000000}", "values: {rural: 1600000, urban: 2000000}"))
    reg = RuleRegistry.load_default(extra_dir=tmp_path / "rules")
    assert reg.errors == []
    assert rural_income(reg, 1_550_000) == "near_poor"


def test_invalid_staff_file_keeps_the_shipped_rules(tmp_path: Path) -> None:
    staff_copy(tmp_path, ("values: {rural: 1500000, urban: 2000000}", "values: {rural: lots, urban: 2000000}"))
    reg = RuleRegistry.load_default(extra_dir=tmp_path / "rules")
    assert len(reg.errors) >= 1 and "thresholds.poverty_line.values.rural" in str(reg.errors[0])
    assert rural_income(reg, 1_550_000) == "average_living"  # the shipped 1.5M line serves


def test_reload_keeps_the_last_good_version_of_a_broken_file(tmp_path: Path) -> None:
    path = staff_copy(tmp_path, ("values: {rural: 1500000, urban: 2000000}",
                                 "values: {rural: 1600000, urban: 2000000}"))
    reg = RuleRegistry.load_default(extra_dir=tmp_path / "rules")
    assert rural_income(reg, 1_550_000) == "near_poor"
    path.write_text(path.read_text(encoding="utf-8").replace("rural: 1600000", "rural: [oops"), encoding="utf-8")
    errors = reg.reload()
    assert errors and errors[0].file == str(path)
    assert rural_income(reg, 1_550_000) == "near_poor"  # still the staff's last good 1.6M line
    path.write_text(path.read_text(encoding="utf-8").replace("rural: [oops", "rural: 1700000"), encoding="utf-8")
    assert reg.reload() == []
    assert rural_income(reg, 1_650_000) == "near_poor"
    path.unlink()
    reg.reload()
    assert rural_income(reg, 1_550_000) == "average_living"  # file removed: shipped rules again


def test_overlapping_versions_are_rejected(tmp_path: Path) -> None:
    staff = tmp_path / "rules"
    staff.mkdir()
    text = VN_2022.read_text(encoding="utf-8").replace('version: "2022-2025"', 'version: "2026-extra"')
    (staff / "extra.yaml").write_text(text, encoding="utf-8")
    reg = RuleRegistry.load_default(extra_dir=staff)
    assert any(e.field == "effective" and "overlaps" in e.reason for e in reg.errors)
    assert [v.version for v in reg.versions("vn-poverty")] == ["2022-2025", "2027-2030"]


def test_menu_order_follows_language() -> None:
    reg = RuleRegistry.load_default()
    assert reg.menu_order("vi") == ["vn-poverty", "kz-asp"]
    assert reg.menu_order("ru") == ["kz-asp", "vn-poverty"]


def test_load_file_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "copy.yaml"
    shutil.copy(VN_2022, target)
    rs = load_file(target)
    assert rs.kind == "program" and rs.key == ("vn-poverty", "2022-2025")  # type: ignore[union-attr]


def test_refresh_picks_up_staff_edits(tmp_path: Path) -> None:
    reg = RuleRegistry.load_default(extra_dir=tmp_path / "rules")
    assert reg.refresh() is False
    staff_copy(tmp_path, ("values: {rural: 1500000, urban: 2000000}", "values: {rural: 1600000, urban: 2000000}"))
    assert reg.refresh() is True and reg.refresh() is False
    assert rural_income(reg, 1_550_000) == "near_poor"


def test_ids_that_would_not_fit_a_chat_button_are_refused(tmp_path: Path) -> None:
    """A question id is valid up to 60 characters, but the chat sends `elig:a:<question>:<option>`
    as button data, which Telegram caps at 64 bytes: such a file must fail validation, not the chat."""
    long_id = "m" + "_household_members_living_together_in_one_home_x" + "y" * 11
    assert len(long_id) == 60
    staff = tmp_path / "rules"
    staff.mkdir()
    path = staff / "vn-poverty-2022-2025.yaml"
    path.write_text(VN_2022.read_text(encoding="utf-8").replace("members", long_id), encoding="utf-8")
    _, errors = validate_path(path)
    assert any("chat button" in e.reason and long_id in e.reason for e in errors), [str(e) for e in errors]
    path.write_text(VN_2022.read_text(encoding="utf-8").replace("members", long_id[:40]), encoding="utf-8")
    assert validate_path(path)[1] == []  # a long id that fits is fine
