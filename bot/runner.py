"""Start every configured channel around one dialog: Telegram, Zalo (Bot Platform, OA), the HTTP
server (webhooks, /healthz, /metrics), the reminder scheduler and the corpus-version watcher.
With no messenger configured, the terminal chat runs instead.

Nothing accepted is lost: polled updates go through the inbox (bot/inbox.py), replies and
notifications through the outbox (handlers/outbox.py, delivered by bot/outbox.py), staff uploads
run as background jobs (bot/jobs.py). Serving starts at once from the saved search index; the
corpus watcher brings it up to date in the background (user searches never embed the corpus)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from typing import Any

from bot.app import App
from bot.hub import Hub

log = logging.getLogger(__name__)
STOP_GRACE_S = 10.0


OUTBOX_SEND_ATTEMPTS = 3
"""With the outbox retrying, a channel tries a send only a few times before giving the row back."""


def build_hub(app: App) -> Hub:
    return Hub(app.dialog, workers=app.settings.dialog_workers, outbox=app.outbox)


def make_durable(app: App, channels: list[Any]) -> None:
    """Polling channels store updates in the inbox before confirming them; sends retry briefly in
    the channel and then through the outbox; uploads become background jobs."""
    for channel in channels:
        name = getattr(channel, "name", "")
        if name == "telegram":
            channel.api.max_attempts = OUTBOX_SEND_ATTEMPTS
            channel.api.max_retry_after_s = 30.0
            if not channel.webhook_url:
                channel.inbox = app.inbox("telegram")
        elif name == "zalo_bot":
            channel.retries = OUTBOX_SEND_ATTEMPTS
            if not channel.webhook_mode:
                channel.inbox = app.inbox("zalo_bot")
    services = app.dialog.services
    services.outbox = app.outbox
    if channels:
        services.jobs = app.jobs
    app.search.auto_refresh = False  # refreshed in the background (watch_corpus, jobs), never by a search


def messenger_channels(app: App, hub: Hub) -> list[Any]:
    """The messenger adapters whose credentials are set (each registers itself with the hub)."""
    s = app.settings
    channels: list[Any] = []
    from bot.channels import telegram, zalo_bot, zalo_oa

    if s.telegram_bot_token:
        channels.append(
            telegram.TelegramChannel(
                hub,
                s.telegram_bot_token.get_secret_value(),
                api_base=s.telegram_api_base,
                webhook_url=s.telegram_webhook_url,
                webhook_secret=s.telegram_webhook_secret.get_secret_value() if s.telegram_webhook_secret else None,
            )
        )
    if s.zalo_bot_token:
        channels.append(zalo_bot.from_settings(hub, s, app))
    if s.zalo_oa_app_id and s.zalo_oa_secret_key:
        channels.append(zalo_oa.from_settings(hub, s, app))
    for channel in channels:
        hub.register(channel)
        if getattr(channel, "name", "") == "telegram":
            channel.deduper = app.deduper  # webhook leases across replicas (Redis)
    return channels


async def run_bot(app: App, *, console_lang: str | None = None) -> None:
    hub = build_hub(app)
    channels = messenger_channels(app, hub)
    make_durable(app, channels)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(t) for t in _background(app, hub, channels, stop)]
    if channels:
        log.info("civicbot running: %s", ", ".join(c.name for c in channels))
        tasks.extend(asyncio.create_task(c.run(stop)) for c in channels)
        await stop.wait()
    else:
        from bot.channels.console import ConsoleChannel

        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the chat readable
        console = ConsoleChannel(hub, lang=console_lang)
        await console.run(stop)
        stop.set()
    # let the channels finish what is in flight (replies being sent), then stop the rest
    await asyncio.wait(tasks, timeout=STOP_GRACE_S)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    hub.close()


def _background(app: App, hub: Hub, channels: list[Any], stop: asyncio.Event) -> list[Coroutine[Any, Any, Any]]:
    from bot import http, replicas, rule_alerts
    from bot.jobs import JobWorker
    from bot.outbox import OutboxWorker
    from bot.scheduler import ReminderScheduler

    staff_lang = app.settings.staff_lang or app.settings.default_lang
    jobs: list[Coroutine[Any, Any, Any]] = [
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
    """Deliver answers staff wrote from the console (`civicbot answer`) to the users who opted in."""
    from handlers.staff import flow as staff

    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            replies = await loop.run_in_executor(
                hub.executor, staff.pending_relay_replies, app.dialog.catalog, app.staff
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
