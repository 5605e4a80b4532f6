"""Local fake Zalo servers on 127.0.0.1 for tests and benchmarks (real HTTP, no mocks).

- Bot Platform: `/bot<TOKEN>/<method>` — getMe, getUpdates (long polling; 408 when idle: as a
  JSON error in an HTTP 200, or as HTTP 408 with or without a body, per `idle`),
  setWebhook, deleteWebhook, sendMessage (refuses > 2000 chars), sendChatAction, sendPhoto.
  `fail_next(n, status)` makes the next n calls fail (5xx / 429) to exercise retries.
- OA: `POST /v3.0/oa/message/cs` with an `access_token` header (error -216 when it is not the
  current token). The recipient is `{"user_id"}` (a proactive message: refused with -230 when the
  user's last message is over 7 days old; else counted as `sub_quota`) or `{"message_id"}` of a
  message the user sent (a reply: `quota_type: reply` for the first 8 within 48 hours, then a
  proactive message again; an unknown id is -201). Users the fake never heard from count as
  recently active. `POST /v2.0/oa/upload/file` (multipart `file`: PDF/DOC/DOCX/CSV ≤ 5 MB, else
  error -210) answers `data.token`; a message with a file attachment carries it. `POST
  /v2.0/oa/message` takes `{"anonymous_id", "conversation_id"}` recipients. Shapes as in Zalo's
  OA API v3 documentation ("tin Tư vấn", "Upload file", "quota" in the send response).
  The OAuth refresh `POST /v4/oa/access_token` (form: app_id, refresh_token,
  grant_type=refresh_token; `secret_key` header) which rotates BOTH tokens: an old refresh token
  is refused afterwards, like Zalo's single-use refresh tokens.

Run standalone (benchmarks): `python -m tests.fakes.zalo_api --port 8091` prints counts on /_stats.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEXT_LIMIT = 2000


@dataclass
class Sent:
    chat_id: str
    text: str


@dataclass
class FakeZalo:
    token: str = "123:fake-bot-token"
    app_id: str = "app-1"
    app_secret: str = "app-secret"
    access_token: str = "access-1"
    refresh_token: str = "refresh-1"
    sent: list[Sent] = field(default_factory=list)
    oa_sent: list[Sent] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    webhook: dict[str, Any] = field(default_factory=dict)
    refreshes: int = 0
    oa_inbound: dict[str, tuple[str, float]] = field(default_factory=dict)
    """The users' messages Zalo knows: msg_id → (user_id, sent at, epoch seconds)."""
    oa_last_seen: dict[str, float] = field(default_factory=dict)
    oa_replies: Counter[str] = field(default_factory=Counter)
    oa_quota: Counter[str] = field(default_factory=Counter)
    oa_files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    oa_refuse: dict[str, int] = field(default_factory=dict)
    """user_id → an error code every message to that user gets (e.g. -213)."""
    _updates: asyncio.Queue[dict[str, Any]] | None = None
    _failures: list[int] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    port: int = 0
    delay_s: float = 0.0
    """Artificial latency of sendMessage (a slow platform)."""
    idle: str = "json"
    """What an idle getUpdates answers: `json` (HTTP 200, `{"ok": false, "error_code": 408}`),
    `http408` (HTTP 408 with that JSON body) or `http408-empty` (HTTP 408, no body at all)."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- test controls -------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> None:
        assert self._updates is not None
        self._updates.put_nowait(update)

    def fail_next(self, n: int, status: int = 502) -> None:
        self._failures.extend([status] * n)

    def user_message(self, user_id: str, msg_id: str, at: float | None = None) -> None:
        """A user wrote to the OA (Zalo saw it before the webhook fired)."""
        when = time.time() if at is None else at
        self.oa_inbound[msg_id] = (user_id, when)
        self.oa_last_seen[user_id] = max(self.oa_last_seen.get(user_id, 0.0), when)

    def expire_access_token(self) -> None:
        self.access_token = f"expired-{self.access_token}"

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [s.text for s in self.sent if chat_id is None or s.chat_id == chat_id]

    # ---- server --------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FakeZalo:
        self._updates = asyncio.Queue()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._bot)
        app.router.add_get("/bot{token}/{method}", self._bot)
        app.router.add_post("/v3.0/oa/message/cs", self._oa_send)
        app.router.add_post("/v2.0/oa/message", self._oa_send)
        app.router.add_post("/v2.0/oa/upload/file", self._oa_upload)
        app.router.add_post("/v4/oa/access_token", self._oauth)
        app.router.add_get("/_media/{name}", self._media)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_reset", self._reset)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _bot(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if self._failures:
            status = self._failures.pop(0)
            body = {"ok": False, "error_code": status, "description": "injected failure"}
            if status == 429:
                body["parameters"] = {"retry_after": 0}
            return web.json_response(body, status=status)
        payload: dict[str, Any] = await request.json() if request.can_read_body else {}
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        result: dict[str, Any] = await handler(payload)
        if result.get("error_code") == 408 and self.idle != "json":
            if self.idle == "http408-empty":
                return web.Response(status=408)
            return web.json_response(result, status=408)
        return web.json_response(result)

    async def _media(self, request: web.Request) -> web.Response:
        """Media files as Zalo's CDN serves them (`photo_url`, `voice_url` point here in tests)."""
        self.calls["media"] += 1
        return web.Response(body=b"\xff\xf1fake-aac-" + request.match_info["name"].encode(),
                            content_type="audio/aac")

    async def _m_getMe(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": {"id": "bot-1", "account_name": "bot.civic", "display_name": "Civic"}}

    async def _m_getUpdates(self, payload: dict[str, Any]) -> dict[str, Any]:
        assert self._updates is not None
        timeout = min(float(payload.get("timeout", 30)), 30.0)
        try:
            update = await asyncio.wait_for(self._updates.get(), timeout)
        except TimeoutError:
            return {"ok": False, "error_code": 408, "description": "Request timeout"}
        return {"ok": True, "result": update}

    async def _m_setWebhook(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.webhook = dict(payload)
        return {"ok": True, "result": {"url": payload.get("url"), "updated_at": 0}}

    async def _m_deleteWebhook(self, _: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {}
        return {"ok": True, "result": {"url": ""}}

    async def _m_sendChatAction(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": True}

    async def _m_sendMessage(self, payload: dict[str, Any]) -> dict[str, Any]:
        text = str(payload.get("text", ""))
        if not payload.get("chat_id") or not text or len(text) > TEXT_LIMIT:
            return {"ok": False, "error_code": 400, "description": "Bad Request: text length"}
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.sent.append(Sent(str(payload["chat_id"]), text))
        return {"ok": True, "result": {"message_id": f"m{next(self._ids)}", "date": 0}}

    async def _m_sendPhoto(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(Sent(str(payload.get("chat_id")), f"[photo {payload.get('photo')}]"))
        return {"ok": True, "result": {"message_id": f"m{next(self._ids)}", "date": 0}}

    async def _oa_send(self, request: web.Request) -> web.Response:
        self.calls["oa_send"] += 1
        if request.headers.get("access_token") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        recipient, message = body.get("recipient") or {}, body.get("message") or {}
        text = str(message.get("text", ""))
        token = ((message.get("attachment") or {}).get("payload") or {}).get("token")
        if token is not None:
            if token not in self.oa_files:
                return web.json_response({"error": -201, "message": "Parameters are invalid"})
            text = f"[file {self.oa_files[token][0]}]"
        if not text or len(text) > TEXT_LIMIT:
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        now = time.time()
        if recipient.get("anonymous_id"):
            user_id, quota = f"anon:{recipient['anonymous_id']}:{recipient.get('conversation_id')}", None
        elif recipient.get("message_id"):
            known = self.oa_inbound.get(str(recipient["message_id"]))
            if known is None:
                return web.json_response({"error": -201, "message": "Parameters are invalid"})
            user_id = known[0]
            used = self.oa_replies[str(recipient["message_id"])]
            if now - known[1] < 48 * 3600 and used < 8:
                self.oa_replies[str(recipient["message_id"])] += 1
                quota = {"quota_type": "reply"}
            else:
                quota = self._proactive_quota(user_id, now)
        else:
            user_id = str(recipient.get("user_id", ""))
            quota = self._proactive_quota(user_id, now) if user_id else None
        if not user_id:
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        if isinstance(quota, int):
            return web.json_response({"error": quota, "message": "refused"})
        if user_id in self.oa_refuse:
            return web.json_response({"error": self.oa_refuse[user_id], "message": "refused"})
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.oa_sent.append(Sent(user_id, text))
        self.oa_quota[quota["quota_type"] if quota else "paid"] += 1
        data: dict[str, Any] = {"message_id": f"oa{next(self._ids)}", "user_id": user_id}
        if quota:
            data["quota"] = quota
        return web.json_response({"error": 0, "message": "Success", "data": data})

    def _proactive_quota(self, user_id: str, now: float) -> dict[str, str] | int:
        last = self.oa_last_seen.get(user_id)
        if last is not None and now - last > 7 * 86400:
            return -230  # the user has not interacted for 7 days
        return {"quota_type": "sub_quota"}

    async def _oa_upload(self, request: web.Request) -> web.Response:
        self.calls["oa_upload"] += 1
        if request.headers.get("access_token") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        data = upload.file.read()
        name = upload.filename or ""
        if not name.lower().endswith((".pdf", ".doc", ".docx", ".csv")) or not 0 < len(data) <= 5 * 1024 * 1024:
            return web.json_response({"error": -210, "message": "File type or size is not supported"})
        token = f"tok{next(self._ids)}"
        self.oa_files[token] = (name, data)
        return web.json_response({"error": 0, "message": "Success", "data": {"token": token}})

    async def _oauth(self, request: web.Request) -> web.Response:
        self.calls["oauth"] += 1
        form = await request.post()
        ok = (
            request.headers.get("secret_key") == self.app_secret
            and form.get("app_id") == self.app_id
            and form.get("grant_type") == "refresh_token"
            and form.get("refresh_token") == self.refresh_token
        )
        if not ok:
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token = f"access-{self.refreshes + 1}"
        self.refresh_token = f"refresh-{self.refreshes + 1}"
        return web.json_response(
            {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}
        )

    async def _stats(self, _: web.Request) -> web.Response:
        per_chat = Counter(s.chat_id for s in self.sent)
        return web.json_response({"sent": len(self.sent), "oa_sent": len(self.oa_sent), "calls": dict(self.calls),
                                  "per_chat": dict(per_chat), "texts": [[s.chat_id, s.text] for s in self.sent]})

    async def _reset(self, _: web.Request) -> web.Response:
        self.sent.clear()
        self.oa_sent.clear()
        self.calls.clear()
        return web.json_response({"ok": True})


async def _main(port: int) -> None:
    fake = await FakeZalo().start(port)
    print(json.dumps({"port": fake.port, "token": fake.token}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(_main(parser.parse_args().port))
