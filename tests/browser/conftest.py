"""Browser tests: a real headless Debian chromium (Playwright, the system's `chromium`) against a
real `civicbot run` with the fake Telegram Bot API. Installs nothing: `make test` / `.ci/run`
install chromium when it is missing. See bot/web/README.md."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import Civicbot, FakeTelegram
from tests.browser.pages import ConsolePage, sign_in

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def civicbot(tmp_path_factory: pytest.TempPathFactory, telegram: FakeTelegram) -> Iterator[Civicbot]:
    bot = Civicbot(Path(tmp_path_factory.mktemp("civicbot")), telegram).start()
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: object, civicbot: Civicbot) -> Iterator[object]:
    context = browser.new_context(base_url=civicbot.base, locale="vi-VN")  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture()
def staff(civicbot: Civicbot, page: object, request: pytest.FixtureRequest) -> ConsolePage:
    """The administrator, signed in through a `/web` link from the fake Telegram chat."""
    return sign_in(civicbot, page, test_name=request.node.name)  # type: ignore[arg-type]


@pytest.fixture()
def console(civicbot: Civicbot, page: object, request: pytest.FixtureRequest) -> ConsolePage:
    """A page object that is not signed in."""
    return ConsolePage(page, civicbot, request.node.name)  # type: ignore[arg-type]
