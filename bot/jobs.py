"""The background job worker of `civicbot run`: staff uploads beside the chats, not in front of them.

One job at a time per replica, in its own thread (the dialog's worker pool stays free for
everybody else). An upload job downloads the file, ingests it and embeds the new passages; the
uploader gets a progress message every `progress_every_s` while it takes long, then the result,
all through the outbox. At start-up, jobs left running by a process of this host that died are
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
from typing import TypeVar, TypeVarTuple

from bot.hub import Hub
from handlers.flow import Ctx
from handlers.jobs import MAX_ATTEMPTS, Job, JobStore
from handlers.leases import take_over_dead
from handlers.messages import Reply, Target
from handlers.outbox import Outbox
from handlers.staff.flow import service_of
from handlers.staff.upload import UPLOAD_JOB, Progress, run_upload_job, upload_job_ctx

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
                job = await asyncio.to_thread(self.store.claim, self.owner, [UPLOAD_JOB])
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
        self.busy = True
        dialog = self.hub.dialog
        ctx = upload_job_ctx(dialog.catalog, dialog.services, job.payload)
        home = Target(ctx.msg.channel, ctx.msg.chat_id)
        name = ctx.msg.attachment.file_name if ctx.msg.attachment else None
        name = name or "?"
        heartbeat = asyncio.create_task(self._heartbeat(job.id))
        try:
            if job.attempts >= MAX_ATTEMPTS:
                await asyncio.to_thread(self.outbox.enqueue, [Reply(ctx.t(
                    "reliability.upload.failed", file=name, attempts=job.attempts))], home)
                await asyncio.to_thread(self.store.finish, job.id, "failed", "too many attempts")
                return
            if job.attempts > 0:
                await asyncio.to_thread(self.outbox.enqueue, [Reply(ctx.t("reliability.upload.resumed", file=name))],
                                        home)
            progress = self._progress(job.id, ctx, name, home)
            service = service_of(ctx)
            started = time.perf_counter()
            replies = await in_daemon_thread(
                functools.partial(run_upload_job, resumed=job.attempts > 0), ctx, service, progress)
            await asyncio.to_thread(self.outbox.enqueue, replies, home)
            await asyncio.to_thread(self.store.finish, job.id, "done")
            log.info("upload job %s done in %.1fs", job.id, time.perf_counter() - started)
        except Exception as exc:  # back to the queue: it runs again (and is reported after MAX_ATTEMPTS)
            log.exception("upload job %s failed", job.id)
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

    def _progress(self, job_id: int, ctx: Ctx, name: str, home: Target) -> Progress:
        """A progress callback for the job thread: a message to the uploader now and then."""
        started = time.monotonic()
        last = [started]
        lock = threading.Lock()

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            with lock:
                if total <= 0 or done >= total or now - last[0] < self.progress_every_s:
                    return
                last[0] = now
            percent = int(100 * done / total)
            try:
                self.store.heartbeat(job_id, f"{done}/{total}")
                self.outbox.enqueue([Reply(ctx.t("reliability.upload.progress", file=name, done=done, total=total,
                                                 percent=percent))], home)
            except Exception as exc:  # progress is best effort
                log.warning("upload job %s: progress report failed: %s", job_id, exc)

        return report
