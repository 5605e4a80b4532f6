"""Bot API calls with retries, and file downloads, for the Telegram channel.

`RetryingApi.call(method)`, with the one retry policy of bot/retry.py: HTTP 429 → wait `retry_after`
(up to `max_retry_after_s`, else give up); network errors, 5xx and undecodable answers → exponential
backoff with jitter, capped; at most `max_attempts` tries, then `DeliveryFailed` (logged and
counted). Other API errors (400, 403) are raised at once. Downloads: three tries.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TypeVar

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetFile, TelegramMethod
from aiohttp import ClientError, ClientResponseError

from bot.retry import GaveUp, Retryable, RetryPolicy, with_retries
from knowledge.errors import IngestError

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""The Bot API refuses to serve files over 20 MB (getFile)."""
RETRYABLE = (TelegramNetworkError, TelegramServerError, ClientDecodeError)


class DeliveryFailed(RuntimeError):
    """A Bot API call still failed after every retry (the reply is logged and counted as lost)."""


class DownloadFailed(RuntimeError):
    """A user's file could not be fetched from the Bot API file server (after retries)."""


class FileTooLarge(IngestError):
    """A user's file is over the Bot API download limit; refused before downloading."""

    default_code = "ingest.too_large"


class RetryingApi:
    def __init__(self, bot: Bot, server: TelegramAPIServer, token: str, *, metrics: Counter[str] | None = None,
                 max_attempts: int = 8, backoff_base_s: float = 0.5, backoff_cap_s: float = 30.0,
                 max_retry_after_s: float = 300.0, deadline_s: float | None = None) -> None:
        self.bot = bot
        self.server = server
        self._token = token
        self.metrics: Counter[str] = metrics if metrics is not None else Counter()
        self.policy = RetryPolicy(attempts=max_attempts, base_s=backoff_base_s, cap_s=backoff_cap_s,
                                  max_wait_s=max_retry_after_s, deadline_s=deadline_s)
        """Bot API calls (bot/retry.py): 429 waits `retry_after`, network errors and 5xx back off."""
        self.download_policy = RetryPolicy(attempts=3, base_s=backoff_base_s, cap_s=backoff_cap_s)

    async def call(self, method: TelegramMethod[T]) -> T:
        """Call the Bot API with retries: 429 → wait `retry_after`; network/5xx → exponential backoff."""
        name = type(method).__name__

        async def attempt() -> T:
            try:
                return await self.bot(method)
            except TelegramRetryAfter as exc:
                self.metrics["retry_after_total"] += 1
                raise Retryable(type(exc).__name__, wait=float(exc.retry_after)) from exc
            except RETRYABLE as exc:
                self.metrics["network_retries_total"] += 1
                raise Retryable(type(exc).__name__) from exc

        try:
            return await with_retries(attempt, self.policy, what=name, logger=log)
        except GaveUp as exc:
            error = exc.last.__cause__
            self.metrics["delivery_failures_total"] += 1
            log.error("%s failed after retries: %s", name, error)
            raise DeliveryFailed(f"{name} failed after retries: {error}") from error

    async def download(self, file_ref: str) -> bytes:
        """The bytes of a user's file (getFile, then the file URL); over 20 MB is refused first."""
        try:
            file = await self.call(GetFile(file_id=file_ref))
        except TelegramBadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileTooLarge(size_mb="> 20", limit_mb=20) from exc
            raise
        if file.file_size is not None and file.file_size > MAX_DOWNLOAD_BYTES:
            raise FileTooLarge(size_mb=round(file.file_size / 2**20, 1), limit_mb=20)
        if not file.file_path:
            raise LookupError(f"Telegram gave no path for file {file_ref}")
        url = self.server.file_url(self._token, file.file_path)

        async def attempt() -> bytes:
            try:
                return await self._fetch(url)
            except DownloadFailed as exc:
                raise Retryable(str(exc)) from exc

        try:
            return await with_retries(attempt, self.download_policy, what="file download", logger=log)
        except GaveUp as exc:
            self.metrics["download_failures_total"] += 1
            failed = exc.last.__cause__
            raise (failed if isinstance(failed, DownloadFailed) else DownloadFailed(str(exc))) from None

    async def _fetch(self, url: str) -> bytes:
        """Stream the file, refusing it past 20 MB. Errors never carry the URL: it contains the token."""
        data = bytearray()
        try:
            async for chunk in self.bot.session.stream_content(url, timeout=60):
                data += chunk
                if len(data) > MAX_DOWNLOAD_BYTES:
                    raise FileTooLarge(size_mb="> 20", limit_mb=20)
        except ClientResponseError as exc:
            raise DownloadFailed(f"file download failed: HTTP {exc.status}") from None
        except (TimeoutError, ClientError) as exc:
            raise DownloadFailed(f"file download failed: {type(exc).__name__}") from None
        return bytes(data)
