"""`civicbot eligibility list|questions|check|validate` through typer's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from knowledge.eligibility.registry import SHIPPED_DIR

Invoke = Callable[..., Result]
INDICATORS = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_schooling",
              "housing_quality", "housing_area", "water", "latrine", "internet", "info_devices"]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.fixture
def run(tmp_path: Path) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--data-dir", str(tmp_path / "data"), *args], catch_exceptions=False)

    return invoke


def write(tmp_path: Path, data: Any, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_list_json(run: Invoke) -> None:
    res = run("eligibility", "list", "--json")
    assert res.exit_code == 0, res.output
    rows = {(r["program"], r["version"]): r for r in json.loads(res.stdout)}
    assert rows[("vn-poverty", "2022-2025")]["effective_to"] == "2026-12-31"
    assert rows[("vn-poverty", "2027-2030")]["effective_from"] == "2027-01-01"
    assert rows[("kz-asp", "social-code-2023")]["effective_to"] is None


def test_questions_json_uses_the_version_in_force(run: Invoke) -> None:
    res = run("eligibility", "questions", "vn-poverty", "--on", "2027-01-01", "--json")
    data = json.loads(res.stdout)
    ids = [q["id"] for q in data["questions"]]
    assert data["version"] == "2027-2030" and "waste" in ids and "info_devices" not in ids
    res = run("eligibility", "questions", "kz-asp", "--on", "2026-02-01", "--json", "--lang", "ru")
    income = next(q for q in json.loads(res.stdout)["questions"] if q["id"] == "income_prev_quarter")
    assert income["type"] == "number" and income["unit"] == "KZT/quarter" and "2025Q4" in income["prompt"]


def test_check_json_contract(run: Invoke, tmp_path: Path) -> None:
    answers = {"area": "rural", "members": "4", "household_income_month": "5 triệu",
               **dict.fromkeys(INDICATORS, False), "water": True, "latrine": "yes", "internet": 1}
    res = run("eligibility", "check", "vn-poverty", "--answers", write(tmp_path, answers), "--on", "2026-12-31",
              "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"program", "version", "outcome", "reasons", "benefits", "sources"} <= set(out)
    assert (out["program"], out["version"], out["outcome"]) == ("vn-poverty", "2022-2025", "poor")
    assert out["reasons"][0]["left"]["value"] == 1_250_000 and out["reasons"][1]["indicators"] == [
        "water", "latrine", "internet"]
    assert "missing" not in out and out["sources"][0]["document"].startswith("Nghị định 07/2021")


def test_check_kz_benefit_estimate(run: Invoke, tmp_path: Path) -> None:
    answers = {"region": "aktobe", "members": 4, "income_prev_quarter": "300 000 тг", "children_1_6": 1,
               "able_bodied_members": 0}
    res = run("eligibility", "check", "kz-asp", "--answers", write(tmp_path, answers), "--on", "2026-01-10",
              "--json", "--lang", "ru")
    out = json.loads(res.stdout)
    assert out["outcome"] == "eligible"
    asp, child = out["benefits"]
    assert (asp["amount"], asp["details"]["per_member"], asp["variant"]) == (48_240, 12_060, "unconditional")
    assert child["amount"] == 6487.5 and "₸" in child["text"]


def test_missing_answers_exit_non_zero_with_the_ids(run: Invoke, tmp_path: Path) -> None:
    res = run("eligibility", "check", "kz-asp", "--answers", write(tmp_path, {"region": "aktobe", "members": 2}),
              "--on", "2026-02-01", "--json")
    assert res.exit_code == 3
    out = json.loads(res.stdout)
    assert out["outcome"] is None and out["missing"] == ["income_prev_quarter"]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "line 1: not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"members": "many"}', "members"),
])
def test_bad_answers_file(run: Invoke, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(content, encoding="utf-8")
    res = run("eligibility", "check", "vn-poverty", "--answers", str(path), "--on", "2026-01-01")
    assert res.exit_code == 1 and message in res.stderr


def test_bad_date_program_and_missing_file(run: Invoke, tmp_path: Path) -> None:
    answers = write(tmp_path, {})
    res = run("eligibility", "check", "vn-poverty", "--answers", answers, "--on", "31/12/2026")
    assert res.exit_code == 1 and "YYYY-MM-DD" in res.stderr
    res = run("eligibility", "check", "nope", "--answers", answers, "--on", "2026-01-01")
    assert res.exit_code == 1 and "unknown program nope" in res.stderr
    res = run("eligibility", "check", "vn-poverty", "--answers", str(tmp_path / "none.json"))
    assert res.exit_code == 1 and "no such file" in res.stderr
    res = run("eligibility", "check", "vn-poverty", "--answers", answers, "--on", "2020-01-01")
    assert res.exit_code == 1 and "no version of vn-poverty" in res.stderr


def test_validate(run: Invoke, tmp_path: Path) -> None:
    res = run("eligibility", "validate", str(SHIPPED_DIR))
    assert res.exit_code == 0 and res.stdout.count("ok: ") == 4
    bad = tmp_path / "bad.yaml"
    bad.write_text((SHIPPED_DIR / "kz-asp.yaml").read_text(encoding="utf-8").replace("value: 1.5", "value: x"),
                   encoding="utf-8")
    res = run("eligibility", "validate", str(bad))
    assert res.exit_code == 1
    assert f"{bad}: thresholds.child_rate_mrp.value:" in res.stderr


def test_staff_rules_in_the_data_dir_are_used(run: Invoke, tmp_path: Path) -> None:
    staff = tmp_path / "data" / "rules"
    staff.mkdir(parents=True)
    (staff / "lines.yaml").write_text(
        "kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT\nkeys: [region, quarter]\n"
        "rows:\n  - {region: almaty, quarter: 2026Q4, value: 45000}\n", encoding="utf-8")
    answers = {"region": "almaty", "members": 1, "income_prev_quarter": 44_999 * 3, "children_1_6": 0,
               "able_bodied_members": 1}
    res = run("eligibility", "check", "kz-asp", "--answers", write(tmp_path, answers), "--on", "2026-10-01", "--json")
    out = json.loads(res.stdout)
    assert out["outcome"] == "eligible" and out["benefits"][0]["amount"] == 1
    (staff / "broken.yaml").write_text("kind: table\nid: x\n", encoding="utf-8")
    res = run("eligibility", "list")
    assert res.exit_code == 0 and "rule file rejected" in res.stderr and "broken.yaml" in res.stderr


def test_validate_warns_before_the_poverty_line_table_runs_out(run: Invoke, tmp_path: Path) -> None:
    """Issue 12: staff learn that a region's lines run out *before* a family meets "no line"."""
    res = run("eligibility", "validate", "--on", "2026-12-06")
    assert res.exit_code == 0
    assert "pavlodar (Pavlodar region) run out on 2026-12-31 (25 days" in res.stderr
    assert "aktobe (Aktobe region) ended on 2026-03-31" in res.stderr
    res = run("eligibility", "validate", "--on", "2026-10-01")  # 91 days left: no warning for Pavlodar
    assert res.exit_code == 0 and "pavlodar (Pavlodar" not in res.stderr
    staff = tmp_path / "data" / "rules"
    staff.mkdir(parents=True)
    (staff / "lines.yaml").write_text(
        "kind: table\nid: kz-poverty-lines\ntitle: t\nunit: KZT/person/month\nkeys: [region, quarter]\n"
        "rows:\n  - {region: pavlodar, quarter: 2027Q1, value: 37000}\n", encoding="utf-8")
    res = run("eligibility", "validate", "--on", "2026-12-06")  # the staff row covers the next quarter
    assert res.exit_code == 0 and "pavlodar (Pavlodar" not in res.stderr and "ok: " in res.stdout


def test_check_labels_the_sample_line_as_an_example(run: Invoke, tmp_path: Path) -> None:
    answers = write(tmp_path, {"region": "pavlodar", "members": 1, "income_prev_quarter": 200000})
    res = run("eligibility", "check", "kz-asp", "--answers", answers, "--on", "2026-12-06")
    assert res.exit_code == 0 and "!!! EXAMPLE VALUE, NOT OFFICIAL: 35596" in res.stdout
    res = run("eligibility", "check", "kz-asp", "--answers", answers, "--on", "2026-12-06", "--json")
    data = json.loads(res.stdout)
    assert data["examples"][0]["key"] == ["pavlodar", "2026Q4"] and "NOT OFFICIAL" in data["examples"][0]["text"]
