"""The knowledge base in the console, in a real chromium against `civicbot run`: several files
uploaded at once with progress (background jobs), then "what would the bot answer?" cites the new
document; a document's passages; removal only after a confirmation step (and cancel keeps it)."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.harness import Civicbot
from tests.browser.kb_shots import docs_shot
from tests.browser.pages import ConsolePage

NOTICE = ("# Hỗ trợ tiền nước cho hộ nghèo Lạng Sơn 2026\n\n"
          "Theo thông báo của Sở Xây dựng, mỗi hộ nghèo ở Lạng Sơn được hỗ trợ tiền nước 73.000 đồng mỗi tháng "
          "trong năm 2026.\n")
OTHER = ("Lịch tiếp dân của Nhà NGO\n\nNhà NGO tiếp dân vào sáng thứ Ba hằng tuần, từ 8 giờ đến 11 giờ.\n")
QUESTION = "Hộ nghèo ở Lạng Sơn được hỗ trợ tiền nước bao nhiêu mỗi tháng?"


def audit(civicbot: Civicbot, action: str) -> list[dict[str, object]]:
    entries = json.loads(civicbot.cli("audit", "--json", "--limit", "200").stdout)
    return [e for e in entries if e["action"] == action]


def test_upload_several_files_then_the_bot_cites_the_new_one(staff: ConsolePage, civicbot: Civicbot,
                                                             tmp_path: Path) -> None:
    staff.goto("/kb?lang=en")
    assert staff.h1() == "Knowledge base" and staff.refusal() is None
    rows_before = staff.page.locator("table.kb-docs tbody tr").count()
    assert rows_before > 0  # the sample knowledge base
    staff.shot("kb-list")
    water, hours = tmp_path / "ho-tro-tien-nuoc-lang-son.md", tmp_path / "lich-tiep-dan.txt"
    water.write_text(NOTICE, encoding="utf-8")
    hours.write_text(OTHER, encoding="utf-8")
    staff.page.locator("#kb-files").set_input_files([str(water), str(hours)])
    staff.page.get_by_role("button", name="Upload").click()
    items = staff.page.locator("#kb-progress li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-state", "done", timeout=60_000)
    expect(items.nth(1)).to_have_attribute("data-state", "done", timeout=60_000)
    assert "received" in items.nth(0).inner_text()  # it went through the upload job queue
    expect(items.nth(0)).to_contain_text("Added «Hỗ trợ tiền nước cho hộ nghèo Lạng Sơn 2026»")
    expect(items.nth(1)).to_contain_text("Added «Lịch tiếp dân của Nhà NGO»")
    expect(staff.page.locator("table.kb-docs tbody tr")).to_have_count(rows_before + 2)
    staff.shot("uploaded")
    docs_shot(staff, "kb", "#up-h")
    entries = audit(civicbot, "upload")
    assert {(e["actor"], e["channel"], e["outcome"]) for e in entries[:2]} == {
        (f"telegram:{civicbot.admin}", "web", "ok")}

    staff.page.locator("#ask-q").fill(QUESTION)
    staff.page.get_by_role("button", name="Ask").click()
    staff.page.wait_for_url("**/staff/kb/ask?**")
    assert staff.h1() == "What would the bot answer?"
    answer = staff.page.locator("section.kb-answer")
    expect(answer).to_have_attribute("data-outcome", "answered")
    expect(answer.locator(".reply")).to_contain_text("73.000 đồng")
    cited = answer.locator("ul.citations li")
    expect(cited.first).to_contain_text("Hỗ trợ tiền nước cho hộ nghèo Lạng Sơn 2026")
    staff.shot("ask-cited")
    docs_shot(staff, "kb-ask")
    cli = json.loads(civicbot.cli("ask", QUESTION, "--json").stdout)
    assert cli["citations"][0]["title"] == cited.first.locator("a").first.inner_text()


def test_a_document_shows_the_passages_the_bot_searches(staff: ConsolePage) -> None:
    staff.goto("/kb?lang=en")
    first = staff.page.locator("table.kb-docs tbody tr th a").first
    title = first.inner_text()
    first.click()
    assert staff.h1() == title
    expect(staff.page.locator("ol.chunks > li").first).to_be_visible()
    assert staff.page.locator("ol.chunks > li").count() >= 1
    staff.shot("document")


def test_removal_needs_a_confirmation(staff: ConsolePage, civicbot: Civicbot, tmp_path: Path) -> None:
    doc = tmp_path / "thong-bao-cu.md"
    doc.write_text("# Thông báo cũ về lịch họp\n\nCuộc họp tháng trước đã kết thúc.\n", encoding="utf-8")
    civicbot.cli("kb", "add", str(doc))
    staff.goto("/kb?lang=en")
    row = staff.page.locator("table.kb-docs tbody tr", has_text="Thông báo cũ về lịch họp")
    row.get_by_role("link", name="Remove «Thông báo cũ về lịch họp»…").click()
    assert staff.h1() == "Remove a document?"
    staff.shot("confirm")
    staff.page.get_by_role("link", name="Cancel").click()
    assert staff.h1() == "Thông báo cũ về lịch họp"  # cancelled: the document page, still there
    staff.page.get_by_role("link", name="Remove…").click()
    staff.page.get_by_role("button", name="Yes, remove it").click()
    expect(staff.page.locator("p.notice")).to_contain_text("Removed «Thông báo cũ về lịch họp»")
    expect(staff.page.locator("table.kb-docs tbody tr", has_text="Thông báo cũ về lịch họp")).to_have_count(0)
    listed = json.loads(civicbot.cli("kb", "list", "--json").stdout)
    assert all(d["title"] != "Thông báo cũ về lịch họp" for d in listed)
    removed = audit(civicbot, "remove")[0]
    assert (removed["actor"], removed["channel"], removed["target"]) == (
        f"telegram:{civicbot.admin}", "web", "thong-bao-cu")
