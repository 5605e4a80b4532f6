"""The outbox delivery worker: sends what handlers/outbox.py stored, on every replica.

`OutboxWorker.run(stop)` claims due rows (the oldest unsent row of each chat, leased), sends each
through its channel adapter, and marks it sent; a failure is retried later with backoff (a 429's
`retry_after` is honoured), a permanent one (the user blocked the bot, the chat is gone) is
recorded as `undeliverable`. Rows of different chats go out in parallel; rows of one chat in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Mapping, MutableMapping
from typing import Protocol, runtime_checkable

from bot.channels.base import Channel
from handlers.i18n import Catalog
from handlers.leases import take_over_dead
from handlers.messages import MaybeDelivered, Reply, Target, Undeliverable
from handlers.outbox import Claimed, Outbox

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 60.0
PRUNE_EVERY_S = 3600.0


class DeliveryHub(Protocol):
    """What the worker uses of the hub (bot/hub.py): the channels running in this process, the
    counters of /metrics, and the report of a sent reply's platform id (handoff bookkeeping)."""

    @property
    def channels(self) -> Mapping[str, Channel]: ...

    @property
    def metrics(self) -> MutableMapping[str, int]: ...

    async def on_sent(self, track: str, message_id: str) -> None: ...


def undeliverable_reason(adapter: Channel, exc: BaseException) -> str | None:
    """Why a send can never succeed (None: it may, later). A channel says so by raising Undeliverable,
    or the adapter judges its platform's error."""
    if isinstance(exc, Undeliverable):
        return exc.reason
    return adapter.undeliverable_reason(exc) or None


@runtime_checkable
class WaitHint(Protocol):
    """An error carrying the platform's requested wait in seconds (HTTP 429): aiogram's
    TelegramRetryAfter, bot/retry.py's Retryable and GaveUp, the Zalo channels' errors."""

    retry_after: float | None


def retry_after(exc: BaseException) -> float | None:
    """A platform's `retry_after` carried by the error or its cause (HTTP 429)."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        value = seen.retry_after if isinstance(seen, WaitHint) else None
        if isinstance(value, int | float):
            return float(value)
        seen = seen.__cause__
    return None


class OutboxWorker:
    def __init__(self, outbox: Outbox, hub: DeliveryHub, *, concurrency: int = 32, idle_s: float = 1.0,
                 owner: str | None = None, staff_target: Target | None = None, staff_lang: str = "vi",
                 catalog: Catalog | None = None) -> None:
        self.outbox = outbox
        self.staff_target = staff_target
        self.staff_lang = staff_lang
        self.catalog = catalog or Catalog.load()
        self.hub = hub
        self.concurrency = concurrency
        self.idle_s = idle_s
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:outbox"
        self._wake = asyncio.Event()
        self._inflight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        def wake_soon() -> None:
            loop.call_soon_threadsafe(self._wake.set)

        self.outbox.on_enqueue = wake_soon
        channels = list(self.hub.channels)  # a channel that sends at once (the terminal) queues nothing
        next_prune = 0.0
        await take_over_dead(self.outbox.release_dead, "outbox", log)
        try:
            while not stop.is_set():
                self._wake.clear()
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_EVERY_S
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(self.outbox.prune)
                free = self.concurrency - len(self._inflight)
                rows: list[Claimed] = []
                if free > 0 and channels:
                    try:
                        rows = await asyncio.to_thread(self.outbox.claim, self.owner, free, channels)
                    except Exception as exc:  # the database briefly unreachable: the rows wait
                        log.warning("outbox claim failed: %s", exc)
                for row in rows:
                    if row.id in self._inflight:
                        continue
                    self._inflight.add(row.id)
                    task = asyncio.create_task(self._deliver(row))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_s)
        finally:
            self.outbox.on_enqueue = None
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=10)

    async def _deliver(self, row: Claimed) -> None:
        metrics = self.hub.metrics
        try:
            adapter = self.hub.channels.get(row.channel)
            if adapter is None:
                await asyncio.to_thread(self.outbox.retry_later, row.id, 30.0, f"no channel {row.channel} here")
                return
            try:
                message_id = await adapter.send(row.chat_id, row.reply)
            except MaybeDelivered as exc:  # it may have arrived: recorded as sent, never sent twice
                log.warning("outbox row %s to %s maybe delivered (%s); not resent", row.id, row.channel, exc)
                metrics["maybe_delivered_total"] = metrics.get("maybe_delivered_total", 0) + 1
                await asyncio.to_thread(self.outbox.mark_sent, row.id, None)
                return
            except Exception as exc:
                await self._failed(adapter, row, exc)
                return
            await asyncio.to_thread(self.outbox.mark_sent, row.id, message_id)
            key = f"replies_total:{row.channel}"
            metrics[key] = metrics.get(key, 0) + 1
            if row.reply.track and message_id is not None:
                await self.hub.on_sent(row.reply.track, str(message_id))
        except Exception:  # bookkeeping failed (database): the lease expires and the row is retried
            log.exception("outbox row %s: delivery bookkeeping failed", row.id)
        finally:
            self._inflight.discard(row.id)
            self._wake.set()  # the chat's next row may be due now

    async def _tell_staff(self, row: Claimed, reason: str) -> None:
        """A refused reminder or staff reply is worth a note in the staff chat (staff can call the
        person instead); ordinary answers to a chat that blocked the bot are not."""
        target = self.staff_target
        if row.reply.on_undelivered is None or target is None or (row.channel, row.chat_id) == (
                target.channel, target.chat_id):
            return
        t = self.catalog.t
        key = f"zalo.reason_{reason}"
        why = t(self.staff_lang, key) if self.catalog.has(key, self.staff_lang) else reason
        note = t(self.staff_lang, "zalo.undelivered", user=row.reply.on_undelivered, channel=row.channel, reason=why)
        await asyncio.to_thread(self.outbox.enqueue, [Reply(note)], target,
                                dedup_key=f"undelivered:{row.id}")
        self.wake()

    async def _failed(self, adapter: Channel, row: Claimed, exc: Exception) -> None:
        metrics = self.hub.metrics
        reason = undeliverable_reason(adapter, exc)
        if reason is not None:
            log.warning("outbox row %s to %s undeliverable: %s", row.id, row.channel, reason)
            metrics["undeliverable_total"] = metrics.get("undeliverable_total", 0) + 1
            await asyncio.to_thread(self.outbox.mark_undeliverable, row.id, reason)
            await self._tell_staff(row, reason)
            return
        wait = retry_after(exc)
        if wait is None:
            wait = min(BACKOFF_BASE_S * 2 ** min(row.attempts, 10), BACKOFF_CAP_S) * (1 + random.random() / 5)
        metrics["send_retries_total"] = metrics.get("send_retries_total", 0) + 1
        log.warning("outbox row %s to %s: %s; retry in %.1fs", row.id, row.channel, type(exc).__name__, wait)
        await asyncio.to_thread(self.outbox.retry_later, row.id, wait, f"{type(exc).__name__}: {exc}")
