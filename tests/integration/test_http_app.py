"""The shared web app: webhooks of every channel, /healthz and /metrics, on a real socket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import App
from bot.channels.telegram import WEBHOOK_PATH as TELEGRAM_PATH
from bot.channels.zalo_bot_channel import SECRET_HEADER, ZaloBotChannel
from bot.http import build_web_app, start
from bot.hub import Hub
from bot.replicas import watch_corpus
from bot.settings import Settings
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.state import MemoryRateLimiter, MemoryStateStore
from tests.fakes.zalo_api import FakeZalo


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


class FakeTelegram:
    name = "telegram"

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def webhook_handler(self, request: web.Request) -> web.Response:
        self.seen.append(await request.json())
        return web.json_response({"ok": True})

    def routes(self) -> list[web.RouteDef]:
        return [web.post(TELEGRAM_PATH, self.webhook_handler)]


async def test_webhooks_health_and_metrics(tmp_path: Path, fake: FakeZalo) -> None:
    app = App(Settings(data_dir=tmp_path, embedder="hash"))
    app.search.refresh()  # the index is loaded as in a running replica
    hub = Hub(Dialog(Catalog.load(), Services(), [], MemoryStateStore(), limiter=MemoryRateLimiter(100)))
    zalo = ZaloBotChannel(hub, fake.token, fake.base, "sec-12345", typing=False,
                          webhook_url="https://bot.example.org/zalo/webhook")
    telegram = FakeTelegram()
    runner = await start(build_web_app(app, hub, [zalo, telegram]), "127.0.0.1", 0)
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/healthz") as resp:
                health = await resp.json()
                assert resp.status == 200
            assert health["db"] is True and health["index_loaded"] is True and health["ok"] is True
            assert health["corpus_version"] == health["index_version"] and health["channels"] == ["zalo_bot",
                                                                                                   "telegram"]
            update = {"event_name": "message.text.received",
                      "message": {"message_id": uuid.uuid4().hex, "from": {"id": "u1"}, "chat": {"id": "u1"},
                                  "text": "/help"}}
            async with http.post(base + "/zalo/webhook", json=update, headers={SECRET_HEADER: "sec-12345"}) as resp:
                assert resp.status == 200
            async with http.post(base + TELEGRAM_PATH, json={"update_id": 1}) as resp:
                assert resp.status == 200 and telegram.seen == [{"update_id": 1}]
            async with http.get(base + "/metrics") as resp:
                metrics = await resp.text()
                assert resp.headers["Content-Type"].startswith("text/plain")
        assert 'civicbot_updates_total{channel="zalo_bot"} 1.0' in metrics
        assert 'civicbot_replies_total{channel="zalo_bot"} 2.0' in metrics  # help + menu
        assert "civicbot_update_latency_seconds_count 1.0" in metrics
        assert 'civicbot_errors_total{kind="dialog"} 0.0' in metrics
        assert "civicbot_answers_total 0.0" in metrics and "civicbot_abstentions_total 0.0" in metrics
        assert 'civicbot_corpus_version{source="index"}' in metrics
        assert "civicbot_slow_work_total 0.0" in metrics  # /help is quick: nothing went to the slow pool
    finally:
        await runner.cleanup()
        await zalo.close()
        hub.close()


async def test_health_reports_a_dead_redis(tmp_path: Path) -> None:
    from bot.http import Health

    settings = Settings(data_dir=tmp_path, embedder="hash", redis_url="redis://127.0.0.1:1/0")
    report = Health(App(settings), []).check()
    assert report["db"] is True and report["redis"] is False and report["ok"] is False
    assert report["index_loaded"] is False  # never built just for a health check


class CountingSearch:
    corpus_version = 0

    def __init__(self) -> None:
        self.calls = 0

    def refresh(self) -> bool:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("database briefly down")
        return self.calls == 3


async def test_corpus_watcher_polls_until_stopped_and_survives_errors() -> None:
    search, stop = CountingSearch(), asyncio.Event()
    task = asyncio.create_task(watch_corpus(search, stop, interval_s=0.01))
    while search.calls < 4:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert search.calls >= 4
