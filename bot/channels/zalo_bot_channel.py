"""Zalo Bot Platform channel: a Telegram-like HTTP API at `<api_base>/bot<TOKEN>/<method>`.

Updates arrive by long polling (`getUpdates`, which answers `error_code` 408 when idle) or by a
webhook (`setWebhook` with `secret_token`; each request then carries `X-Bot-Api-Secret-Token`,
checked in constant time). An update has an `event_name` (`message.text.received`,
`message.image.received`, `message.sticker.received`, ...) and a `message` with `from.id`,
`chat.id` and `message_id` (our duplicate-detection key).

Zalo has no inline buttons: choices are rendered as a numbered list and the dialog maps a typed
digit or label back to the choice. Texts are split at 2000 characters on sentence boundaries.
Calls and their retries: bot/channels/zalo_bot_api.py (a send that may have arrived is never repeated).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Coroutine, Mapping

from aiohttp import web

from bot.channels.base import ChannelHub
from bot.channels.render import numbered, split_text
from bot.channels.zalo_bot import (
    CAPABILITIES,
    CHANNEL,
    SECRET_HEADER,
    SECRET_MAX,
    SECRET_MIN,
    TEXT_LIMIT,
    WEBHOOK_PATH,
    WebhookConfigError,
    valid_secret,
)
from bot.channels.zalo_bot_api import ZaloApiError, ZaloBotApi
from bot.channels.zalo_bot_updates import to_incoming
from bot.inbox import SqlInbox
from bot.once import handle_once
from bot.retry import RetryPolicy
from bot.speech import SpeechToText, transcribed
from handlers.jsondata import JsonObject
from handlers.messages import Reply
from handlers.state import Deduper, Leases

log = logging.getLogger(__name__)


class ZaloBotChannel:
    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        hub: ChannelHub,
        token: str,
        api_base: str,
        webhook_secret: str | None = None,
        *,
        webhook_url: str | None = None,
        deduper: Deduper | Leases | None = None,
        retries: int = 6,
        backoff_s: float = 0.5,
        poll_timeout_s: int = 30,
        typing: bool = True,
        stt: SpeechToText | None = None,
        send_timeout_s: float = 20.0,
    ) -> None:
        self.hub = hub
        self.stt = stt
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.deduper = deduper
        self.backoff_s = backoff_s
        self.poll_timeout_s = poll_timeout_s
        self.typing = typing
        self.api = ZaloBotApi(token, api_base, channel=self.name, poll_timeout_s=poll_timeout_s,
                              send_timeout_s=send_timeout_s,
                              policy=RetryPolicy(attempts=retries, base_s=backoff_s, cap_s=30.0, max_wait_s=30.0))
        self._tasks: set[asyncio.Task[object]] = set()
        self.inbox: SqlInbox | None = None
        """A durable inbox (bot.inbox.SqlInbox): polled updates are stored before they are handled."""
        if webhook_url and not valid_secret(webhook_secret):
            raise WebhookConfigError(
                f"ZALO_WEBHOOK_URL needs ZALO_WEBHOOK_SECRET of {SECRET_MIN}-{SECRET_MAX} characters "
                "(the secret Zalo sends with every update); without it anyone could post updates"
            )
        hub.register(self)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url) and valid_secret(self.webhook_secret)

    async def call(self, method: str, payload: Mapping[str, object] | None = None, *, retry: bool = True) -> object:
        """One Bot Platform method, retried where safe (zalo_bot_api.py)."""
        return await self.api.call(method, payload, retry=retry)

    # ---- out ---------------------------------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        message_id: str | None = None
        for part in split_text(numbered(reply), TEXT_LIMIT):
            result = await self.call("sendMessage", {"chat_id": chat_id, "text": part})
            if isinstance(result, dict) and result.get("message_id") is not None:
                message_id = str(result["message_id"])
        if reply.document is not None:
            log.warning("zalo_bot cannot send files; %s not sent", reply.document.file_name)
        return message_id

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> object:
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption[:TEXT_LIMIT]
        return await self.call("sendPhoto", payload)

    async def download(self, file_ref: str) -> bytes:
        """Images and voice messages arrive as URLs on Zalo's CDN."""
        return await self.api.download(file_ref)

    def undeliverable_reason(self, exc: BaseException) -> str | None:
        """For the outbox: the Bot Platform refused the send for good (blocked, unknown chat, bad request)."""
        if isinstance(exc, ZaloApiError) and exc.code is not None and 400 <= exc.code < 500 and exc.code != 429:
            return f"refused: {exc.code} {exc.description}"[:300]
        return None

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, retry=False)
        except Exception as exc:  # a typing indicator is best effort
            log.debug("sendChatAction failed: %s", exc)

    # ---- in ----------------------------------------------------------------------------------
    async def handle_update(self, update: Mapping[str, object]) -> str:
        """Turn one update into an Incoming and process it once; returns the outcome."""
        msg = to_incoming(update, self.name)
        if msg is None:
            return "ignored"
        if msg.kind not in ("text", "command", "callback"):
            self.hub.metrics[f"media_total:{msg.kind}"] += 1  # voice, photos, ... counted in /metrics
        msg = await transcribed(msg, self.stt, self.download)
        if self.typing and msg.kind in ("text", "command"):
            self._spawn(self._typing(msg.chat_id))
        return await handle_once(self.hub, msg, self.deduper)

    async def _from_inbox(self, update: Mapping[str, object]) -> None:
        """Handle one stored update (the inbox row is the deduplication: the dialog must not see its id)."""
        msg = to_incoming(update, self.name)
        if msg is None:
            return
        if self.typing and msg.kind in ("text", "command"):
            self._spawn(self._typing(msg.chat_id))
        await self.hub.process(dataclasses.replace(msg, update_id=None))

    async def webhook(self, request: web.Request) -> web.Response:
        """aiohttp handler for POST /zalo/webhook: secret checked, 200 only after the update is handled.

        Every request without the configured secret (or when no valid secret is configured at all)
        is refused with 401 before its body is read."""
        secret = self.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not valid_secret(secret) or not hmac.compare_digest(given.encode(), str(secret).encode()):
            return web.json_response({"ok": False, "description": "unauthorized"}, status=401)
        try:
            update = await request.json()
        except ValueError:
            return web.json_response({"ok": False, "description": "bad json"}, status=400)
        if not isinstance(update, dict):
            return web.json_response({"ok": False, "description": "bad update"}, status=400)
        outcome = await self.handle_update(update)
        if outcome == "busy":
            return web.json_response({"ok": False, "description": "in progress"}, status=503,
                                     headers={"Retry-After": "2"})
        return web.json_response({"ok": True, "result": outcome})

    def routes(self) -> list[web.RouteDef]:
        """The webhook route exists only in webhook mode (URL and a valid secret); polling has none."""
        return [web.post(WEBHOOK_PATH, self.webhook)] if self.webhook_mode else []

    # ---- running -----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Webhook mode: register the URL and wait (the HTTP server receives). Else long polling."""
        try:
            try:
                me = await self.call("getMe")
                about = me if isinstance(me, dict) else {}
                log.info("zalo_bot: connected as %s", about.get("account_name") or about.get("id"))
            except ZaloApiError as exc:  # a bad token or Zalo down: say so, keep trying in the loop
                log.error("zalo_bot: getMe failed: %s", exc)
            if self.webhook_mode:
                try:
                    await self.call("setWebhook", {"url": self.webhook_url, "secret_token": self.webhook_secret})
                except ZaloApiError as exc:
                    log.error("zalo_bot: setWebhook failed (updates may not arrive): %s", exc)
                await stop.wait()
            else:
                await self._poll(stop)
        finally:
            await self.close()

    async def _poll(self, stop: asyncio.Event) -> None:
        try:
            await self.call("deleteWebhook")  # getUpdates does not work while a webhook is set
        except ZaloApiError as exc:
            log.info("zalo_bot: deleteWebhook: %s", exc)
        if self.inbox is not None:
            await self._poll_durable(stop, self.inbox)
            return
        while not stop.is_set():
            try:
                result = await self.call("getUpdates", {"timeout": str(self.poll_timeout_s)})
            except ZaloApiError as exc:
                if exc.code == 408:  # idle: nothing new
                    continue
                log.error("getUpdates failed: %s", exc)
                await asyncio.sleep(self.backoff_s * 4)
                continue
            for update in _updates(result):
                self._spawn(self.handle_update(update))

    async def _poll_durable(self, stop: asyncio.Event, inbox: SqlInbox) -> None:
        """Polling through the inbox: each update is stored as soon as it arrives, then handled from there."""
        consumer = asyncio.create_task(inbox.run(self._from_inbox, stop))
        try:
            while not stop.is_set():
                poll = asyncio.create_task(self.call("getUpdates", {"timeout": str(self.poll_timeout_s)}))
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if not poll.done():
                    poll.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await poll
                    break
                try:
                    result = poll.result()
                except ZaloApiError as exc:
                    if exc.code != 408:  # 408: idle, nothing new
                        log.error("getUpdates failed: %s", exc)
                        await asyncio.sleep(self.backoff_s * 4)
                    continue
                items = [(_update_key(u), u) for u in _updates(result)]
                while items and not stop.is_set():
                    try:
                        await asyncio.to_thread(inbox.put_many, items)
                        break
                    except Exception as exc:  # the database briefly unreachable: keep the updates in hand
                        log.warning("zalo_bot: storing updates failed (%s); retrying", exc)
                        await asyncio.sleep(1.0)
        finally:
            if not stop.is_set():
                consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer

    def _spawn(self, coro: Coroutine[object, object, object]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.api.close()


def _updates(result: object) -> list[JsonObject]:
    """getUpdates' result: a list of updates, or one update."""
    items = result if isinstance(result, list) else [result]
    return [u for u in items if isinstance(u, dict)]


def _update_key(update: Mapping[str, object]) -> str:
    """The message id (Zalo's duplicate key), else a digest of the update."""
    inner = update.get("result") if "event_name" not in update and isinstance(update.get("result"), dict) else update
    message = inner.get("message") if isinstance(inner, dict) else None
    if isinstance(message, dict) and message.get("message_id"):
        return str(message["message_id"])
    return hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()[:40]


__all__ = ["SECRET_HEADER", "WEBHOOK_PATH", "ZaloApiError", "ZaloBotChannel", "to_incoming"]
