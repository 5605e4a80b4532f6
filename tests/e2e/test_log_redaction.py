"""Issue 11 item 5: the bot token and configured secrets never appear in a log record.

The Bot API connection breaks under a long poll (the fake answers getUpdates, then closes the
kept-alive connection): aiohttp then fails with "Can not write request body for
…/bot<TOKEN>/getUpdates" and aiogram logs it. The redaction the CLI installs at start-up masks it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import redact
from bot.cli import app as cli_app
from bot.settings import Settings
from tests.e2e.telegram_kit import make_dialog, running
from tests.fakes.bot_api import FakeBotAPI

WEBHOOK_SECRET = "wh-secret-0123456789"
DB_PASSWORD = "pg-pass-5678"
LLM_KEY = "sk-llm-key-abcdef"


def _start_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    """A CLI command starts the way every command does (the root callback, then the settings)."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("LLM_API_KEY", LLM_KEY)
    result = CliRunner().invoke(cli_app, ["--data-dir", str(tmp_path / "cli"), "staff", "list"])
    assert result.exit_code == 0, result.output


async def test_token_is_redacted_when_the_long_poll_connection_breaks(
    api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    _start_cli(tmp_path, monkeypatch, api.token)
    caplog.set_level(logging.INFO)
    api.fail("getUpdates", "close", times=3)
    async with running(api, make_dialog(tmp_path)):
        api.send_text(1, "bảo hiểm?")
        await api.wait_sent(1, timeout=15)
        logging.getLogger("civicbot.test").error("settings echo %s %s", WEBHOOK_SECRET, LLM_KEY)
    text = caplog.text
    assert "Can not write request body" in text  # the failure really happened and was logged
    assert "/bot<redacted>/getUpdates" in text
    assert api.token not in text and api.token.split(":")[1] not in text
    assert WEBHOOK_SECRET not in text and LLM_KEY not in text


def test_redaction_covers_tracebacks_urls_and_every_setting_secret() -> None:
    settings = Settings(telegram_bot_token="987654:ZZsecretTOKENvalue_0123456789",
                        zalo_oa_secret_key="zalo-oa-key-xyz",
                        database_url=f"postgresql+psycopg://civic:{DB_PASSWORD}@db/civic")
    redact.install(settings)
    log = logging.getLogger("civicbot.test.redact")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    log.addHandler(handler)
    try:
        try:
            raise OSError("Can not write request body for https://bot-api.zapps.me/botABCD1234efgh/getUpdates")
        except OSError:
            log.exception("zalo poll failed, key %s", "zalo-oa-key-xyz")
        log.warning("db %s", f"postgresql+psycopg://civic:{DB_PASSWORD}@db/civic")
    finally:
        log.removeHandler(handler)
    formatted = "\n".join(logging.Formatter("%(message)s").format(r) for r in records)
    assert "ABCD1234efgh" not in formatted and "/bot<redacted>/getUpdates" in formatted
    assert "zalo-oa-key-xyz" not in formatted and DB_PASSWORD not in formatted
    assert "ZZsecretTOKENvalue" not in redact.redact("token 987654:ZZsecretTOKENvalue_0123456789 leaked")
    assert redact.redact("see https://example.org/bottles/cheap") == "see https://example.org/bottles/cheap"
