"""The Telegram channel (aiogram 3): long polling by default, or a webhook with a secret token.

Updates become neutral `Incoming` messages (bot/channels/telegram_updates.py) handed to the hub,
which runs the dialog and calls back `send()` for each `Reply` (bot/channels/telegram_send.py).
Every Bot API call goes through `RetryingApi.call()` (bot/channels/telegram_api.py, the policy of
bot/retry.py): HTTP 429 waits `retry_after`, network errors and 5xx back off exponentially (capped),
within a bounded number of attempts; a final failure is logged, counted (`channel.metrics`) and raised.

Webhook mode: `routes()` gives the shared aiohttp app `webhook_handler` at `webhook_path` (the path
of TELEGRAM_WEBHOOK_URL); `run()` then only calls setWebhook and waits. Built from the settings by
bot/channels/telegram.py (the registry's entry, quick to import).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import hmac
import logging
from collections import Counter
from collections.abc import Coroutine, Mapping
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramUnauthorizedError
from aiogram.methods import AnswerCallbackQuery, DeleteWebhook, SendChatAction, SetWebhook, TelegramMethod
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.backoff import BackoffConfig
from aiohttp import web
from pydantic import ValidationError

from bot.channels.base import ChannelConfigError, ChannelHub
from bot.channels.telegram import CAPABILITIES, CHANNEL, SECRET_HEADER, WEBHOOK_PATH
from bot.channels.telegram_api import DeliveryFailed, DownloadFailed, FileTooLarge, RetryingApi
from bot.channels.telegram_inbox import ALLOWED_UPDATES, poll_into_inbox
from bot.channels.telegram_send import register_commands, send_reply, undeliverable_reason
from bot.channels.telegram_updates import callback_to_incoming, message_to_incoming
from bot.inbox import SqlInbox
from bot.once import run_once
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply
from handlers.state import Deduper, Leases

log = logging.getLogger(__name__)
_LEASED: contextvars.ContextVar[bool] = contextvars.ContextVar("telegram_update_leased", default=False)

TYPING_AFTER_S = 0.8
MAX_CONCURRENT_UPDATES = 512
"""Back-pressure: polling pauses while this many updates are in flight (they queue per chat at the hub)."""


class TelegramChannel:
    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        hub: ChannelHub,
        token: str,
        api_base: str = "https://api.telegram.org",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        *,
        polling_timeout: int = 25,
        max_attempts: int = 8,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        max_retry_after_s: float = 300.0,
        polling_backoff_s: float = 1.0,
        deadline_s: float | None = None,
        catalog: Catalog | None = None,
        deduper: Deduper | Leases | None = None,
        inbox: SqlInbox | None = None,
    ) -> None:
        if webhook_url and not webhook_secret:
            raise ChannelConfigError(
                "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (the secret token Telegram sends)")
        self.hub = hub
        self.token = token
        self.server = TelegramAPIServer.from_base(api_base)
        self.bot = Bot(token, session=AiohttpSession(api=self.server))
        self.webhook_url = webhook_url
        self._secret = webhook_secret or ""
        self.polling_timeout = polling_timeout
        self.backoff_cap_s = backoff_cap_s
        self.polling_backoff = BackoffConfig(min_delay=polling_backoff_s, max_delay=max(5.0, 2 * polling_backoff_s),
                                             factor=1.5, jitter=0.1)
        self.catalog = catalog or hub.dialog.catalog
        self.metrics: Counter[str] = Counter()
        self.deduper = deduper
        """A shared leasing deduper (handlers.state_redis.RedisDeduper) for webhook mode on replicas
        (bot/once.py); one without leases leaves duplicates to the dialog."""
        self.inbox = inbox
        """A durable inbox (bot.inbox.SqlInbox): polled updates are stored there before they are
        confirmed, and handled from there (None: aiogram's own polling)."""
        self.api = RetryingApi(self.bot, self.server, token, metrics=self.metrics, max_attempts=max_attempts,
                               backoff_base_s=backoff_base_s, backoff_cap_s=backoff_cap_s,
                               max_retry_after_s=max_retry_after_s, deadline_s=deadline_s)
        self._tasks: set[asyncio.Task[object]] = set()
        self.dp = Dispatcher(disable_fsm=True)
        self.dp.message.register(self._on_message)
        self.dp.callback_query.register(self._on_callback)
        hub.register(self)
        event_log = logging.getLogger("aiogram.event")
        if event_log.level == logging.NOTSET:  # one INFO line per update is noise (and CPU) in production
            event_log.setLevel(logging.WARNING)

    # ---- running -------------------------------------------------------------------------
    @property
    def webhook_path(self) -> str:
        """The path to mount `webhook_handler` on (the path of TELEGRAM_WEBHOOK_URL)."""
        return (urlparse(self.webhook_url).path if self.webhook_url else "") or WEBHOOK_PATH

    def routes(self) -> list[web.RouteDef]:
        """The webhook route for the shared HTTP app (webhook mode only; polling has none)."""
        return [web.post(self.webhook_path, self.webhook_handler)] if self.webhook_url else []

    async def setup(self) -> None:
        """Register the command menu: default (the dialog's default language), vi and ru."""
        dialog = self.hub.dialog
        await register_commands(self.api, self.catalog, dialog.default_lang, dialog.flows.values())

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates until `stop` is set: setWebhook (webhook mode) or long polling."""
        try:
            try:
                await self.setup()
            except DeliveryFailed:
                log.error("setMyCommands failed; the command menu is not registered")
            except TelegramUnauthorizedError:
                log.error("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): the Telegram channel stops")
                raise
            if self.webhook_url:
                hook = SetWebhook(url=self.webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES)
                if await self._until_done(hook, stop):
                    log.info("telegram webhook set (path %s)", self.webhook_path)
                await stop.wait()
            elif await self._until_done(DeleteWebhook(drop_pending_updates=False), stop):
                await (poll_into_inbox(self, stop) if self.inbox is not None else self._poll(stop))
        finally:
            await self._drain()
            await self.close()

    async def close(self) -> None:
        await self.bot.session.close()

    async def _until_done(self, method: TelegramMethod[bool], stop: asyncio.Event) -> bool:
        """Call `method` (with the usual retries) again and again until it succeeds or `stop` is set."""
        while not stop.is_set():
            try:
                await self.api.call(method)
                return True
            except DeliveryFailed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.backoff_cap_s)
        return False

    async def _poll(self, stop: asyncio.Event) -> None:
        polling = asyncio.create_task(self.dp.start_polling(
            self.bot, polling_timeout=self.polling_timeout, handle_signals=False,
            close_bot_session=False, allowed_updates=ALLOWED_UPDATES, backoff_config=self.polling_backoff,
            tasks_concurrency_limit=MAX_CONCURRENT_UPDATES,
        ))
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when this task is cancelled: stop polling before the session closes
            stopper.cancel()
            if not polling.done():
                try:  # graceful: aiogram cancels its own polling tasks (cancelling `polling` would not)
                    await asyncio.wait_for(self.dp.stop_polling(), 5)
                except (RuntimeError, TimeoutError):  # not started yet, or stuck
                    polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling

    async def _from_inbox(self, payload: Mapping[str, object]) -> None:
        """Handle one stored update (the inbox row is the deduplication: the dialog must not see its id)."""
        update = Update.model_validate(payload, context={"bot": self.bot})
        token = _LEASED.set(True)
        try:
            await self.dp.feed_update(self.bot, update)
        finally:
            _LEASED.reset(token)

    def undeliverable_reason(self, exc: BaseException) -> str | None:
        """For the outbox: a send that can never succeed (blocked bot, deleted chat, a refused message)."""
        return undeliverable_reason(exc)

    async def _drain(self, timeout: float = 10.0) -> None:
        """Let in-flight updates finish sending their replies before the session closes."""
        pending = [t for t in self._tasks if t is not asyncio.current_task()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # ---- webhook -------------------------------------------------------------------------
    async def webhook_handler(self, request: web.Request) -> web.Response:
        """aiohttp route for Telegram's POSTs: checks the secret token in constant time, handles the
        update and answers 200 only once its replies were handed to Telegram (ack after the work), so
        an update in flight on a replica that dies is re-sent by Telegram and handled elsewhere.

        With a shared leasing deduper (Redis, `self.deduper`), an update being handled by another
        replica is answered 503 (Telegram retries later) and a finished one 200 without work."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret.encode()):
            self.metrics["webhook_refused_total"] += 1
            return web.Response(status=401, text="unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="bad update")

        async def handle(leased: bool) -> None:
            token = _LEASED.set(leased)  # a lease is the deduplication: the dialog must not see the id again
            try:
                await self.dp.feed_update(self.bot, update)
            finally:
                _LEASED.reset(token)

        if await run_once(f"{self.name}:{update.update_id}", self.deduper, handle) == "busy":
            return web.Response(status=503, text="busy")
        return web.Response(text="ok")

    def webhook_app(self) -> web.Application:
        """A stand-alone aiohttp app with the webhook route (the shared HTTP server mounts the handler)."""
        app = web.Application()
        app.router.add_post(self.webhook_path, self.webhook_handler)
        return app

    # ---- incoming ------------------------------------------------------------------------
    async def _on_message(self, message: Message, event_update: Update) -> None:
        incoming = message_to_incoming(message, event_update.update_id)
        if incoming is not None:
            await self._process(incoming, typing=incoming.kind == "text")

    async def _on_callback(self, callback_query: CallbackQuery, event_update: Update) -> None:
        # Always answered (stops the button's spinner), in the background so the update keeps its
        # place in the chat's queue at the hub.
        self._spawn(self._answer_callback(callback_query.id))
        incoming = callback_to_incoming(callback_query, event_update.update_id)
        if incoming is not None:
            await self._process(incoming, typing=False)

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self.api.call(AnswerCallbackQuery(callback_query_id=query_id))
        except (DeliveryFailed, TelegramBadRequest) as exc:  # too old to answer: harmless
            log.info("answerCallbackQuery failed: %s", exc)

    async def _process(self, incoming: Incoming, *, typing: bool) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        loop = asyncio.get_running_loop()
        timer = loop.call_later(TYPING_AFTER_S, self._typing, incoming.chat_id) if typing else None
        self.metrics["updates_total"] += 1
        if _LEASED.get():
            incoming = dataclasses.replace(incoming, update_id=None)
        try:
            await self.hub.process(incoming)
        except Exception:  # the hub maps dialog errors; this is the last line of defence
            self.metrics["update_errors_total"] += 1
            log.exception("telegram update %s failed", incoming.update_id)
        finally:
            if timer is not None:
                timer.cancel()
            if task is not None:
                self._tasks.discard(task)

    def _typing(self, chat_id: str) -> None:
        self._spawn(self._quiet(SendChatAction(chat_id=chat_id, action="typing")))

    async def _quiet(self, method: SendChatAction) -> None:
        with contextlib.suppress(Exception):
            await self.bot(method)

    def _spawn(self, coro: Coroutine[object, object, object]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- outgoing ------------------------------------------------------------------------
    async def download(self, file_ref: str) -> bytes:
        """The bytes of a user's file (getFile, then the file URL); over 20 MB is refused first."""
        return await self.api.download(file_ref)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """One reply: text parts (≤ 4096, on sentences), the keyboard last, a document (telegram_send.py)."""
        return await send_reply(self.api, chat_id, reply)


__all__ = ["SECRET_HEADER", "DeliveryFailed", "DownloadFailed", "FileTooLarge", "TelegramChannel"]
