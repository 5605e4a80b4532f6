"""Editing the Kazakhstan poverty-line table in a real chromium: a bad value is refused with a
clear message and the last good rules stay; a good value is saved, valid for `civicbot eligibility
validate`, and shown; every attempt is in the audit log."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.harness import Civicbot
from tests.browser.kb_shots import docs_shot
from tests.browser.pages import ConsolePage


def save_row(staff: ConsolePage, region: str, quarter: str, value: str) -> None:
    form = staff.page.locator("form#edit")
    form.get_by_label("Region").select_option(region)
    form.get_by_label("Quarter").fill(quarter)
    form.get_by_label("Poverty line, ₸").fill(value)
    form.get_by_role("button", name="Save the row").click()


def line(staff: ConsolePage, region: str, quarter: str) -> str | None:
    row = staff.page.locator(f"table.lines tr[data-region='{region}'][data-quarter='{quarter}']")
    return row.locator("td").nth(1).inner_text() if row.count() else None


def test_a_bad_value_is_refused_and_a_good_one_saved(staff: ConsolePage, civicbot: Civicbot) -> None:
    staff.goto("/rules?lang=en")
    assert staff.h1() == "Eligibility tables" and staff.refusal() is None
    assert staff.page.locator("table").first.locator("tbody tr").count() >= 3  # rule versions
    assert line(staff, "pavlodar", "2026Q1") == "35 596 ₸"  # the shipped example row
    staff.shot("rules")
    docs_shot(staff, "rules")

    save_row(staff, "pavlodar", "2027Q1", "38 000")
    expect(staff.page.locator("p.notice")).to_contain_text("38 000 ₸")
    assert line(staff, "pavlodar", "2027Q1") == "38 000 ₸"
    assert civicbot.cli("eligibility", "validate").returncode == 0

    save_row(staff, "pavlodar", "2027Q1", "-5")
    alert = staff.page.locator("div.refusal[role=alert]")
    expect(alert).to_contain_text("«-5» is not a valid poverty line")
    expect(alert).to_contain_text("the rules in use are still the last good ones")
    expect(alert.locator("code").first).to_contain_text("expected a non-negative number")
    assert line(staff, "pavlodar", "2027Q1") == "38 000 ₸"  # the last good value stays
    staff.shot("refused")
    save_row(staff, "pavlodar", "2027Q5", "38000")
    expect(staff.page.locator("div.refusal[role=alert]")).to_contain_text("«2027Q5» is not a quarter")
    assert line(staff, "pavlodar", "2027Q5") is None
    assert civicbot.cli("eligibility", "validate").returncode == 0

    entries = [e for e in json.loads(civicbot.cli("audit", "--json").stdout) if e["action"] == "rules_edit"]
    assert [(e["outcome"], e["target"]) for e in entries[:3]] == [
        ("failed", "kz-poverty-lines:pavlodar:2027Q5"), ("failed", "kz-poverty-lines:pavlodar:2027Q1"),
        ("ok", "kz-poverty-lines:pavlodar:2027Q1")]
    assert json.loads(entries[2]["details"])["new"] == 38000
