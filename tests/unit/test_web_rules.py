"""The Eligibility tables page: versions in force and poverty lines from the running registry, and
edits validated like `civicbot eligibility validate` — refused with a localized reason and the
validator's lines, the last good rules kept; accepted, the bot's registry serves them at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.web.rules_data import edit_line, regions, rules_view
from handlers.i18n import Catalog
from knowledge.eligibility.table_edit import POVERTY_TABLE
from tests.unit.web_kb_support import STAFF_ACTOR, make_app

TODAY = date(2026, 12, 5)


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return make_app(tmp_path, monkeypatch)


def tr(lang: str):  # type: ignore[no-untyped-def]
    catalog = Catalog.load()
    return lambda key, /, **params: catalog.t(lang, key, **params)


def test_the_view_lists_versions_in_force_and_lines(app) -> None:  # type: ignore[no-untyped-def]
    view = rules_view(app.rules, app.settings.data_dir / "rules", "ru", TODAY, tr("ru"))
    in_force = {(v.program, v.version) for v in view.versions if v.in_force}
    assert {p for p, _ in in_force} >= {"kz-asp", "vn-poverty"}
    assert len([v for v in view.versions if v.program == "vn-poverty" and v.in_force]) == 1
    pavlodar = [line for line in view.lines if line.region == "pavlodar"]
    assert [line.quarter for line in pavlodar] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert all(line.example and not line.staff for line in pavlodar)
    assert pavlodar[0].region_label == "Павлодарская область" and pavlodar[0].value == "35 596"
    assert view.quarter == "2026Q4" and ("pavlodar", "Павлодарская область") in view.regions
    assert len(regions(app.rules, "en")) == 20
    assert view.warnings[0].startswith("Актюбинская область: строки закончились 2026-03-31")  # localized
    assert any(w.startswith("Павлодарская область: строки закончатся 2026-12-31, через 26 дн.") for w in view.warnings)


def test_a_good_row_is_served_at_once_and_audited(app) -> None:  # type: ignore[no-untyped-def]
    done = edit_line(app, tr("en"), STAFF_ACTOR, "pavlodar", "2027q1", "38 000", "akimat, 2027")
    assert done.ok and done.message == "Saved: pavlodar, 2027Q1 — 38 000 ₸. The bot uses it from now on."
    assert app.rules.tables[POVERTY_TABLE][("pavlodar", "2027q1")].value == 38000
    view = rules_view(app.rules, app.settings.data_dir / "rules", "en", TODAY, tr("en"))
    row = next(line for line in view.lines if (line.region, line.quarter) == ("pavlodar", "2027Q1"))
    assert row.staff and not row.example and row.note == "akimat, 2027"
    entry = app.staff.audit_entries(1)[0]
    assert (entry.actor, entry.channel, entry.action, entry.target, entry.outcome) == (
        STAFF_ACTOR, "web", "rules_edit", "kz-poverty-lines:pavlodar:2027Q1", "ok")
    removed = edit_line(app, tr("vi"), STAFF_ACTOR, "pavlodar", "2027Q1", "", remove=True)
    assert removed.ok and ("pavlodar", "2027q1") not in app.rules.tables[POVERTY_TABLE]


@pytest.mark.parametrize(("region", "quarter", "value", "words", "field"), [
    ("pavlodar", "2027Q1", "-5", "«-5» — недопустимая черта бедности", "value"),
    ("pavlodar", "2027Q1", "много", "«много» — недопустимая черта бедности", "value"),
    ("pavlodar", "2027Q9", "38000", "«2027Q9» — не квартал", "quarter"),
    ("pavlodr", "2027Q1", "38000", "«pavlodr» — не регион", None),
])
def test_a_bad_row_is_refused_with_the_reason_and_the_rules_stay(app, region: str, quarter: str,  # type: ignore[no-untyped-def]
                                                                 value: str, words: str, field: str | None) -> None:
    edit_line(app, tr("en"), STAFF_ACTOR, "aktobe", "2026Q2", "37500")
    before = dict(app.rules.tables[POVERTY_TABLE])
    staff_file = app.settings.data_dir / "rules" / "kz-poverty-lines.yaml"
    text = staff_file.read_text(encoding="utf-8")
    done = edit_line(app, tr("ru"), STAFF_ACTOR, region, quarter, value)
    assert not done.ok and done.message.startswith(words)
    if field is not None:
        assert any(f".{field}:" in line for line in done.details)  # the validator's own line
    assert staff_file.read_text(encoding="utf-8") == text and dict(app.rules.tables[POVERTY_TABLE]) == before
    assert app.rules.errors == []
    entry = app.staff.audit_entries(1)[0]
    assert (entry.action, entry.outcome) == ("rules_edit", "failed")
