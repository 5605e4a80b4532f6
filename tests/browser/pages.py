"""The console seen through a real chromium: a page object and the sign-in through a /web link."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, Response

from tests.browser.harness import OUTPUT, Civicbot

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class ConsolePage:
    def __init__(self, page: Page, civicbot: Civicbot, test_name: str) -> None:
        self.page = page
        self.civicbot = civicbot
        self.test_name = SAFE_NAME.sub("_", test_name)

    def goto(self, path: str = "/staff/") -> Response | None:
        """Open a console path (`/staff/kb`, or `/kb` for short) and wait for it to load."""
        if not path.startswith("/staff") and not path.startswith("http"):
            path = "/staff" + path
        return self.page.goto(path if path.startswith("http") else self.civicbot.url(path))

    def h1(self) -> str:
        return self.page.locator("main h1").inner_text()

    def refusal(self) -> str | None:
        """The refusal's reason (`web.refused.csrf`...) when the page is a refusal or error page, else None."""
        found = self.page.locator("main .refusal[data-reason]")
        return found.first.get_attribute("data-reason") if found.count() else None

    def shot(self, name: str, **kwargs: Any) -> str:
        """A full-page screenshot into tests/browser/output/<test>-<name>.png; its path."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{self.test_name}-{SAFE_NAME.sub('_', name)}.png"
        self.page.screenshot(path=str(path), full_page=True, **kwargs)
        return str(path)

    def cookie(self) -> dict[str, Any] | None:
        return next((c for c in self.page.context.cookies() if c["name"] == "civicbot_staff"), None)


def sign_in(civicbot: Civicbot, page: Page, user_id: int | None = None, *, test_name: str = "test",
            lang: str = "vi") -> ConsolePage:
    """Through the real path: `/web` in the fake Telegram chat → the link → "Sign in" → the console home."""
    console = ConsolePage(page, civicbot, test_name)
    console.goto(civicbot.signin_link(user_id, lang=lang))
    with page.expect_navigation():
        page.locator("#signin").click()
    assert page.url.rstrip("/").endswith("/staff"), page.url
    assert console.refusal() is None, console.refusal()
    return console
