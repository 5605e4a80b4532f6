"""The Zalo Bot Platform HTTP API: `POST <api_base>/bot<TOKEN>/<method>` with a JSON body.

Retries follow the one policy of bot/retry.py, and only where they are safe: the call surely did
not take effect (connection refused, HTTP 5xx, 429 — whose `Retry-After` / `retry_after` is
honoured) or repeating it is harmless. A send that timed out or lost its connection after the
request went out may have reached the user, so it is not repeated (no duplicate messages): it
raises `MaybeDelivered` instead. An idle long poll answers 408 (`ZaloApiError` with code 408).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from bot.retry import NO_RETRY, GaveUp, Retryable, RetryPolicy, retry_after_header, with_retries
from handlers.messages import MaybeDelivered

NOT_IDEMPOTENT = frozenset({"sendMessage", "sendPhoto", "sendSticker"})
"""Methods that must not be repeated when the first try may have arrived (a duplicate message)."""


class ZaloApiError(Exception):
    """The Bot Platform refused a call (not retried), or every try failed (`code` None)."""

    def __init__(self, method: str, code: int | None, description: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after
        """The platform's last requested wait, when it gave one (read by the outbox)."""


class ZaloBotApi:
    def __init__(self, token: str, api_base: str, *, channel: str, policy: RetryPolicy,
                 poll_timeout_s: int = 30, send_timeout_s: float = 20.0) -> None:
        self._url = f"{api_base.rstrip('/')}/bot{token}/"
        self.channel = channel
        self.policy = policy
        self.poll_timeout_s = poll_timeout_s
        self.send_timeout_s = send_timeout_s
        self._session: aiohttp.ClientSession | None = None

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.poll_timeout_s + 15))
        return self._session

    async def call(self, method: str, payload: Mapping[str, object] | None = None, *, retry: bool = True) -> object:
        """Call one method (its `result`); retry network errors, 5xx and 429 as the policy says."""
        body = payload or {}
        try:
            return await with_retries(lambda: self._call_once(method, body), self.policy if retry else NO_RETRY,
                                       what=f"{self.channel} {method}")
        except GaveUp as exc:
            raise ZaloApiError(method, None, f"gave up after {exc.tries} attempts: {exc.last.reason}",
                               retry_after=exc.retry_after) from None

    async def _call_once(self, method: str, payload: Mapping[str, object]) -> object:
        """One HTTP call. Retryable only when the call surely did not take effect or repeating it is
        harmless: connection refused, 429, 5xx. A send that timed out or lost its connection after
        the request went out may have been delivered: MaybeDelivered, no retry."""
        session = await self.session()
        timeout = aiohttp.ClientTimeout(total=self.send_timeout_s) if method in NOT_IDEMPOTENT else None
        try:
            async with session.post(self._url + method, json=payload, timeout=timeout) as resp:
                if resp.status == 408:  # an idle long poll, with or without a JSON body
                    raise ZaloApiError(method, 408, "no updates")
                if resp.status == 429 or resp.status >= 500:
                    raise Retryable(f"HTTP {resp.status}", wait=retry_after_header(resp.headers.get("Retry-After")))
                data = await resp.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise Retryable(type(exc).__name__) from None
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            if method in NOT_IDEMPOTENT:
                raise MaybeDelivered(self.channel, f"{method}: {type(exc).__name__}") from None
            raise Retryable(type(exc).__name__) from None
        if not isinstance(data, dict):
            raise Retryable("malformed answer")
        if data.get("ok"):
            result: object = data.get("result")
            return result
        code = data.get("error_code")
        if code == 429:
            parameters = data.get("parameters")
            wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
            raise Retryable("429", wait=retry_after_header(str(wait)) if wait is not None else None)
        raise ZaloApiError(method, code if isinstance(code, int) else None, str(data.get("description", "")))

    async def download(self, url: str) -> bytes:
        """A file on Zalo's CDN (images and voice messages arrive as URLs)."""
        session = await self.session()
        async with session.get(url) as resp:
            resp.raise_for_status()
            return await resp.read()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
