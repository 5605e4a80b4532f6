"""The Zalo Official Account channel as the registry knows it: name, capabilities, settings, builder.

The channel itself is in bot/channels/zalo_oa_channel.py (+ zalo_oa_api.py: calls, token refresh,
uploads; zalo_oa_out.py: free replies vs proactive messages, quota, files; zalo_oa_events.py:
webhook events → the neutral messages; zalo_oa_keeper.py: keeps the tokens alive).

Settings: ZALO_OA_APP_ID and ZALO_OA_SECRET_KEY (configure it), ZALO_OA_APP_SECRET,
ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN (seed the token store), ZALO_OA_API_BASE,
ZALO_OAUTH_BASE. Webhook only, at `/zalo/oa/webhook`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from pydantic import SecretStr

from bot.channels.base import Capabilities, Channel, ChannelConfigError, ChannelHub, ChannelSpec

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

CHANNEL = "zalo_oa"
TEXT_LIMIT = 2000
SIGNATURE_HEADER = "X-ZEvent-Signature"
WEBHOOK_PATH = "/zalo/oa/webhook"
CAPABILITIES = Capabilities(buttons=False, max_text=TEXT_LIMIT, max_buttons=0, files=True, voice=False)

Alert = Callable[[str, Mapping[str, object]], Awaitable[None]]
"""A note to the staff chat: a catalog key and its parameters."""


def configured(settings: Settings) -> bool:
    return bool(settings.zalo_oa_app_id) and bool(settings.zalo_oa_secret_key)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def from_settings(settings: Settings, app: App, hub: ChannelHub) -> Channel:
    """The channel as `civicbot run` wires it: tokens in the shared database, accepted events in the
    Redis inbox when there is one (several replicas), allowance use counted for /stats."""
    from bot.channels.zalo_oa_channel import ZaloOAChannel
    from bot.inbox import RedisInbox
    from bot.zalo_tokens import SqlTokenStore, Tokens
    from handlers.usage import UsageCounter

    app_id = settings.zalo_oa_app_id
    if not app_id:
        raise ChannelConfigError("ZALO_OA_APP_ID is not set")
    access, refresh = _secret(settings.zalo_oa_access_token), _secret(settings.zalo_oa_refresh_token)
    store = SqlTokenStore(app.engine, app_id, Tokens(access, refresh) if refresh else None)
    return ZaloOAChannel(
        hub, app_id, _secret(settings.zalo_oa_secret_key), access, refresh, store,
        settings.zalo_oa_api_base, settings.zalo_oauth_base, _secret(settings.zalo_oa_app_secret),
        deduper=app.deduper, inbox=RedisInbox(app.redis) if app.redis is not None else None,
        alert=staff_alerter(hub, app), usage=UsageCounter(app.engine, settings.timezone),
    )


def staff_alerter(hub: ChannelHub, app: App) -> Alert | None:
    """A note to the staff chat in the staff language (None when no staff chat is configured)."""
    target = app.staff_target
    if target is None:
        return None
    from handlers.messages import Reply

    catalog, lang = hub.dialog.catalog, app.settings.staff_lang or app.settings.default_lang

    async def alert(key: str, params: Mapping[str, object]) -> None:
        await hub.notify(target.channel, target.chat_id, [Reply(catalog.t(lang, key, **params))])

    return alert


SPEC = ChannelSpec(CHANNEL, CAPABILITIES, configured, from_settings)
