"""Screenshots of the console-kb pages for the documentation (docs/screenshots/ is copied from these)."""

from __future__ import annotations

from tests.browser.harness import OUTPUT
from tests.browser.pages import ConsolePage


def docs_shot(staff: ConsolePage, name: str) -> None:
    """The visible part of the page (1280 × 720) as `tests/browser/output/docs-<name>.png`."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    staff.page.screenshot(path=str(OUTPUT / f"docs-{name}.png"))
