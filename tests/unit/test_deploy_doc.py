"""docs/DEPLOY.md says what the code does: Telegram webhooks are acknowledged after the work
(bot/channels/telegram_channel.py `webhook_handler`; behaviour tested in tests/e2e/test_telegram_transport.py)."""

from __future__ import annotations

import inspect
from pathlib import Path

from bot.channels.telegram_channel import TelegramChannel

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"


def test_deploy_doc_says_telegram_webhooks_are_acknowledged_after_the_work() -> None:
    row = next(line for line in DEPLOY.read_text(encoding="utf-8").splitlines()
               if line.startswith("| Telegram (`/telegram/webhook`)"))
    acknowledged = row.split("|")[2]
    assert "after the dialog ran" in acknowledged and "at once" not in acknowledged
    assert "is lost" not in row  # nothing acknowledged is lost: Telegram re-sends it
    handler = inspect.getsource(TelegramChannel.webhook_handler)
    assert handler.index("await self.dp.feed_update") < handler.rindex('return web.Response(text="ok")')
