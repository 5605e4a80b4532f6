"""The Telegram channel as the registry knows it: its name, capabilities, settings and builder.

Quick to import on purpose (aiogram takes seconds): the channel itself is in
bot/channels/telegram_channel.py (+ telegram_api.py: retried Bot API calls and downloads,
telegram_send.py: replies and the command menu, telegram_updates.py: updates ⇄ the neutral
messages, telegram_inbox.py: durable long polling), imported when the channel is built.

Settings: TELEGRAM_BOT_TOKEN (configures it), TELEGRAM_API_BASE, TELEGRAM_WEBHOOK_URL and
TELEGRAM_WEBHOOK_SECRET (webhook mode: the route is the path of the URL; polling without them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Channel, ChannelConfigError, ChannelHub, ChannelSpec

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
"""The webhook route when TELEGRAM_WEBHOOK_URL has no path of its own."""
CAPABILITIES = Capabilities(buttons=True, max_text=4096, max_buttons=100, files=True, voice=False)

SEND_ATTEMPTS = 3
"""Under `civicbot run` the outbox retries a failed send later: the channel tries only a few times."""
MAX_RETRY_AFTER_S = 30.0
SEND_DEADLINE_S = 90.0


def configured(settings: Settings) -> bool:
    return bool(settings.telegram_bot_token)


def from_settings(settings: Settings, app: App, hub: ChannelHub) -> Channel:
    """The channel as `civicbot run` wires it: polled updates stored in the inbox before they are
    confirmed, webhook updates leased across replicas (Redis), few tries per send (the outbox retries)."""
    from bot.channels.telegram_channel import TelegramChannel

    token = settings.telegram_bot_token
    if token is None:
        raise ChannelConfigError("TELEGRAM_BOT_TOKEN is not set")
    secret = settings.telegram_webhook_secret
    webhook_url = settings.telegram_webhook_url
    return TelegramChannel(
        hub, token.get_secret_value(), api_base=settings.telegram_api_base, webhook_url=webhook_url,
        webhook_secret=secret.get_secret_value() if secret else None,
        max_attempts=SEND_ATTEMPTS, max_retry_after_s=MAX_RETRY_AFTER_S, deadline_s=SEND_DEADLINE_S,
        deduper=app.deduper, inbox=None if webhook_url else app.inbox(CHANNEL),
    )


SPEC = ChannelSpec(CHANNEL, CAPABILITIES, configured, from_settings)
