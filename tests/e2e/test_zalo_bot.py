"""The Zalo Bot Platform channel end to end: real HTTP against the local fake API, the real dialog."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.zalo_bot_channel import SECRET_HEADER, WEBHOOK_PATH, ZaloBotChannel, to_incoming
from bot.db import create_schema, make_engine
from bot.hub import Hub
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
SECRET = "s3cret-webhook-token"


def update(text: str | None, *, chat: str = "u1", event: str = "message.text.received", mid: str | None = None,
           **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": mid or uuid.uuid4().hex, "from": {"id": chat, "display_name": "Lan"},
        "chat": {"id": chat, "chat_type": "PRIVATE"}, "date": 0, **extra,
    }
    if text is not None:
        message["text"] = text
    return {"event_name": event, "message": message}


def make_dialog(tmp_path: Path, name: str = "db") -> Dialog:
    engine = make_engine(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
    create_schema(engine)
    services = Services(answerer=FakeAnswerer(FACTS), logs=ActivityLog(engine), roles=RoleStore(engine))
    return Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine), limiter=MemoryRateLimiter(100))


async def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def test_polling_conversation_numbered_choices_and_answer(tmp_path: Path, fake: FakeZalo) -> None:
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, poll_timeout_s=1, backoff_s=0.01)
    stop = asyncio.Event()
    runner = asyncio.create_task(channel.run(stop))
    try:
        fake.push_update(update("/start"))
        await wait_for(lambda: len(fake.texts("u1")) >= 1)
        first = fake.texts("u1")[0]
        assert "1. Tiếng Việt" in first and "2. Русский" in first  # no buttons: a numbered list
        fake.push_update(update("1"))  # the typed digit picks Tiếng Việt → the menu follows
        menu_title = Catalog.load().t("vi", "menu.title")
        await wait_for(lambda: any(t.startswith(menu_title) for t in fake.texts("u1")[1:]))
        assert "1. " in next(t for t in fake.texts("u1") if t.startswith(menu_title))
        await asyncio.sleep(1.2)  # an idle getUpdates answers 408 and polling goes on
        fake.push_update(update("hộ nghèo có được bảo hiểm y tế không?"))
        await wait_for(lambda: any("Nhà nước đóng bảo hiểm y tế" in t for t in fake.texts("u1")))
        answer = next(t for t in fake.texts("u1") if "Nhà nước đóng" in t)
        assert "Nghị định 75/2023" in answer
        assert fake.calls["sendChatAction"] >= 1 and fake.calls["deleteWebhook"] == 1 and fake.calls["getMe"] == 1
    finally:
        stop.set()
        await runner
        hub.close()


async def test_sticker_and_image_get_a_polite_reply(tmp_path: Path, fake: FakeZalo) -> None:
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, typing=False)
    await channel.handle_update(update(None, event="message.sticker.received", sticker="st-1"))
    await channel.handle_update(update(None, event="message.image.received", photo="https://cdn/p.jpg"))
    await channel.close()
    hub.close()
    vi = Catalog.load()
    assert fake.texts("u1") == [vi.t("vi", "common.unsupported_sticker"), vi.t("vi", "common.unsupported_photo")]


def test_update_mapping() -> None:
    msg = to_incoming({"ok": True, "result": update("/help", chat="c9", mid="m7")})
    assert msg is not None and msg.kind == "command" and msg.command == "help"
    assert (msg.chat_id, msg.user_id, msg.update_id, msg.user_name) == ("c9", "c9", "m7", "Lan")
    photo = to_incoming(update(None, event="message.image.received", photo="https://cdn/x.jpg", caption="hi"))
    assert photo is not None and photo.kind == "photo" and photo.attachment is not None
    assert photo.attachment.file_ref == "https://cdn/x.jpg" and photo.caption == "hi"
    # content withheld by the platform: its own kind, with its own reply (issue 13)
    assert to_incoming(update(None, event="message.unsupported.received")).kind == "unsupported"  # type: ignore[union-attr]
    assert to_incoming({"event_name": "message.text.received"}) is None


async def test_long_text_split_at_2000_and_retries(tmp_path: Path, fake: FakeZalo) -> None:
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, backoff_s=0.01)
    text = "Hộ nghèo được hỗ trợ đóng bảo hiểm y tế theo quy định. " * 80  # ~4,500 characters
    fake.fail_next(2, 502)
    fake.fail_next(1, 429)
    await channel.send("u5", Reply(text))
    parts = fake.texts("u5")
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert all(p.endswith(".") for p in parts) and " ".join(parts).split() == text.split()
    assert fake.calls["sendMessage"] == 3 + 3  # three failures retried, nothing lost
    await channel.close()
    hub.close()


async def serve(channel: ZaloBotChannel) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.add_routes(channel.routes())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}{WEBHOOK_PATH}"


async def test_webhook_secret_checked_and_setwebhook(tmp_path: Path, fake: FakeZalo) -> None:
    hub = Hub(make_dialog(tmp_path))
    channel = ZaloBotChannel(hub, fake.token, fake.base, SECRET, webhook_url="https://bot.example.org/zalo/webhook",
                             typing=False)
    runner, url = await serve(channel)
    try:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
                async with http.post(url, json=update("/start"), headers=headers) as resp:
                    assert resp.status == 401
            assert fake.sent == []  # nothing processed
            async with http.post(url, json=update("/start"), headers={SECRET_HEADER: SECRET}) as resp:
                assert resp.status == 200
            assert len(fake.texts("u1")) == 1  # ack after the reply was delivered
            async with http.post(url, data=b"{not json", headers={SECRET_HEADER: SECRET}) as resp:
                assert resp.status == 400
        stop = asyncio.Event()
        stop.set()
        await channel.run(stop)
        assert fake.webhook == {"url": "https://bot.example.org/zalo/webhook", "secret_token": SECRET}
    finally:
        await runner.cleanup()
        await channel.close()
        hub.close()


@pytest.mark.redis
async def test_duplicate_webhook_to_two_replicas_handled_once(tmp_path: Path, fake: FakeZalo) -> None:
    redis = pytest.importorskip("redis")
    from handlers.state_redis import RedisDeduper

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"test:{uuid.uuid4().hex}:"
    replicas = []
    for i in range(2):
        hub = Hub(make_dialog(tmp_path, f"r{i}"))
        channel = ZaloBotChannel(hub, fake.token, fake.base, SECRET, deduper=RedisDeduper(client, prefix=prefix),
                                 typing=False, webhook_url="https://bot.example.org/zalo/webhook")
        replicas.append((hub, channel, *(await serve(channel))))
    try:
        async with aiohttp.ClientSession() as http:
            same = update("/help", mid="dup-1")
            posts = [http.post(url, json=same, headers={SECRET_HEADER: SECRET}) for _, _, _, url in replicas * 3]
            statuses = []
            for resp in await asyncio.gather(*posts):
                statuses.append(resp.status)
                resp.release()
        assert set(statuses) <= {200, 503} and 200 in statuses
        await asyncio.sleep(0.2)
        assert len([t for t in fake.texts("u1") if t]) == 2  # /help: the help text + the menu, once
    finally:
        for hub, channel, runner, _ in replicas:
            await runner.cleanup()
            await channel.close()
            hub.close()
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
