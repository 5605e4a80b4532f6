"""Bot API calls with retries, and file downloads, for the Telegram channel.

`RetryingApi.call(method)`: HTTP 429 → wait `retry_after` (up to `max_retry_after_s`); network errors,
5xx and undecodable answers → exponential backoff with jitter, capped; at most `max_attempts` tries,
then `DeliveryFailed` (logged and counted). Other API errors (400, 403) are raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
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
                 max_retry_after_s: float = 300.0) -> None:
        self.bot = bot
        self.server = server
        self._token = token
        self.metrics: Counter[str] = metrics if metrics is not None else Counter()
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.max_retry_after_s = max_retry_after_s

    async def call(self, method: TelegramMethod[T]) -> T:
        """Call the Bot API with retries: 429 → wait `retry_after`; network/5xx → exponential backoff."""
        name = type(method).__name__
        delay = self.backoff_base_s
        error: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await self.bot(method)
            except TelegramRetryAfter as exc:
                error, wait = exc, float(exc.retry_after)
                self.metrics["retry_after_total"] += 1
                if wait > self.max_retry_after_s:
                    break
            except RETRYABLE as exc:
                error, wait = exc, delay * (1 + random.random() / 10)
                delay = min(delay * 2, self.backoff_cap_s)
                self.metrics["network_retries_total"] += 1
            if attempt < self.max_attempts:
                log.warning("%s failed (%s); retry %d in %.1fs", name, type(error).__name__, attempt, wait)
                await asyncio.sleep(wait)
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
        for attempt in range(1, 4):
            try:
                return await self._fetch(url)
            except DownloadFailed:
                if attempt == 3:
                    self.metrics["download_failures_total"] += 1
                    raise
                await asyncio.sleep(self.backoff_base_s * attempt)
        raise AssertionError("unreachable")

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
