"""The knowledge-base area's pages at 360 px, labelled for screen readers, and usable without
JavaScript; an upload without the CSRF token is refused and stores nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.harness import Civicbot
from tests.browser.pages import ConsolePage, sign_in

PAGES = ("/kb", "/kb/ask?q=chu%E1%BA%A9n+ngh%C3%A8o", "/kb/doc/vn-poverty-standard-vi", "/unanswered",
         "/numbers?days=30", "/rules")
UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""


def test_every_page_fits_a_phone_and_labels_every_field(staff: ConsolePage) -> None:
    staff.page.set_viewport_size({"width": 360, "height": 740})
    for path in PAGES:
        response = staff.goto(path + ("&" if "?" in path else "?") + "lang=ru")
        assert response is not None and response.status == 200, path
        assert staff.page.locator("main h1").count() == 1, path
        assert staff.page.evaluate(UNLABELLED) == [], path
        width = staff.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path}: {width} px wide"
        staff.shot("phone-" + path.strip("/").split("?")[0].replace("/", "-"))
    staff.goto("/kb?lang=ru")
    staff.page.keyboard.press("Tab")  # the skip link, then on through the page: the focus stays visible
    for _ in range(12):
        staff.page.keyboard.press("Tab")
    outline = staff.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_upload_works_without_javascript(civicbot: Civicbot, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(base_url=civicbot.base, java_script_enabled=False)
    try:
        staff = sign_in(civicbot, context.new_page(), test_name="upload-no-js")
        staff.goto("/kb?lang=en")
        note = tmp_path / "gio-mo-cua-thu-vien.md"
        note.write_text("# Giờ mở cửa thư viện Nhà NGO\n\nThư viện mở cửa từ 9 giờ đến 17 giờ các ngày trong tuần.\n",
                        encoding="utf-8")
        staff.page.locator("#kb-files").set_input_files(str(note))
        staff.page.get_by_role("button", name="Upload").click()
        assert staff.h1() == "Uploads"
        deadline = time.monotonic() + 60
        while staff.page.locator("li[data-state='done']").count() == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            staff.page.get_by_role("link", name="Check again").click()
        expect(staff.page.locator("li[data-state='done']")).to_contain_text("Added «Giờ mở cửa thư viện Nhà NGO»")
    finally:
        context.close()


def test_an_upload_without_the_csrf_token_is_refused(staff: ConsolePage, civicbot: Civicbot) -> None:
    staff.goto("/kb")
    before = len(json.loads(civicbot.cli("kb", "list", "--json").stdout))
    response = staff.page.request.post(civicbot.url("/staff/kb/upload"), multipart={
        "files": {"name": "csrf.md", "mimeType": "text/markdown", "buffer": b"# CSRF\n\nnot added\n"}})
    assert response.status == 403 and "web.refused.csrf" in response.text()
    time.sleep(1)
    assert len(json.loads(civicbot.cli("kb", "list", "--json").stdout)) == before
