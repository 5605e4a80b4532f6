"""The Zalo OA channel end to end: signed webhooks in, customer-service messages out to the local fake."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import Session

from bot.channels.zalo_oa_channel import SIGNATURE_HEADER, WEBHOOK_PATH, ZaloOAChannel, signature, to_incoming
from bot.db import create_schema, make_engine
from bot.hub import Hub
from bot.zalo_tokens import SqlTokenStore, Tokens, ZaloOAToken
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Reply
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlStateStore
from tests.fakes.answering import FakeAnswerer
from tests.fakes.zalo_api import FakeZalo

FACTS = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}
OA_SECRET = "oa-secret-key"


class SlowAnswerer(FakeAnswerer):
    def answer(self, question: str, lang: str | None = None, **kw: Any) -> Any:
        time.sleep(2.5)
        return super().answer(question, lang, **kw)


def event(text: str, *, user: str = "u1", name: str = "user_send_text", msg_id: str | None = None,
          ts_ms: int | None = None) -> bytes:
    body = {
        "app_id": "app-1", "user_id_by_app": "x" + user, "event_name": name,
        "timestamp": str(ts_ms if ts_ms is not None else int(time.time() * 1000)),
        "sender": {"id": user}, "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
    }
    return json.dumps(body, ensure_ascii=False).encode()


def signed(body: bytes, secret: str = OA_SECRET) -> dict[str, str]:
    ts = str(json.loads(body)["timestamp"])
    return {SIGNATURE_HEADER: "mac=" + signature("app-1", body, ts, secret), "Content-Type": "application/json"}


class Replica:
    def __init__(self, tmp_path: Path, fake: FakeZalo, name: str = "db", answerer: Any = None) -> None:
        self.engine = make_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
        create_schema(self.engine)
        services = Services(answerer=answerer or FakeAnswerer(FACTS), logs=ActivityLog(self.engine),
                            roles=RoleStore(self.engine))
        dialog = Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(self.engine),
                        limiter=MemoryRateLimiter(100))
        self.hub = Hub(dialog)
        self.store = SqlTokenStore(self.engine, fake.app_id, Tokens("access-1", "refresh-1"))
        self.channel = ZaloOAChannel(
            self.hub, fake.app_id, OA_SECRET, "access-1", "refresh-1", self.store, fake.base, fake.base,
            fake.app_secret, backoff_s=0.01,
        )
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> Replica:
        app = web.Application()
        app.add_routes(self.channel.routes())
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}{WEBHOOK_PATH}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.channel.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self.hub.close()


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def post(url: str, body: bytes, headers: dict[str, str],
               zalo: FakeZalo | None = None) -> tuple[int, dict[str, Any]]:
    """POST an event as Zalo would: Zalo knows the user's message (a reply may cite it) before
    its webhook fires."""
    if zalo is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            event = json.loads(body)
            zalo.user_message(str(event["sender"]["id"]), str(event["message"]["msg_id"]))
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.json()


def texts(fake: FakeZalo, user: str = "u1") -> list[str]:
    return [s.text for s in fake.oa_sent if s.chat_id == user]


async def test_text_in_numbered_choices_and_answer_out(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        body = event("/start")
        assert (await post(r.url, body, signed(body), fake))[0] == 200
        await r.channel.drain()
        assert "1. Tiếng Việt" in texts(fake)[0] and "2. Русский" in texts(fake)[0]
        body = event("2")  # the typed digit chooses Русский
        await post(r.url, body, signed(body), fake)
        await r.channel.drain()
        assert texts(fake)[1] == "Язык: русский."
        body = event("ho ngheo co bảo hiểm y te khong")
        await post(r.url, body, signed(body), fake)
        await r.channel.drain()
        assert any("Nhà nước đóng bảo hiểm y tế" in t and "Nghị định 75/2023" in t for t in texts(fake))
    finally:
        await r.stop()


async def test_bad_signature_and_stale_timestamp_refused(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        body = event("/start")
        tampered = body.replace(b"/start", b"/help!")
        old = event("/start", ts_ms=int((time.time() - 3600) * 1000))
        cases = [
            (body, {}),
            (body, signed(body, secret="wrong-secret")),
            (tampered, signed(body)),
            (old, signed(old)),  # correctly signed but an hour old: a replay
            (b"{not json", {SIGNATURE_HEADER: "mac=00"}),
        ]
        for data, headers in cases:
            status, answer = await post(r.url, data, headers)
            assert status == 401 and answer["error"] != 0
        await r.channel.drain()
        assert fake.oa_sent == [] and r.hub.metrics["updates_total:zalo_oa"] == 0
    finally:
        await r.stop()


async def test_replayed_event_handled_once(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        body = event("/help", msg_id="same-msg")
        answers = [await post(r.url, body, signed(body), fake) for _ in range(3)]
        assert [a[0] for a in answers] == [200, 200, 200]
        assert [a[1]["message"] for a in answers] == ["accepted", "duplicate", "duplicate"]
        await r.channel.drain()
        assert len(texts(fake)) == 2  # help text + menu, once
    finally:
        await r.stop()


async def test_token_refresh_on_216_persists_the_rotated_refresh_token(tmp_path: Path, fake: FakeZalo) -> None:
    a = await Replica(tmp_path, fake).start()
    b = await Replica(tmp_path, fake).start()  # a second replica on the same database
    try:
        await a.channel.send("u1", Reply("trước"))
        await b.channel.send("u1", Reply("trước"))
        fake.expire_access_token()
        await a.channel.send("u1", Reply("sau khi hết hạn"))
        assert fake.refreshes == 1 and texts(fake)[-1] == "sau khi hết hạn"
        with Session(a.engine) as s:
            row = s.get(ZaloOAToken, fake.app_id)
            assert row is not None and (row.access_token, row.refresh_token) == ("access-2", "refresh-2")
        # replica b still holds the old access token: -216, then it finds the rotated one in the database
        await b.channel.send("u1", Reply("từ bản sao thứ hai"))
        assert fake.refreshes == 1 and texts(fake)[-1] == "từ bản sao thứ hai"
        # a restart with the stale environment seed keeps the database's tokens
        again = SqlTokenStore(a.engine, fake.app_id, Tokens("access-1", "refresh-1"))
        assert again.load() == Tokens("access-2", "refresh-2")
    finally:
        await a.stop()
        await b.stop()


async def test_webhook_acked_within_2s_while_slow_work_runs_after(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake, answerer=SlowAnswerer(FACTS)).start()
    try:
        body = event("bảo hiểm y tế cho hộ nghèo?")
        started = time.perf_counter()
        status, _ = await post(r.url, body, signed(body), fake)
        elapsed = time.perf_counter() - started
        assert status == 200 and elapsed < 2.0 and fake.oa_sent == []  # the 200 came before the work
        await r.channel.drain()
        assert any("Nghị định 75/2023" in t for t in texts(fake))
    finally:
        await r.stop()


async def test_long_text_split_follow_and_event_mapping(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        text = "Hộ cận nghèo được hỗ trợ 70% mức đóng bảo hiểm y tế. " * 90
        await r.channel.send("u7", Reply(text))
        parts = texts(fake, "u7")
        assert len(parts) == 3 and all(len(p) <= 2000 for p in parts) and " ".join(parts).split() == text.split()
        follow = json.dumps({"app_id": "app-1", "event_name": "follow", "timestamp": str(int(time.time() * 1000)),
                             "follower": {"id": "u8"}, "oa_id": "oa-1"}).encode()
        assert (await post(r.url, follow, signed(follow), fake))[0] == 200
        await r.channel.drain()
        assert texts(fake, "u8") and "1. Tiếng Việt" in texts(fake, "u8")[0]
    finally:
        await r.stop()
    sticker = to_incoming({"event_name": "user_send_sticker", "sender": {"id": "9"}, "message": {"msg_id": "m"}})
    assert sticker is not None and sticker.kind == "sticker"
    assert to_incoming({"event_name": "user_seen_message", "sender": {"id": "9"}}) is None
