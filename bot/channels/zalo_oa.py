"""Zalo Official Account channel: webhook in, customer-service messages out.

In: Zalo POSTs events (`user_send_text`, `user_send_image`, `follow`, ...) to `/zalo/oa/webhook`
with `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>`. We
verify it in constant time, refuse stale timestamps (replays) and events already seen (the shared
deduper, keyed by msg_id), then answer 200 at once — Zalo wants an answer within 2 s — and run the
dialog in a background task. "Accepted" here means: verified, new, and acknowledged with 200.

Out: `POST <api_base>/v3.0/oa/message/cs` with the `access_token` header, text ≤ 2000 characters
(split on sentences; choices as a numbered list). Error -216 (token expired/invalid) → refresh via
`POST <oauth_base>/v4/oa/access_token` and retry; the rotating refresh token is persisted by the
token store (bot/zalo_tokens.py). Network errors, 5xx and 429 are retried with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from bot.channels.render import numbered, split_text
from bot.channels.zalo_oa_events import ANON_PREFIX, signature, to_incoming
from bot.channels.zalo_oa_keeper import TokenKeeper
from bot.channels.zalo_oa_out import PERMANENT, ReplyWindow, file_as_text, quota_kind, uploadable
from bot.inbox import RetryLater
from bot.once import handle_once
from bot.zalo_tokens import MemoryTokenStore, SqlTokenStore, Tokens
from handlers.messages import Reply, Undeliverable
from handlers.state import MemoryDeduper
from handlers.usage import UsageCounter

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000
SIGNATURE_HEADER = "X-ZEvent-Signature"
WEBHOOK_PATH = "/zalo/oa/webhook"
TOKEN_EXPIRED = -216
class ZaloOAError(Exception):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"Zalo OA error {code}: {message}")
        self.code = code


class _Retry(Exception):
    pass


class ZaloOAChannel:
    name = "zalo_oa"

    def __init__(
        self,
        hub: Any,
        app_id: str,
        secret_key: str,
        access_token: str,
        refresh_token: str,
        token_store: Any,
        api_base: str,
        oauth_base: str,
        app_secret: str,
        *,
        deduper: Any = None,
        inbox: Any = None,
        max_age_s: float = 300.0,
        retries: int = 5,
        backoff_s: float = 0.5,
        alert: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
        check_every_s: float = 300.0,
        usage: UsageCounter | None = None,
    ) -> None:
        self.hub = hub
        self.app_id = app_id
        self.secret_key = secret_key
        self.app_secret = app_secret
        self.tokens = token_store or MemoryTokenStore(Tokens(access_token, refresh_token))
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.deduper = deduper or MemoryDeduper()
        self.inbox = inbox
        """bot.inbox.RedisInbox: accepted events survive a crash (several replicas); None: in-process tasks."""
        self.max_age_s = max_age_s
        self.retries = retries
        self.backoff_s = backoff_s
        self._access: str | None = None
        self._refresh_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.window = ReplyWindow()
        """The users' latest incoming messages: answers go out as free replies to them."""
        self.alert = alert
        """Tells the staff chat about trouble with the OA (a refresh token about to die)."""
        self.check_every_s = check_every_s
        self.usage = usage
        """Counts messages by the allowance they used, per day, in the database (`/stats`)."""
        hub.register(self)

    # ---- in: the webhook ---------------------------------------------------------------------
    def verify(self, body: bytes, header: str) -> dict[str, Any] | None:
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

    async def handle_event(self, event: dict[str, Any]) -> None:
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
                token = await self._upload_file(doc.file_name, doc.content)
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

    async def _send_message(self, chat_id: str, message: dict[str, Any]) -> dict[str, Any]:
        path, recipient = self._recipient(chat_id)
        try:
            data = await self._call(path, {"recipient": recipient, "message": message})
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

    async def _call(self, path: str, payload: dict[str, Any] | None = None, *,
                    form: aiohttp.FormData | None = None) -> dict[str, Any]:
        """One OA API call: retries transient failures, refreshes an expired token once, and turns
        refusals a retry cannot fix (PERMANENT) into Undeliverable."""
        refreshed = False
        attempt = 0
        while True:
            access = await self._access_token()
            try:
                answer = await self._post(f"{self.api_base}{path}", payload, access, form=form)
            except _Retry as exc:
                attempt += 1
                if attempt >= self.retries:
                    raise ZaloOAError(None, f"gave up after {attempt} attempts: {exc}") from None
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1) * (1 + random.random() * 0.1))
                continue
            code = int(answer.get("error", 0) or 0)
            if code == 0:
                data = answer.get("data")
                return data if isinstance(data, dict) else {}
            if code == TOKEN_EXPIRED and not refreshed:
                await self.refresh(access)
                refreshed = True
                continue
            if code in PERMANENT:
                self.hub.metrics[f"zalo_oa_refused_total:{PERMANENT[code]}"] += 1
                raise Undeliverable(self.name, PERMANENT[code], f"Zalo OA error {code}")
            raise ZaloOAError(code, str(answer.get("message", "")))

    async def _upload_file(self, file_name: str, data: bytes) -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=file_name, content_type=uploadable(file_name, len(data)) or "")
        answer = await self._call("/v2.0/oa/upload/file", form=form)
        token = answer.get("token")
        if not token:
            raise ZaloOAError(None, "file upload gave no token")
        return str(token)

    async def _post(self, url: str, payload: dict[str, Any] | None, access: str, *,
                    form: aiohttp.FormData | None = None) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        body: dict[str, Any] = {"data": form} if form is not None else {"json": payload}
        try:
            async with self._session.post(url, headers={"access_token": access}, **body) as resp:
                if resp.status == 429 or resp.status >= 500:
                    raise _Retry(f"HTTP {resp.status}")
                answer = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise _Retry(type(exc).__name__) from None
        if not isinstance(answer, dict):
            raise _Retry("malformed answer")
        return answer

    async def _access_token(self) -> str:
        if self._access is None:
            self._access = (await asyncio.to_thread(self.tokens.load)).access_token
        return self._access

    async def refresh(self, failed_access_token: str) -> None:
        """Get new tokens (or the ones another replica already got) and persist the new refresh token."""
        async with self._refresh_lock:
            if self._access is not None and self._access != failed_access_token:
                return  # refreshed meanwhile by another task of this process
            fresh = await asyncio.to_thread(self.tokens.rotate, failed_access_token, self._call_oauth)
            self._access = fresh.access_token
            log.info("zalo_oa: access token refreshed")

    def _call_oauth(self, refresh_token: str) -> Tokens:
        """Runs in a worker thread, inside the token store's lock (sync HTTP on purpose)."""
        resp = httpx.post(
            f"{self.oauth_base}/v4/oa/access_token",
            data={"app_id": self.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
            headers={"secret_key": self.app_secret},
            timeout=20.0,
        )
        answer = resp.json()
        if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
            code = answer.get("error") if isinstance(answer, dict) else None
            raise ZaloOAError(code, "token refresh refused")
        expires = answer.get("expires_in")
        return Tokens(str(answer["access_token"]), str(answer["refresh_token"]),
                      int(str(expires)) if str(expires or "").isdigit() else None)

    async def download(self, file_ref: str) -> bytes:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        async with self._session.get(file_ref) as resp:
            resp.raise_for_status()
            return await resp.read()

    # ---- lifecycle ---------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> None:
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
        if self._session is not None:
            await self._session.close()


def from_settings(hub: Any, settings: Any, app: Any) -> ZaloOAChannel:
    """Built by bot/runner.py when ZALO_OA_APP_ID and ZALO_OA_SECRET_KEY are set."""

    def secret(value: Any) -> str:
        return value.get_secret_value() if value is not None else ""

    access, refresh = secret(settings.zalo_oa_access_token), secret(settings.zalo_oa_refresh_token)
    store = SqlTokenStore(app.engine, settings.zalo_oa_app_id, Tokens(access, refresh) if refresh else None)
    inbox = None
    if app.redis is not None:
        from bot.inbox import RedisInbox

        inbox = RedisInbox(app.redis)
    return ZaloOAChannel(
        hub, settings.zalo_oa_app_id, secret(settings.zalo_oa_secret_key), access, refresh, store,
        settings.zalo_oa_api_base, settings.zalo_oauth_base, secret(settings.zalo_oa_app_secret),
        deduper=app.deduper, inbox=inbox, alert=staff_alerter(hub, app),
        usage=UsageCounter(app.engine, settings.timezone),
    )


def staff_alerter(hub: Any, app: Any) -> Callable[[str, dict[str, Any]], Awaitable[None]] | None:
    """A note to the staff chat in the staff language (None when no staff chat is configured)."""
    target = app.staff_target
    if target is None:
        return None
    from handlers.i18n import Catalog

    catalog, lang = Catalog.load(), getattr(app.settings, "default_lang", "vi")

    async def alert(key: str, params: dict[str, Any]) -> None:
        await hub.notify(target.channel, target.chat_id, [Reply(catalog.t(lang, key, **params))])

    return alert
