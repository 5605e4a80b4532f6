"""Telegram long polling through the durable inbox (bot/inbox.py): each batch of updates is stored
before the next getUpdates confirms it (its offset) and handled by the inbox's consumer, which feeds
them to the channel's dispatcher; so a crash loses no update Telegram considers delivered."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.methods import GetUpdates

if TYPE_CHECKING:
    from bot.channels.telegram_channel import TelegramChannel

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]


async def poll_into_inbox(channel: TelegramChannel, stop: asyncio.Event) -> None:
    """Poll until `stop` (uses the channel's `inbox`, `bot`, `polling_timeout`, `polling_backoff`,
    `metrics` and `_from_inbox`). A failed store is not confirmed: the batch comes again."""
    inbox = channel.inbox
    if inbox is None:
        raise ValueError("durable polling needs the channel's inbox")
    consumer = asyncio.create_task(inbox.run(channel._from_inbox, stop))
    offset: int | None = None
    delay = channel.polling_backoff.min_delay
    try:
        while not stop.is_set():
            call = GetUpdates(offset=offset, timeout=channel.polling_timeout, allowed_updates=ALLOWED_UPDATES)
            poll = asyncio.create_task(channel.bot(call, request_timeout=channel.polling_timeout + 10))
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not poll.done():  # stopping: what this call returns is confirmed by nobody
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await poll
                break
            try:
                updates = poll.result()
                if updates:
                    items = [(str(u.update_id), u.model_dump(mode="json", by_alias=True, exclude_none=True))
                             for u in updates]
                    await asyncio.to_thread(inbox.put_many, items)
                    offset = updates[-1].update_id + 1  # confirmed by the next call, once stored
                delay = channel.polling_backoff.min_delay
            except TelegramUnauthorizedError:
                raise
            except Exception as exc:  # network, 5xx, 409, the database: nothing confirmed, try again
                channel.metrics["polling_errors_total"] += 1
                log.warning("getUpdates failed (%s); retry in %.1fs", type(exc).__name__, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * channel.polling_backoff.factor, channel.polling_backoff.max_delay)
    finally:
        if not stop.is_set():
            consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer

