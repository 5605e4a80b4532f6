"""Start every configured channel around one dialog (the channels of bot/channels/registry.py
whose settings are set), the HTTP server (their webhooks, /healthz, /metrics), the reminder
scheduler and the corpus-version watcher. With no messenger configured, the fallback channel the
caller gives (the terminal chat) runs instead. No channel is named here.

Nothing accepted is lost: polled updates go through the inbox (bot/inbox.py), replies and
notifications through the outbox (handlers/outbox.py, delivered by bot/outbox.py), staff uploads
run as background jobs (bot/jobs.py). Serving starts at once from the saved search index; the
corpus watcher brings it up to date in the background (user searches never embed the corpus)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine

from bot.app import App
from bot.channels.base import Channel
from bot.channels.registry import CHANNELS
from bot.hub import Hub
from handlers.flow import PENDING_REPLIES

log = logging.getLogger(__name__)
STOP_GRACE_S = 10.0
Job = Coroutine[object, object, None]
"""A background job of `civicbot run` (the outbox worker, the scheduler, the HTTP server...): runs until `stop`."""


def build_hub(app: App) -> Hub:
    return Hub(app.dialog, workers=app.settings.dialog_workers, outbox=app.outbox)


def make_durable(app: App, channels: list[Channel]) -> None:
    """Replies and notifications go through the outbox; uploads become background jobs (where a job
    worker runs, i.e. with channels). The channels wire their own inbox and retries (`from_settings`)."""
    services = app.dialog.services
    services.outbox = app.outbox
    if channels:
        services.jobs = app.jobs
    app.search.auto_refresh = False  # refreshed in the background (watch_corpus, jobs), never by a search


def messenger_channels(app: App, hub: Hub) -> list[Channel]:
    """The registered channels whose settings are set (each registers itself with the hub)."""
    return CHANNELS.build(app.settings, app, hub)


async def run_bot(app: App, *, fallback: Callable[[Hub], Channel] | None = None,
                  stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop`). `fallback`: the channel to run when no messenger is
    configured (it stops everything when its `run` returns)."""
    hub = build_hub(app)
    channels = messenger_channels(app, hub)
    make_durable(app, channels)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            signals.append(sig)
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(t) for t in _background(app, hub, channels, stop)]
    try:
        if channels:
            log.info("civicbot running: %s", ", ".join(c.name for c in channels))
            tasks.extend(asyncio.create_task(c.run(stop)) for c in channels)
            await stop.wait()
        elif fallback is not None:
            logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the chat readable
            await fallback(hub).run(stop)
        else:
            log.error("no channel is configured (see .env.example) and no fallback was given")
    finally:
        stop.set()
        # let the channels finish what is in flight (replies being sent), then stop the rest
        await asyncio.wait(tasks, timeout=STOP_GRACE_S)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sig in signals:
            loop.remove_signal_handler(sig)
        hub.close()


def _background(app: App, hub: Hub, channels: list[Channel], stop: asyncio.Event) -> list[Job]:
    from bot import http, replicas, rule_alerts
    from bot.jobs import JobWorker
    from bot.outbox import OutboxWorker
    from bot.scheduler import ReminderScheduler

    staff_lang = app.settings.staff_lang or app.settings.default_lang
    jobs: list[Job] = [
        OutboxWorker(app.outbox, hub, staff_target=app.staff_target, staff_lang=staff_lang).run(stop)]
    if channels:
        jobs.append(JobWorker(app.jobs, hub, app.outbox).run(stop))
    jobs.append(ReminderScheduler(
        app.bookings, hub.notify, app.settings.reminder_offsets_h,
        staff_target=app.staff_target, staff_lang=staff_lang,
    ).run(stop))
    jobs.append(replicas.watch_corpus(app.search, stop))
    jobs.append(relay_console_answers(app, hub, stop))
    jobs.append(rule_alerts.watch_rule_coverage(app, hub, stop))
    jobs.append(purge_periodically(app, hub, stop, interval_s=app.settings.purge_interval_h * 3600))
    if channels:
        jobs.append(http.serve(app, hub, channels, stop))
    return jobs


async def relay_console_answers(app: App, hub: Hub, stop: asyncio.Event, interval_s: float = 30.0) -> None:
    """Deliver answers staff wrote from the console (`civicbot answer`) to the users who opted in: the
    replies the flow offering PENDING_REPLIES has waiting (none when no flow offers it)."""
    provider = app.dialog.registry.capability(PENDING_REPLIES)
    if provider is None:
        return
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            replies = await loop.run_in_executor(
                hub.executor, provider.pending_replies, app.dialog.services, app.dialog.catalog
            )
            for reply in replies:
                if reply.target is not None:
                    await hub.notify(reply.target.channel, reply.target.chat_id, [reply])
        except Exception:
            log.exception("relaying console answers failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)


async def purge_periodically(app: App, hub: Hub, stop: asyncio.Event, interval_s: float = 6 * 3600.0) -> None:
    """The retention period (RETENTION_DAYS), applied at start-up and then every `interval_s`."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            await loop.run_in_executor(hub.executor, app.privacy.purge)
        except Exception:
            log.exception("retention purge failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
