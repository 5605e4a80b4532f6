"""Staff edits of the poverty-line table: validated like `civicbot eligibility validate`, atomic,
the last good rules kept on error (real files, the real registry)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from knowledge.eligibility.registry import RuleFileInvalid, RuleRegistry, validate_path
from knowledge.eligibility.table_edit import POVERTY_TABLE, TableEditor, parse_amount


@pytest.fixture()
def staff_dir(tmp_path: Path) -> Path:
    return tmp_path / "rules"


def line(registry: RuleRegistry, region: str, quarter: str) -> Fraction | None:
    row = registry.tables[POVERTY_TABLE].get((region, quarter.lower()))
    return row.value if row is not None else None


def test_a_new_row_is_written_validated_and_served(staff_dir: Path) -> None:
    registry = RuleRegistry.load_default(extra_dir=staff_dir)
    assert line(registry, "pavlodar", "2027Q1") is None
    edit = TableEditor(staff_dir).set_row({"region": "pavlodar", "quarter": "2027Q1"}, 38000, note="akimat")
    assert (edit.old, edit.new, edit.path.name) == (None, 38000, "kz-poverty-lines.yaml")
    files, errors = validate_path(staff_dir)  # the CLI's validator agrees
    assert errors == [] and files == [edit.path]
    registry.reload()
    assert registry.errors == [] and line(registry, "pavlodar", "2027Q1") == 38000
    assert line(registry, "aktobe", "2026Q1") == 37060  # shipped rows still there


def test_correcting_a_shipped_example_row_drops_the_example_flag(staff_dir: Path) -> None:
    registry = RuleRegistry.load_default(extra_dir=staff_dir)
    assert registry.tables[POVERTY_TABLE][("pavlodar", "2026q3")].example
    editor = TableEditor(staff_dir)
    editor.set_row({"region": "pavlodar", "quarter": "2026Q3"}, 36100)
    edit = editor.set_row({"region": "Pavlodar", "quarter": "2026Q3"}, 36200)  # same keys, other spelling
    assert edit.old == 36100
    rows = yaml.safe_load(edit.path.read_text(encoding="utf-8"))["rows"]
    assert rows == [{"region": "Pavlodar", "quarter": "2026Q3", "value": 36200}]
    registry.reload()
    row = registry.tables[POVERTY_TABLE][("pavlodar", "2026q3")]
    assert (row.value, row.example) == (36200, False)


@pytest.mark.parametrize(("key", "value", "field", "reason"), [
    ({"region": "pavlodar", "quarter": "2027Q1"}, -5, "rows[1].value", "non-negative number"),
    ({"region": "pavlodar", "quarter": "2027Q1"}, "38k", "rows[1].value", "non-negative number"),
    ({"region": "pavlodar", "quarter": "2027Q5"}, 38000, "rows[1].quarter", "not a quarter"),
    ({"region": "pavlodr", "quarter": "2027Q1"}, 38000, "rows[1].region", "unknown region"),
])
def test_a_bad_row_is_refused_and_the_last_good_rules_stay(staff_dir: Path, key: dict[str, str], value: object,
                                                           field: str, reason: str) -> None:
    editor = TableEditor(staff_dir)
    good = editor.set_row({"region": "aktobe", "quarter": "2026Q2"}, 37500)
    before = good.path.read_bytes()
    registry = RuleRegistry.load_default(extra_dir=staff_dir)
    with pytest.raises(RuleFileInvalid) as refused:
        editor.set_row(key, value)  # type: ignore[arg-type]
    assert [(e.field, reason in e.reason) for e in refused.value.errors] == [(field, True)]
    assert refused.value.errors[0].file == str(good.path)
    assert good.path.read_bytes() == before  # nothing written
    assert not registry.refresh()  # nothing changed on disk
    assert line(registry, "aktobe", "2026Q2") == 37500 and registry.errors == []
    assert sorted(p.name for p in staff_dir.iterdir() if not p.name.startswith(".")) == ["kz-poverty-lines.yaml"]


def test_a_broken_staff_file_is_not_overwritten(staff_dir: Path) -> None:
    staff_dir.mkdir()
    broken = staff_dir / "kz-poverty-lines.yaml"
    broken.write_text("kind: table\nid: kz-poverty-lines\nrows: [\n", encoding="utf-8")
    with pytest.raises(RuleFileInvalid) as refused:
        TableEditor(staff_dir).set_row({"region": "pavlodar", "quarter": "2027Q1"}, 38000)
    assert "not valid YAML" in str(refused.value)
    assert broken.read_text(encoding="utf-8").endswith("rows: [\n")


def test_removing_a_staff_row_brings_the_shipped_row_back(staff_dir: Path) -> None:
    editor = TableEditor(staff_dir)
    editor.set_row({"region": "aktobe", "quarter": "2026Q1"}, 40000)
    registry = RuleRegistry.load_default(extra_dir=staff_dir)
    assert line(registry, "aktobe", "2026Q1") == 40000
    edit = editor.remove_row({"region": "aktobe", "quarter": "2026Q1"})
    assert (edit.old, edit.new) == (40000, None)
    registry.reload()
    assert line(registry, "aktobe", "2026Q1") == 37060
    with pytest.raises(RuleFileInvalid):
        editor.remove_row({"region": "aktobe", "quarter": "2026Q1"})


def test_the_table_is_found_in_a_staff_file_of_another_name(staff_dir: Path) -> None:
    staff_dir.mkdir()
    other = staff_dir / "lines-2027.yaml"
    other.write_text(yaml.safe_dump({"kind": "table", "id": POVERTY_TABLE, "title": "t", "unit": "KZT",
                                     "keys": ["region", "quarter"], "rows": []}), encoding="utf-8")
    edit = TableEditor(staff_dir).set_row({"region": "astana", "quarter": "2027Q1"}, 41000)
    assert edit.path == other
    registry = RuleRegistry.load_default(extra_dir=staff_dir)
    assert line(registry, "astana", "2027Q1") == 41000
    assert registry.resolve("kz-asp", date(2027, 2, 1)).program == "kz-asp"


@pytest.mark.parametrize(("text", "expected"), [
    ("38000", 38000), ("38 000", 38000), ("38\u00a0000", 38000), ("35596,5", 35596.5), ("35596.50", 35596.5),
    ("-5", -5), ("38k", "38k"), ("", ""), ("nan", "nan"), ("1,234,5", "1,234,5"),
])
def test_amounts_as_typed(text: str, expected: object) -> None:
    assert parse_amount(text) == expected
