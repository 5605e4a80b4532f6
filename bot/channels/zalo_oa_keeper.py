"""Keeps a Zalo OA's tokens alive: refreshes the access token on a schedule, before it expires,
and warns staff long before the refresh token could die.

Zalo's OA access tokens live about 25 hours; refresh tokens are single-use and expire about three
months after they were issued. Waiting for error -216 to refresh means the first message after an
expiry pays a round trip, and a deployment that sends nothing for three months silently loses its
refresh token. So every replica checks the stored tokens every few minutes; a refresh due goes
through the token store's row lock (`SqlTokenStore.rotate`), so across replicas exactly one of
them calls Zalo and the others pick up its result.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.channels.zalo_oa import Alert
from bot.channels.zalo_oa_api import TokenStore, ZaloOAError
from bot.zalo_tokens import TokenStatus

log = logging.getLogger(__name__)

ASSUMED_LIFETIME = timedelta(hours=24)
"""How long an access token of unknown expiry is trusted (Zalo's live about 25 hours)."""


class _Refreshing(Protocol):
    @property
    def tokens(self) -> TokenStore: ...

    async def refresh(self, failed_access_token: str) -> None: ...


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class TokenKeeper:
    def __init__(self, channel: _Refreshing, alert: Alert | None = None, *, margin: timedelta = timedelta(hours=1),
                 stale_after: timedelta = timedelta(days=60), alert_every: timedelta = timedelta(hours=24)) -> None:
        self.channel = channel
        self.alert = alert
        self.margin = margin
        self.stale_after = stale_after
        self.alert_every = alert_every
        self._alerted: dict[str, datetime] = {}

    def due(self, status: TokenStatus, now: datetime) -> bool:
        refreshed = _aware(status.refreshed_at)
        expires = _aware(status.expires_at) if status.expires_at else refreshed + ASSUMED_LIFETIME
        return expires - now <= self.margin

    async def check(self, now: datetime | None = None) -> str:
        """One look at the tokens: `refreshed`, `fresh` or `failed` (staff are told of trouble)."""
        now = now or datetime.now(UTC)
        status: TokenStatus = await asyncio.to_thread(self.channel.tokens.status)
        outcome = "fresh"
        if self.due(status, now):
            try:
                await self.channel.refresh(status.access_token)
                outcome = "refreshed"
                status = await asyncio.to_thread(self.channel.tokens.status)
            except Exception as exc:
                log.error("zalo_oa: scheduled token refresh failed: %s", type(exc).__name__)
                code = exc.code if isinstance(exc, ZaloOAError) else None
                await self._tell("zalo.oa_refresh_failed", now, error=str(code or "network"))
                outcome = "failed"
        age = now - _aware(status.refreshed_at)
        if age >= self.stale_after:
            await self._tell("zalo.oa_refresh_stale", now, days=age.days)
        return outcome

    async def _tell(self, key: str, now: datetime, **params: object) -> None:
        last = self._alerted.get(key)
        if self.alert is None or (last is not None and now - last < self.alert_every):
            return
        self._alerted[key] = now
        try:
            await self.alert(key, params)
        except Exception as exc:  # the staff chat being down must not stop the keeper
            log.warning("zalo_oa: staff alert %s not delivered: %s", key, type(exc).__name__)
