"""Zalo Official Account channel: webhook in, customer-service messages out.

In: Zalo POSTs events (`user_send_text`, `user_send_image`, `follow`, ...) to `/zalo/oa/webhook`
with `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>`. We
verify it in constant time, refuse stale timestamps (replays) and events already seen (the shared
deduper, keyed by msg_id), then answer 200 at once — Zalo wants an answer within 2 s — and run the
dialog in a background task. "Accepted" here means: verified, new, and acknowledged with 200.

Out: `POST <api_base>/v3.0/oa/message/cs` with the `access_token` header, text ≤ 2000 characters
(split on sentences; choices as a numbered list); a free reply while one is left for the user's
last message, else a proactive message (bot/channels/zalo_oa_out.py). The calls, their retries and
the token refresh: bot/channels/zalo_oa_api.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Coroutine, Mapping

from aiohttp import web

from bot.channels.base import ChannelHub
from bot.channels.render import numbered, split_text
from bot.channels.zalo_oa import CAPABILITIES, CHANNEL, SIGNATURE_HEADER, TEXT_LIMIT, WEBHOOK_PATH, Alert
from bot.channels.zalo_oa_api import TokenStore, ZaloOAApi, ZaloOAError
from bot.channels.zalo_oa_events import ANON_PREFIX, signature, to_incoming
from bot.channels.zalo_oa_keeper import TokenKeeper
from bot.channels.zalo_oa_out import ReplyWindow, file_as_text, quota_kind, uploadable
from bot.inbox import RedisInbox, RetryLater
from bot.once import handle_once
from bot.retry import RetryPolicy
from bot.zalo_tokens import MemoryTokenStore, Tokens
from handlers.messages import Reply
from handlers.state import Deduper, MemoryDeduper
from handlers.usage import UsageCounter
from knowledge.jsontypes import JSONDict, JSONObject

log = logging.getLogger(__name__)


class ZaloOAChannel:
    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        hub: ChannelHub,
        app_id: str,
        secret_key: str,
        access_token: str,
        refresh_token: str,
        token_store: TokenStore | None,
        api_base: str,
        oauth_base: str,
        app_secret: str,
        *,
        deduper: Deduper | None = None,
        inbox: RedisInbox | None = None,
        max_age_s: float = 300.0,
        retries: int = 5,
        backoff_s: float = 0.5,
        alert: Alert | None = None,
        check_every_s: float = 300.0,
        usage: UsageCounter | None = None,
    ) -> None:
        self.hub = hub
        self.app_id = app_id
        self.secret_key = secret_key
        self.tokens: TokenStore = token_store or MemoryTokenStore(Tokens(access_token, refresh_token))
        self.api = ZaloOAApi(app_id, app_secret, self.tokens, api_base, oauth_base, channel=self.name,
                             policy=RetryPolicy(attempts=retries, base_s=backoff_s, max_wait_s=30.0),
                             metrics=hub.metrics)
        self.deduper: Deduper = deduper or MemoryDeduper()
        self.inbox = inbox
        """bot.inbox.RedisInbox: accepted events survive a crash (several replicas); None: in-process tasks."""
        self.max_age_s = max_age_s
        self._tasks: set[asyncio.Task[object]] = set()
        self.window = ReplyWindow()
        """The users' latest incoming messages: answers go out as free replies to them."""
        self.alert = alert
        """Tells the staff chat about trouble with the OA (a refresh token about to die)."""
        self.check_every_s = check_every_s
        self.usage = usage
        """Counts messages by the allowance they used, per day, in the database (`/stats`)."""
        hub.register(self)

    # ---- in: the webhook ---------------------------------------------------------------------
    def verify(self, body: bytes, header: str) -> JSONDict | None:
        """The event if the signature and timestamp hold, else None."""
        given = header.strip()
        given = given[4:] if given.lower().startswith("mac=") else given
        try:
            event = json.loads(body)
            timestamp = str(event["timestamp"])
        except (ValueError, KeyError, TypeError):
            return None
        expected = signature(self.app_id, body, timestamp, self.secret_key)
        if not hmac.compare_digest(given.lower().encode(), expected.encode()):
            return None
        try:
            age = abs(time.time() - int(timestamp) / 1000.0)
        except ValueError:
            return None
        return event if age <= self.max_age_s and isinstance(event, dict) else None

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        event = self.verify(body, request.headers.get(SIGNATURE_HEADER, ""))
        if event is None:
            return web.json_response({"error": -1, "message": "invalid signature"}, status=401)
        msg = to_incoming(event, self.name)
        if msg is None:
            return web.json_response({"error": 0, "message": "ignored"})
        if self.inbox is not None:
            try:
                await asyncio.to_thread(self.inbox.put, event)  # durable before the 200
            except Exception as exc:
                log.error("zalo_oa: inbox unavailable, event not accepted: %s", exc)
                return web.json_response({"error": -1, "message": "try again"}, status=503)
            return web.json_response({"error": 0, "message": "accepted"})
        key = msg.update_id or hashlib.sha256(body).hexdigest()
        if not await asyncio.to_thread(self.deduper.first_time, f"{self.name}:{key}"):
            return web.json_response({"error": 0, "message": "duplicate"})
        self.window.seen(msg.chat_id, msg.message_id)
        self._spawn(self.hub.process(dataclasses.replace(msg, update_id=None)))  # the dialog runs after the 200
        return web.json_response({"error": 0, "message": "accepted"})

    async def handle_event(self, event: Mapping[str, object]) -> None:
        """An event from the inbox: handled once across replicas (RetryLater while another has it)."""
        msg = to_incoming(event, self.name)
        if msg is None:
            return
        key = msg.update_id or hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
        self.window.seen(msg.chat_id, msg.message_id)
        if await handle_once(self.hub, dataclasses.replace(msg, update_id=key), self.deduper) == "busy":
            raise RetryLater()

    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.webhook)]

    # ---- out: customer-service messages ----------------------------------------------------------
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Text parts (≤ 2000 characters each, as few as possible), then the document if any."""
        message_id: str | None = None
        for part in split_text(numbered(reply), TEXT_LIMIT):
            data = await self._send_message(chat_id, {"text": part})
            message_id = str(data.get("message_id")) if data.get("message_id") else message_id
        if reply.document is not None:
            doc = reply.document
            if uploadable(doc.file_name, len(doc.content)) and not chat_id.startswith(ANON_PREFIX):
                token = await self.api.upload_file(doc.file_name, doc.content)
                await self._send_message(chat_id, {"attachment": {"type": "file", "payload": {"token": token}}})
            else:  # Zalo takes PDF, DOC, DOCX and CSV files only: the rest goes out as text
                for part in split_text(f"{doc.file_name}\n{file_as_text(doc.file_name, doc.content)}", TEXT_LIMIT):
                    await self._send_message(chat_id, {"text": part})
        return message_id

    def _recipient(self, chat_id: str) -> tuple[str, dict[str, str]]:
        """The endpoint and recipient: a free reply while one is left, else a proactive message."""
        if chat_id.startswith(ANON_PREFIX):
            anonymous_id, _, conversation_id = chat_id[len(ANON_PREFIX):].partition(":")
            return "/v2.0/oa/message", {"anonymous_id": anonymous_id, "conversation_id": conversation_id}
        return "/v3.0/oa/message/cs", self.window.recipient(chat_id)

    async def _send_message(self, chat_id: str, message: JSONObject) -> dict[str, object]:
        path, recipient = self._recipient(chat_id)
        try:
            data = await self.api.call(path, {"recipient": recipient, "message": message})
        except BaseException:
            self.window.give_back(chat_id, recipient)
            raise
        kind = quota_kind(data)
        self.hub.metrics[f"zalo_oa_quota_total:{kind}"] += 1
        if self.usage is not None:  # for /stats, across replicas
            try:
                await asyncio.to_thread(self.usage.add, self.name, kind)
            except Exception as exc:  # counting must never cost a delivered message its bookkeeping
                log.warning("zalo_oa: usage not counted: %s", type(exc).__name__)
        return data

    async def refresh(self, failed_access_token: str) -> None:
        """Get new tokens (or the ones another replica already got) and persist the new refresh token."""
        await self.api.refresh(failed_access_token)

    async def download(self, file_ref: str) -> bytes:
        return await self.api.download(file_ref)

    def undeliverable_reason(self, exc: BaseException) -> str | None:
        """Final refusals arrive as `Undeliverable` (zalo_oa_api.py); nothing else is judged final."""
        return None

    # ---- lifecycle ---------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[object, object, object]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the background work of every accepted event."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run(self, stop: asyncio.Event) -> None:
        """Webhook only: the HTTP server receives (and, with an inbox, this drains it); on stop, finish
        the accepted work."""
        keeper = asyncio.create_task(self.keep_tokens(stop))
        try:
            if self.inbox is not None:
                await self.inbox.run(self.handle_event, stop)
            else:
                await stop.wait()
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
            await self.close()

    async def keep_tokens(self, stop: asyncio.Event) -> None:
        """Refresh the access token before it expires; warn staff before the refresh token dies."""
        keeper = TokenKeeper(self, self.alert)
        while not stop.is_set():
            try:
                await keeper.check()
            except Exception as exc:  # e.g. the database briefly down: try again next time
                log.warning("zalo_oa: token check failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.check_every_s)

    async def close(self) -> None:
        await self.drain()
        await self.api.close()


__all__ = ["SIGNATURE_HEADER", "WEBHOOK_PATH", "ZaloOAChannel", "ZaloOAError", "signature", "to_incoming"]
