"""Shared set-up for the Telegram end-to-end tests: a real dialog (SQLite), the hub, the channel
running real aiogram against the fake Bot API server (tests/fakes/bot_api.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.channels.telegram_channel import TelegramChannel
from bot.db import create_schema, make_engine
from bot.hub import Hub
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Target
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlDeduper, SqlStateStore
from tests.fakes.answering import FakeAnswerer
from tests.fakes.bot_api import FakeBotAPI

STAFF_CHAT = -100
STAFF_USER = 900
FACTS = {
    "bảo hiểm": ("d1", "Nghị định 75/2023 <NĐ-CP> & phụ lục",
                 "Thành viên hộ nghèo được Nhà nước đóng 100% bảo hiểm y tế."),
}


def make_dialog(tmp_path: Path, facts: dict[str, tuple[str, str, str]] | None = None) -> Dialog:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    services = Services(
        answerer=FakeAnswerer(facts or FACTS), logs=ActivityLog(engine),
        roles=RoleStore(engine, [str(STAFF_USER)]), staff_target=Target("telegram", str(STAFF_CHAT)),
    )
    return Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine),
                  deduper=SqlDeduper(engine), limiter=MemoryRateLimiter(1000))


@contextlib.asynccontextmanager
async def running(api: FakeBotAPI, dialog: Any, *, durable: bool = False, **kw: Any) -> AsyncIterator[TelegramChannel]:
    """The channel polling the fake server until the block ends (then a clean shutdown). `durable`:
    wired as `civicbot run` wires it (inbox for polled updates, outbox + delivery worker, 4 workers)."""
    from bot.inbox import SqlInbox
    from bot.outbox import OutboxWorker
    from handlers.outbox import Outbox

    outbox = Outbox(dialog.states.engine) if durable else None
    hub = Hub(dialog, workers=4 if durable else 1, outbox=outbox)
    options: dict[str, Any] = {"polling_timeout": 1, "backoff_base_s": 0.05, "polling_backoff_s": 0.1, **kw}
    channel = TelegramChannel(hub, api.token, api_base=api.base_url, **options)
    stop = asyncio.Event()
    tasks = []
    if outbox is not None:
        channel.inbox = SqlInbox(dialog.states.engine, "telegram", idle_s=0.05)
        tasks.append(asyncio.create_task(OutboxWorker(outbox, hub, idle_s=0.05).run(stop)))
    tasks.append(asyncio.create_task(channel.run(stop)))
    try:
        yield channel
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 15)
        hub.close()


def datas(call: object) -> list[str]:
    """The callback data of a sent message's buttons."""
    return [b.get("callback_data", "") for b in call.buttons()]  # type: ignore[attr-defined]
