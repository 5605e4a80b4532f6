"""Screenshots of the console-kb pages for the documentation (docs/console/ is copied from these)."""

from __future__ import annotations

from tests.browser.harness import OUTPUT
from tests.browser.pages import ConsolePage

SIZE = {"width": 1280, "height": 960}


def docs_shot(staff: ConsolePage, name: str, anchor: str | None = None) -> None:
    """1280 × 960 of the page (from `anchor` when given, else from the top) as `output/docs-<name>.png`."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = staff.page
    before = page.viewport_size
    page.set_viewport_size(SIZE)
    if anchor is None:
        page.evaluate("window.scrollTo(0, 0)")
    else:
        page.locator(anchor).evaluate("element => element.scrollIntoView()")
    page.screenshot(path=str(OUTPUT / f"docs-{name}.png"))
    if before is not None:
        page.set_viewport_size(before)
