"""Polled updates are stored before they are confirmed: a bot that dies after Telegram (or Zalo)
considers them delivered still answers every one of them after a restart (real aiogram, SQLite)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from bot.channels.telegram_channel import TelegramChannel
from bot.channels.zalo_bot_channel import ZaloBotChannel
from bot.hub import Hub
from bot.inbox import SqlInbox
from handlers.dialog import Dialog
from handlers.messages import Incoming, Reply
from tests.e2e.telegram_kit import make_dialog
from tests.e2e.test_zalo_bot import update as zalo_update
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.zalo_api import FakeZalo


class StuckDialog:
    """The first run's dialog: every update hangs (the process is killed while they wait)."""

    def __init__(self, real: Dialog) -> None:
        self.real = real
        self.services = real.services
        self.catalog = real.catalog
        self.default_lang, self.flows = real.default_lang, real.flows
        self.pseudonyms = real.pseudonyms
        self.release = threading.Event()
        self.seen: list[Incoming] = []

    def handle(self, msg: Incoming) -> list[Reply]:
        self.seen.append(msg)
        self.release.wait(30)
        return []

    def on_sent(self, track: str, message_id: str) -> None:
        return None


async def _crash(task: asyncio.Task[Any]) -> None:
    """Like SIGKILL for the channel: nothing after this point runs (no graceful drain)."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _wait(predicate: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline
        await asyncio.sleep(0.05)


async def test_telegram_updates_confirmed_before_a_crash_are_answered_after_restart(tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    engine = dialog.states.engine
    async with FakeBotAPI() as api:
        stuck = StuckDialog(dialog)
        hub1 = Hub(stuck, workers=4)
        first = TelegramChannel(hub1, api.token, api_base=api.base_url, polling_timeout=1, polling_backoff_s=0.1)
        first.inbox = SqlInbox(engine, "telegram", idle_s=0.05)
        stop1 = asyncio.Event()
        task = asyncio.create_task(first.run(stop1))
        for chat in (11, 12, 13, 14):
            api.send_text(chat, "bảo hiểm y tế?")
        await _wait(lambda: len(stuck.seen) == 4)
        # Telegram considers them delivered: the next getUpdates carried a higher offset
        await _wait(lambda: not api.updates)
        await _crash(task)
        hub2 = Hub(dialog, workers=2)
        second = TelegramChannel(hub2, api.token, api_base=api.base_url, polling_timeout=1, polling_backoff_s=0.1)
        second.inbox = SqlInbox(engine, "telegram", idle_s=0.05)
        stop2 = asyncio.Event()
        task2 = asyncio.create_task(second.run(stop2))
        try:
            for chat in (11, 12, 13, 14):
                sent = await api.wait_sent(chat, 1, timeout=10)
                assert "100% bảo hiểm y tế" in sent[0].text
        finally:
            stop2.set()
            await asyncio.wait_for(task2, 15)
            stuck.release.set()
            hub1.close()
            hub2.close()
        assert second.inbox.pending() == 0


async def test_a_redelivered_update_is_stored_once(tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    inbox = SqlInbox(dialog.states.engine, "telegram")
    update = {"update_id": 5, "message": {"text": "hi"}}
    assert inbox.put_many([("5", update)]) == 1
    assert inbox.put_many([("5", update), ("6", update)]) == 1
    assert inbox.pending() == 2


async def test_zalo_polled_updates_survive_a_crash(tmp_path: Path) -> None:
    dialog = make_dialog(tmp_path)
    engine = dialog.states.engine
    api = await FakeZalo().start()
    try:
        stuck = StuckDialog(dialog)
        hub1 = Hub(stuck, workers=4)
        first = ZaloBotChannel(hub1, api.token, api.base, poll_timeout_s=1, typing=False)
        first.inbox = SqlInbox(engine, "zalo_bot", idle_s=0.05)
        stop1 = asyncio.Event()
        task = asyncio.create_task(first.run(stop1))
        for user in ("u1", "u2", "u3"):
            api.push_update(zalo_update("bảo hiểm y tế?", chat=user))
        await _wait(lambda: len(stuck.seen) == 3)
        await _crash(task)
        hub2 = Hub(dialog, workers=2)
        second = ZaloBotChannel(hub2, api.token, api.base, poll_timeout_s=1, typing=False)
        second.inbox = SqlInbox(engine, "zalo_bot", idle_s=0.05)
        stop2 = asyncio.Event()
        task2 = asyncio.create_task(second.run(stop2))
        try:
            await _wait(lambda: all(any("bảo hiểm y tế" in t for t in api.texts(u)) for u in ("u1", "u2", "u3")))
        finally:
            stop2.set()
            await asyncio.wait_for(task2, 15)
            stuck.release.set()
            hub1.close()
            hub2.close()
    finally:
        await api.stop()
