"""The background job worker of `civicbot run`: slow work (staff uploads) beside the chats, not in
front of them. It runs the job kinds the flows registered (`Flow.jobs`, handlers/registry.py),
each by its flow's `job_ctx` + `run_job`; it names no flow.

One job at a time per replica, in its own thread (the dialog's worker pool stays free for
everybody else). An upload job downloads the file, ingests it and embeds the new passages; the
uploader hears from it at least every `progress_every_s` while it takes long (passages indexed so
far, or "still downloading and reading" while there is nothing to count), then the result, all
through the outbox. At start-up, jobs left running by a process of this host that died are
queued again: the uploader is told it was interrupted and the job runs again (ingestion is one
transaction, so nothing half-written remains); after `MAX_ATTEMPTS` the uploader is told it failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

from handlers.flow import Ctx
from handlers.jobs import MAX_ATTEMPTS, Job, JobStore
from handlers.leases import take_over_dead
from handlers.messages import Reply, Target
from handlers.outbox import Outbox

if TYPE_CHECKING:
    from bot.hub import Hub

log = logging.getLogger(__name__)
T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def in_daemon_thread(fn: Callable[[*Ts], T], *args: *Ts) -> asyncio.Future[T]:
    """Run `fn` in a daemon thread: a stopping bot does not wait for a long job (it resumes later)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T) -> None:
        if not future.done():
            future.set_result(value)

    def fail(error: BaseException) -> None:
        if not future.done():
            future.set_exception(error)

    def target() -> None:
        try:
            value = fn(*args)
        except BaseException as exc:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the bot stopped meanwhile
                loop.call_soon_threadsafe(fail, exc)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, value)

    threading.Thread(target=target, daemon=True, name="job").start()
    return future


class JobWorker:
    def __init__(self, store: JobStore, hub: Hub, outbox: Outbox, *, owner: str | None = None,
                 poll_s: float = 1.0, progress_every_s: float = 20.0) -> None:
        self.store = store
        self.hub = hub
        self.outbox = outbox
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:jobs"
        self.poll_s = poll_s
        self.progress_every_s = progress_every_s
        self.busy = False

    async def run(self, stop: asyncio.Event) -> None:
        await take_over_dead(self.store.release_dead, "jobs", log)
        while not stop.is_set():
            job: Job | None = None
            try:
                job = await asyncio.to_thread(self.store.claim, self.owner, self.hub.dialog.registry.job_kinds())
            except Exception as exc:  # the database briefly unreachable
                log.warning("job claim failed: %s", exc)
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
                continue
            running = asyncio.create_task(self._run(job))
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not running.done():  # stopping mid-job: left leased, it is queued again at the next start
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running

    async def _run(self, job: Job) -> None:
        dialog = self.hub.dialog
        flow = dialog.registry.for_job(job.kind)
        if flow is None:  # claimed only for registered kinds; a flow removed since it was queued
            await asyncio.to_thread(self.store.finish, job.id, "failed", f"no flow runs {job.kind} jobs")
            return
        self.busy = True
        ctx = flow.job_ctx(job.kind, dialog.catalog, dialog.services, job.payload)
        home = Target(ctx.msg.channel, ctx.msg.chat_id)
        name = flow.job_subject(job.kind, job.payload)
        heartbeat = asyncio.create_task(self._heartbeat(job.id))
        try:
            if job.attempts >= MAX_ATTEMPTS:
                await asyncio.to_thread(self.outbox.enqueue, [Reply(ctx.t(
                    f"reliability.{job.kind}.failed", file=name, attempts=job.attempts))], home)
                await asyncio.to_thread(self.store.finish, job.id, "failed", "too many attempts")
                return
            if job.attempts > 0:
                await asyncio.to_thread(self.outbox.enqueue, [Reply(ctx.t(f"reliability.{job.kind}.resumed",
                                                                          file=name))], home)
            progress = _Progress(self, job, ctx, name, home)
            started = time.perf_counter()
            still = asyncio.create_task(progress.keep_telling())
            try:
                replies = await in_daemon_thread(
                    functools.partial(flow.run_job, resumed=job.attempts > 0), job.kind, ctx, progress.report)
            finally:
                still.cancel()
                await asyncio.to_thread(progress.close)  # nothing more of it after this point
            await asyncio.to_thread(self.outbox.enqueue, replies, home)
            await asyncio.to_thread(self.store.finish, job.id, "done")
            log.info("%s job %s done in %.1fs", job.kind, job.id, time.perf_counter() - started)
        except Exception as exc:  # back to the queue: it runs again (and is reported after MAX_ATTEMPTS)
            log.exception("%s job %s failed", job.kind, job.id)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.finish, job.id, "queued", f"{type(exc).__name__}: {exc}")
        finally:
            heartbeat.cancel()
            self.busy = False

    async def _heartbeat(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(max(self.store.lease_s / 3, 0.5))
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.heartbeat, job_id)


class _Progress:
    """What the uploader hears while a job runs: at most one message every `progress_every_s`."""

    def __init__(self, worker: JobWorker, job: Job, ctx: Ctx, name: str, home: Target) -> None:
        self.worker, self.job_id, self.kind, self.ctx, self.name, self.home = worker, job.id, job.kind, ctx, name, home
        self.last = time.monotonic()
        self.lock = threading.Lock()
        self.closed = False

    def _due(self) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last < self.worker.progress_every_s:
                return False
            self.last = now
            return True

    def _tell(self, reply: Reply, state: str | None = None) -> None:
        with self.lock:  # never after `close`: the result is the last word
            if self.closed:
                return
            try:
                self.worker.store.heartbeat(self.job_id, state)
                self.worker.outbox.enqueue([reply], self.home)
            except Exception as exc:  # progress is best effort
                log.warning("%s job %s: progress report failed: %s", self.kind, self.job_id, exc)

    def close(self) -> None:
        with self.lock:
            self.closed = True

    def report(self, done: int, total: int) -> None:
        """For the job thread: passages indexed so far."""
        if total <= 0 or done >= total or not self._due():
            return
        percent = int(100 * done / total)
        self._tell(Reply(self.ctx.t(f"reliability.{self.kind}.progress", file=self.name, done=done, total=total,
                                    percent=percent)), f"{done}/{total}")

    async def keep_telling(self) -> None:
        """Beside the job: when nothing was counted for a while (a slow download, a long parse)."""
        while True:
            await asyncio.sleep(max(self.worker.progress_every_s / 4, 0.25))
            if self._due():
                await asyncio.to_thread(self._tell, Reply(self.ctx.t(f"reliability.{self.kind}.working",
                                                                     file=self.name)))
