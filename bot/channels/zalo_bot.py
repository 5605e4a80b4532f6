"""The Zalo Bot Platform channel as the registry knows it: name, capabilities, settings, builder.

The channel itself is in bot/channels/zalo_bot_channel.py (+ zalo_bot_api.py: the HTTP API with
retries and no duplicate sends, zalo_bot_updates.py: updates → the neutral messages).

Settings: ZALO_BOT_TOKEN (configures it), ZALO_API_BASE, ZALO_WEBHOOK_URL and ZALO_WEBHOOK_SECRET
(webhook mode at `/zalo/webhook`, only with a secret of 8-256 characters; else long polling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Capabilities, Channel, ChannelConfigError, ChannelHub, ChannelSpec

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

CHANNEL = "zalo_bot"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
SECRET_MIN, SECRET_MAX = 8, 256
CAPABILITIES = Capabilities(buttons=False, max_text=TEXT_LIMIT, max_buttons=0, files=False, voice=True)

SEND_ATTEMPTS = 3
"""Under `civicbot run` the outbox retries a failed send later: the channel tries only a few times."""


def valid_secret(secret: str | None) -> bool:
    """The Bot Platform's `setWebhook` takes a secret token of 8 to 256 characters."""
    return secret is not None and SECRET_MIN <= len(secret) <= SECRET_MAX


class WebhookConfigError(ChannelConfigError):
    """Webhook mode asked for without a usable secret: the bot refuses to start."""


def configured(settings: Settings) -> bool:
    return bool(settings.zalo_bot_token)


def from_settings(settings: Settings, app: App, hub: ChannelHub) -> Channel:
    """The channel as `civicbot run` wires it: webhook mode when ZALO_WEBHOOK_URL is set (leases
    across replicas), else long polling through the inbox; few tries per send (the outbox retries)."""
    from bot.channels.zalo_bot_channel import ZaloBotChannel
    from bot.speech import make_stt

    token = settings.zalo_bot_token
    if token is None:
        raise ChannelConfigError("ZALO_BOT_TOKEN is not set")
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None
    channel = ZaloBotChannel(
        hub, token.get_secret_value(), settings.zalo_api_base, secret, webhook_url=settings.zalo_webhook_url,
        deduper=app.deduper, stt=make_stt(settings.stt_backend), retries=SEND_ATTEMPTS,
    )
    if not channel.webhook_mode:
        channel.inbox = app.inbox(CHANNEL)
    return channel


SPEC = ChannelSpec(CHANNEL, CAPABILITIES, configured, from_settings)
