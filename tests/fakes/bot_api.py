"""A fake Telegram Bot API HTTP server on 127.0.0.1 for tests and benchmarks.

Real aiogram talks to it over real HTTP (`TELEGRAM_API_BASE=api.base_url`), so sessions,
serialization, multipart uploads and retries are exercised for real. It implements getMe,
getUpdates (long poll, offset confirmation), sendMessage, editMessageText, answerCallbackQuery,
sendDocument (multipart), getFile + `/file/bot<token>/<path>`, setMyCommands, deleteWebhook,
setWebhook, getWebhookInfo and sendChatAction; it records every call, lets a test push updates
and inject failures (HTTP 429 with `parameters.retry_after`, 5xx, dropped connections, 403 "bot was
blocked by the user" for one chat).

In-process (tests)::

    async with FakeBotAPI() as api:
        channel = TelegramChannel(hub, api.token, api_base=api.base_url)
        api.send_text(1, "/start")
        await api.wait_sent(1, count=2)

Out of process (benchmarks): `start_in_process()` returns (process, base_url); control it over
HTTP: POST /_fake/push {"updates": [...], "interval": s}, GET /_fake/log, POST /_fake/reset,
POST /_fake/fail {"method": "sendMessage", "mode": "429", "times": 300, "retry_after": 1, "status": 500},
POST /_fake/file?path=documents/x.txt (the body is the file; answers its file_id).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing as mp
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token_abc"
JSON_FIELDS = {
    "reply_markup", "allowed_updates", "commands", "scope", "link_preview_options", "reply_parameters",
    "entities", "caption_entities",
}
SEND_METHODS = ("sendMessage", "sendDocument")
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
             "span", "blockquote", "tg-emoji"}
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]*)[^<>]*>|<|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|&")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id", ""))

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    mode: str  # "429", "5xx", "drop", "blocked" (403), "close" (answer, then close the kept-alive connection)
    retry_after: int = 1
    status: int = 502


class FakeBotAPI:
    def __init__(self, token: str = TOKEN, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Civic", "username": "civic_bot"}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.pushed_at: dict[int, float] = {}
        self.messages: dict[tuple[str, int], dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes, int]] = {}
        self.file_delays: dict[str, float] = {}
        """Seconds a download of the file at this path waits before the bytes come (a slow network)."""
        self.failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.webhook: dict[str, Any] = {}
        self.confirmed_offset = 0
        """The highest `offset` a getUpdates call has carried (updates below it count as delivered)."""
        self.blocked: set[str] = set()
        """Chats whose user blocked the bot: every send there is refused with 403."""
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._pacers: set[asyncio.Task[None]] = set()

    # ---- lifecycle ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FakeBotAPI:
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        app.router.add_post("/_fake/push", self._ctl_push)
        app.router.add_get("/_fake/log", self._ctl_log)
        app.router.add_post("/_fake/reset", self._ctl_reset)
        app.router.add_post("/_fake/fail", self._ctl_fail)
        app.router.add_post("/_fake/file", self._ctl_file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for task in self._pacers:
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- what a test does --------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (an `update_id` is assigned unless given: a duplicate keeps its id)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        self.pushed_at.setdefault(update["update_id"], time.monotonic())
        self._notify()
        return int(update["update_id"])

    def user(self, user_id: int, language_code: str | None = "vi") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def message_update(self, chat_id: int, content: dict[str, Any], *, user_id: int | None = None,
                       language_code: str | None = "vi", reply_to: int | None = None) -> dict[str, Any]:
        """A user's message update (not queued): `content` is e.g. {"text": ...} or {"sticker": {...}}."""
        mid = next(self._message_ids[str(chat_id)])
        message: dict[str, Any] = {
            "message_id": mid, "date": int(time.time()), "chat": self._chat(chat_id),
            "from": self.user(user_id or chat_id, language_code), **content,
        }
        if "text" in content and content["text"].startswith("/"):
            length = len(content["text"].split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to is not None:
            message["reply_to_message"] = self.messages.get((str(chat_id), reply_to)) or {
                "message_id": reply_to, "date": 0, "chat": self._chat(chat_id)}
        self.messages[(str(chat_id), mid)] = message
        return {"message": message}

    def send_text(self, chat_id: int, text: str, **kw: Any) -> int:
        return self.push_update(self.message_update(chat_id, {"text": text}, **kw))

    def send_content(self, chat_id: int, content: dict[str, Any], **kw: Any) -> int:
        return self.push_update(self.message_update(chat_id, content, **kw))

    def callback_update(self, chat_id: int, data: str, *, message_id: int | None = None,
                        user_id: int | None = None, language_code: str | None = "vi") -> dict[str, Any]:
        message = self.messages.get((str(chat_id), message_id or 0)) or {
            "message_id": message_id or 1, "date": int(time.time()), "chat": self._chat(chat_id),
            "from": self.bot_user, "text": "…"}
        query = {"id": f"cq{next(self._update_ids)}", "from": self.user(user_id or chat_id, language_code),
                 "chat_instance": f"ci{chat_id}", "data": data, "message": message}
        return {"callback_query": query}

    def press(self, chat_id: int, data: str, **kw: Any) -> int:
        return self.push_update(self.callback_update(chat_id, data, **kw))

    def add_file(self, content: bytes, file_path: str = "documents/file.bin", size: int | None = None) -> str:
        file_id = f"FILE{len(self.files) + 1}"
        self.files[file_id] = (file_path, content, len(content) if size is None else size)
        return file_id

    def fail(self, method: str, mode: str = "429", *, times: int = 1, retry_after: int = 1, status: int = 502) -> None:
        """The next `times` calls of `method` fail: "429" (retry_after), "5xx" (status), "drop", or "close"
        (answered, then the connection is closed under the client's next request)."""
        for _ in range(times):
            self.failures[method].append(Failure(mode, retry_after, status))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | str | None = None) -> list[Call]:
        """Messages and documents the bot sent successfully (to one chat, or everywhere)."""
        return [c for c in self.calls if c.method in SEND_METHODS and not c.params.get("_failed")
                and (chat_id is None or c.chat_id == str(chat_id))]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        assert self._cond is not None
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(predicate), timeout)

    async def wait_sent(self, chat_id: int | str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        try:
            await self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout)
        except TimeoutError:
            got = [c.text[:80] for c in self.sent(chat_id)]
            raise AssertionError(f"chat {chat_id}: expected {count} messages, got {got}") from None
        return self.sent(chat_id)

    # ---- the Bot API -------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params, files = await _read_params(request)
        call = Call(method, params, files=files)
        failure = self.failures[method].popleft() if self.failures.get(method) else None
        if failure is None and method in SEND_METHODS and str(params.get("chat_id", "")) in self.blocked:
            failure = Failure("blocked")
        if failure is not None and failure.mode == "close":
            return await self._answer_then_close(request, method, params, files)
        if failure is not None:
            self._record(call, failed=True)
            return self._failure(request, failure)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        if method == "getUpdates":
            result = await handler(params, files)
        else:
            result = handler(params, files)
            self._record(call, failed=isinstance(result, web.Response) and result.status >= 400)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _answer_then_close(self, request: web.Request, method: str, params: dict[str, Any],
                                 files: dict[str, bytes]) -> web.StreamResponse:
        """Answer, then close the connection the client keeps alive: its next request on it breaks
        while being written (aiohttp: "Can not write request body for <url>", the URL with the token)."""
        result = await getattr(self, f"_m_{method}")(params, files) if method == "getUpdates" else \
            getattr(self, f"_m_{method}")(params, files)
        if method != "getUpdates":
            self._record(Call(method, params, files=files))
        response = web.json_response({"ok": True, "result": result})
        await response.prepare(request)
        await response.write_eof()
        if request.transport is not None:
            request.transport.close()
        return response

    def _failure(self, request: web.Request, failure: Failure) -> web.StreamResponse:
        if failure.mode == "429":
            return _error(429, f"Too Many Requests: retry after {failure.retry_after}",
                          parameters={"retry_after": failure.retry_after})
        if failure.mode == "blocked":
            return _error(403, "Forbidden: bot was blocked by the user")
        if failure.mode == "drop":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        return _error(failure.status, "Bad Gateway")

    def _record(self, call: Call, failed: bool = False) -> None:
        if failed:
            call.params = {**call.params, "_failed": True}
        self.calls.append(call)
        self._notify()

    def _notify(self) -> None:
        cond = self._cond
        if cond is None:
            return

        async def wake() -> None:
            async with cond:
                cond.notify_all()

        task = asyncio.get_running_loop().create_task(wake())
        self._pacers.add(task)
        task.add_done_callback(self._pacers.discard)

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook.get("url"):
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.confirmed_offset = max(self.confirmed_offset, offset)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        assert self._cond is not None
        if not self.updates and timeout > 0:
            async with self._cond:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait_for(lambda: bool(self.updates)), timeout)
        self.calls.append(Call("getUpdates", params))
        return self.updates[:limit]

    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.bot_user

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        text = str(params.get("text", ""))
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096 * 2:  # escaped HTML may be longer than the visible 4096 characters
            return _error(400, "Bad Request: message is too long")
        problem = html_problem(text) if params.get("parse_mode") == "HTML" else None
        if problem:
            return _error(400, f"Bad Request: can't parse entities: {problem}")
        return self._bot_message(params["chat_id"], {"text": text}, params)

    def _m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        ref = str(params.get("document", ""))
        content = files.get(ref.removeprefix("attach://"), b"")
        file_id = self.add_file(content, f"documents/{len(self.files) + 1}")
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content)}
        extra: dict[str, Any] = {"document": doc}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._bot_message(params["chat_id"], extra, params)

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        key = (str(params.get("chat_id")), int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        message["text"] = params.get("text", "")
        return message

    def _m_getFile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        path, _, size = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size, "file_path": path}

    def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = {}
        return True

    def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = dict(params)
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def _bot_message(self, chat_id: Any, extra: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        mid = next(self._message_ids[str(chat_id)])
        message = {"message_id": mid, "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": self.bot_user, **extra}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(str(chat_id), mid)] = message
        return message

    @staticmethod
    def _chat(chat_id: Any) -> dict[str, Any]:
        cid = int(chat_id)
        return {"id": cid, "type": "private"} if cid > 0 else {"id": cid, "type": "supergroup", "title": "Staff"}

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        if self.failures.get("downloadFile"):
            failure = self.failures["downloadFile"].popleft()
            self.calls.append(Call("downloadFile", {"path": path, "_failed": True}))
            return web.Response(status=failure.status)
        for file_path, content, _ in self.files.values():
            if file_path == path:
                self.calls.append(Call("downloadFile", {"path": path}))
                await asyncio.sleep(self.file_delays.get(path, 0.0))
                return web.Response(body=content)
        return web.Response(status=404)

    # ---- control endpoints (benchmarks run the server in another process) --------------
    async def _ctl_push(self, request: web.Request) -> web.Response:
        body = await request.json()
        updates, interval = body["updates"], float(body.get("interval", 0))
        if interval <= 0:
            for u in updates:
                self.push_update(u)
        else:
            task = asyncio.get_running_loop().create_task(self._pace(updates, interval))
            self._pacers.add(task)
            task.add_done_callback(self._pacers.discard)
        return web.json_response({"ok": True, "queued": len(updates)})

    async def _pace(self, updates: list[dict[str, Any]], interval: float) -> None:
        start = time.monotonic()
        for i, update in enumerate(updates):
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.push_update(update)

    async def _ctl_log(self, request: web.Request) -> web.Response:
        """Sends from index `since` on (cheap to poll); `pushed=1` adds every update's arrival time."""
        since = int(request.query.get("since", 0))
        sent = self.sent()
        sends = [{"chat_id": c.chat_id, "at": c.at, "method": c.method, "text": c.text[:200]} for c in sent[since:]]
        body: dict[str, Any] = {"sends": sends, "next": len(sent), "calls": len(self.calls), "now": time.monotonic(),
                                "failed": sum(1 for c in self.calls if c.params.get("_failed")),
                                "confirmed_offset": self.confirmed_offset,
                                "failures_left": {m: len(q) for m, q in self.failures.items() if q}}
        if request.query.get("pushed"):
            body["pushed"] = {str(k): v for k, v in self.pushed_at.items()}
        return web.json_response(body)

    async def _ctl_fail(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.fail(str(body["method"]), str(body.get("mode", "429")), times=int(body.get("times", 1)),
                  retry_after=int(body.get("retry_after", 1)), status=int(body.get("status", 502)))
        return web.json_response({"ok": True, "queued": len(self.failures[str(body["method"])])})

    async def _ctl_file(self, request: web.Request) -> web.Response:
        """Add a file; `delay_s` makes its download that slow."""
        path = request.query.get("path", "documents/file.bin")
        file_id = self.add_file(await request.read(), path)
        if float(request.query.get("delay_s", 0)) > 0:
            self.file_delays[path] = float(request.query["delay_s"])
        return web.json_response({"ok": True, "file_id": file_id})

    async def _ctl_reset(self, request: web.Request) -> web.Response:
        self.calls.clear()
        self.pushed_at.clear()
        return web.json_response({"ok": True})


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = value
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params, files


def html_problem(text: str) -> str | None:
    """Why Telegram's HTML parse mode would reject `text` (None: it parses)."""
    stack: list[str] = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token in ("<", "&"):
            return f"unescaped {token!r} at offset {m.start()}"
        if token.startswith("&"):
            continue
        closing, tag = m.group(1), m.group(2).lower()
        if tag not in HTML_TAGS:
            return f"unsupported start tag {tag!r} at offset {m.start()}"
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return f"unmatched end tag {tag!r} at offset {m.start()}"
    return f"can't find end tag corresponding to start tag {stack[-1]!r}" if stack else None


def _error(code: int, description: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description, **extra}, status=code)


def _serve(conn: Any, token: str) -> None:
    async def main() -> None:
        api = await FakeBotAPI(token).start()
        conn.send(api.base_url)
        await asyncio.Event().wait()

    asyncio.run(main())


def start_in_process(token: str = TOKEN) -> tuple[mp.process.BaseProcess, str]:
    """Run the fake server in a child process (so its CPU is not the bot's); returns (process, base_url)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, token), daemon=True)
    proc.start()
    return proc, parent.recv()
