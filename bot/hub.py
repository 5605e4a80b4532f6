"""The hub between channel adapters and the dialog.

Adapters turn platform updates into `Incoming` and call `await hub.process(msg)`. The hub runs
the synchronous dialog on a small pool of worker threads (so the event loop keeps receiving and
sending), keeps the updates of one chat in order (one chat at a time, chats in parallel), and
hands each Reply to its target — the origin chat, the staff chat, or a user on another channel.

Slow work never holds a dialog worker: the dialog returns it as `Later` placeholders
(handlers/slow.py: an LLM rephrasing, an upload's download when no job worker runs), which the
hub settles in a separate pool while the chat's lock stays held (the chat's order is kept, other
chats go on); a `progress` note goes to the chat when the work takes over `progress_after_s`.
Staff uploads with a job store are background jobs (bot/jobs.py).

With an outbox (handlers/outbox.py; `civicbot run` always has one) the replies are written to it
in the worker thread, and `process` returns once they are durable: the delivery worker
(bot/outbox.py) sends them, retrying until sent. Channels whose capabilities say `queued=False`
(the terminal chat) are answered at once. Without an outbox (tests) replies are sent directly; sent
message ids are reported back to the dialog (handoff bookkeeping) either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.channels.base import Channel
from handlers.dialog import Dialog
from handlers.messages import Incoming, Reply, Target
from handlers.outbox import Outbox
from handlers.slow import Later, Staged

log = logging.getLogger(__name__)

Notify = Callable[[str, str, Sequence[Reply]], Awaitable[None]]
"""`await notify(channel, chat_id, replies)`: deliver replies that answer no update (`Hub.notify`)."""


class Hub:
    progress_after_s: float = 3.0
    """Slow work still running after this long: the chat gets the work's progress note."""

    def __init__(self, dialog: Dialog, *, workers: int = 1, outbox: Outbox | None = None,
                 slow_workers: int = 32) -> None:
        self.dialog = dialog
        self.outbox = outbox
        self.channels: dict[str, Channel] = {}
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dialog")
        self.slow = ThreadPoolExecutor(max_workers=slow_workers, thread_name_prefix="slow")
        """For slow work (mostly waiting on the network): never the dialog's workers."""
        self.staged = isinstance(dialog, Staged)
        self._chat_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.metrics: Counter[str] = Counter()
        self.latencies_ms: list[float] = []
        if dialog.services.fetch_file is None:
            dialog.services.fetch_file = self.fetch_file_sync

    @property
    def dialog_metrics(self) -> Counter[str]:
        """The dialog's own counters (failures it answered with an apology), for /metrics."""
        return self.dialog.metrics

    def register(self, channel: Channel) -> None:
        self.channels[channel.name] = channel
        # registered before the loop starts (terminal chat): the loop is set on the first update
        with contextlib.suppress(RuntimeError):
            self._loop = asyncio.get_running_loop()

    async def process(self, msg: Incoming) -> list[Reply]:
        """Handle one update end to end; returns the replies (for tests and webhooks)."""
        self._loop = asyncio.get_running_loop()
        started = time.perf_counter()
        self.metrics[f"updates_total:{msg.channel}"] += 1
        lock = self._chat_locks.setdefault((msg.channel, msg.chat_id), asyncio.Lock())
        async with lock:
            try:
                replies: list[Reply] = await self._loop.run_in_executor(self.executor, self._handle, msg)
                unsent = replies
                if any(isinstance(r, Later) for r in replies):
                    replies, unsent = await self._settle(msg, replies)
                    await self._emit(msg, [r for r in unsent if self._durable(msg.channel, r)])
            except Exception:
                self.metrics["errors_total"] += 1
                log.exception("dialog failed on an update from %s", msg.channel)
                return []
            await self.deliver(msg.channel, msg.chat_id, [r for r in unsent if not self._durable(msg.channel, r)])
        elapsed = (time.perf_counter() - started) * 1000
        self.latencies_ms.append(elapsed)
        if len(self.latencies_ms) > 10_000:
            del self.latencies_ms[:5_000]
        return replies

    def _durable(self, channel: str, reply: Reply) -> bool:
        """A reply goes through the outbox unless its channel sends at once (`queued=False`). A
        channel not running here is queued too: a replica that runs it delivers the reply."""
        target = self.channels.get(reply.target.channel if reply.target else channel)
        return self.outbox is not None and (target is None or target.capabilities.queued)

    def _handle(self, msg: Incoming) -> list[Reply]:
        """In a worker thread: the dialog's replies, those for the outbox written before returning
        (unless slow work is left: then all are written once it is done, in order)."""
        replies: list[Reply] = self.dialog.begin(msg) if self.staged else self.dialog.handle(msg)
        durable = [r for r in replies if self._durable(msg.channel, r)]
        if durable and self.outbox is not None and not any(isinstance(r, Later) for r in replies):
            self.outbox.enqueue(durable, Target(msg.channel, msg.chat_id))
        return replies

    async def _settle(self, msg: Incoming, replies: list[Reply]) -> tuple[list[Reply], list[Reply]]:
        """Settle the Laters in the slow pool, in order: (all the replies, those not sent yet). When
        one is slow, what came before it and its progress note go out first."""
        loop = asyncio.get_running_loop()
        done: list[Reply] = []
        sent = 0
        for item in replies:
            if not isinstance(item, Later):
                done.append(item)
                continue
            self.metrics["slow_work_total"] += 1
            work = loop.run_in_executor(self.slow, self.dialog.settle, item)
            if item.progress:
                try:
                    done.extend(await asyncio.wait_for(asyncio.shield(work), self.progress_after_s))
                    continue
                except TimeoutError:
                    note = Reply(item.progress, target=item.target)
                    await self._emit(msg, done[sent:] + [note], everything=True)
                    sent = len(done)
            done.extend(await work)
        return done, done[sent:]

    async def _emit(self, msg: Incoming, replies: list[Reply], *, everything: bool = False) -> None:
        """Durable replies into the outbox; with `everything`, the others delivered too."""
        durable = [r for r in replies if self._durable(msg.channel, r)]
        if durable and self.outbox is not None:
            await asyncio.to_thread(self.outbox.enqueue, durable, Target(msg.channel, msg.chat_id))
        if everything:
            await self.deliver(msg.channel, msg.chat_id, [r for r in replies if not self._durable(msg.channel, r)])

    async def on_sent(self, track: str, message_id: str) -> None:
        """The outbox worker reports the platform id of a sent reply that carried `track`."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self.dialog.on_sent, track, message_id)

    async def deliver(
        self, channel: str, chat_id: str, replies: Sequence[Reply], *, raise_errors: bool = False
    ) -> None:
        """Send replies in order; a reply with a target goes to that channel and chat. A failed send
        is logged and counted (the channel already retried it); with `raise_errors` it is raised."""
        for reply in replies:
            target_channel = reply.target.channel if reply.target else channel
            target_chat = reply.target.chat_id if reply.target else chat_id
            adapter = self.channels.get(target_channel)
            if adapter is None:
                self.metrics["undeliverable_total"] += 1
                log.warning("no channel %s for a reply; dropped", target_channel)
                if raise_errors:
                    raise LookupError(f"no channel {target_channel}")
                continue
            try:
                message_id = await adapter.send(target_chat, reply)
            except Exception as exc:
                self.metrics["send_errors_total"] += 1
                self._log_send_error(target_channel, target_chat, exc)
                if raise_errors:
                    raise
                continue
            self.metrics[f"replies_total:{target_channel}"] += 1
            if reply.track and message_id is not None:
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(self.executor, self.dialog.on_sent, reply.track, str(message_id))

    def _log_send_error(self, channel: str, chat_id: str, exc: Exception) -> None:
        """Log a failed send by the chat's pseudonym: no raw chat id, not even inside the platform's
        error text (no traceback either: the channel already logged its retries)."""
        ref = self.dialog.pseudonyms.chat_ref(channel, chat_id)
        detail = f"{type(exc).__name__}: {exc}"
        if chat_id:
            detail = detail.replace(chat_id, "<chat>")
        log.error("sending to %s failed: %s", ref, detail[:500])

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> None:
        """For schedulers and staff tools: deliver replies that answer no update. With an outbox they
        are written to it (durable once this returns); without one, raises when a reply could not be
        delivered, so the caller can release its claim and retry later."""
        durable = [r for r in replies if self._durable(channel, r)]
        if durable and self.outbox is not None:
            await asyncio.to_thread(self.outbox.enqueue, durable, Target(channel, chat_id))
        await self.deliver(channel, chat_id, [r for r in replies if not self._durable(channel, r)], raise_errors=True)

    def fetch_file_sync(self, channel: str, file_ref: str) -> bytes:
        """Download a user's file from a worker thread (the dialog is synchronous)."""
        adapter = self.channels.get(channel)
        if adapter is None or self._loop is None:
            raise LookupError(f"channel {channel} cannot download files")
        future = asyncio.run_coroutine_threadsafe(adapter.download(file_ref), self._loop)
        return future.result(timeout=120)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.slow.shutdown(wait=False, cancel_futures=True)
