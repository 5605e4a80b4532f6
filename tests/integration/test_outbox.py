"""The durable reply outbox: every reply is delivered once, in order per chat, across workers (replicas),
restarts, HTTP 429/5xx storms and blocked users (real SQLite / PostgreSQL, real aiogram, fake Bot API)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.channels.base import ChannelBase
from bot.channels.telegram import CAPABILITIES
from bot.channels.telegram_channel import TelegramChannel
from bot.db import create_schema, make_engine
from bot.hub import Hub
from bot.inbox import SqlInbox
from bot.outbox import OutboxWorker
from handlers.messages import Reply, Target
from handlers.outbox import TABLE, Outbox
from knowledge.models import utcnow
from tests.e2e.telegram_kit import make_dialog
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.pg import temp_schema
from tests.integration.conftest import dead_pid as _dead_pid


class RecordingChannel(ChannelBase):
    """A channel that records what it sends (slowly, failing now and then like a real network)."""

    name = "telegram"
    capabilities = CAPABILITIES

    def __init__(self, fail_rate: float = 0.0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_rate = fail_rate
        self.rng = random.Random(7)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        await asyncio.sleep(0.002)
        if self.rng.random() < self.fail_rate:
            raise ConnectionError("flaky network")
        self.sent.append((chat_id, reply.text))
        return str(len(self.sent))

    async def download(self, file_ref: str) -> bytes:
        raise LookupError(file_ref)


class FakeHub:
    """The hub as the delivery worker sees it (bot.outbox.DeliveryHub)."""

    direct: tuple[str, ...] = ()

    def __init__(self, channel: RecordingChannel) -> None:
        self.channels = {channel.name: channel}
        self.metrics: dict[str, int] = defaultdict(int)
        self.dialog_metrics: dict[str, int] = {}
        self.sent_ids: list[tuple[str, str]] = []

    async def on_sent(self, track: str, message_id: str) -> None:
        self.sent_ids.append((track, message_id))


@pytest.fixture()
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    create_schema(engine)
    return engine


@pytest.fixture()
def pg_engine() -> Iterator[Engine]:
    with temp_schema("outbox") as engine:
        create_schema(engine)
        yield engine


def _fill(outbox: Outbox, chats: int, per_chat: int) -> dict[str, list[str]]:
    expected: dict[str, list[str]] = defaultdict(list)
    for i in range(per_chat):
        for c in range(chats):
            text = f"chat {c} reply {i}"
            outbox.enqueue([Reply(text)], Target("telegram", str(c)))
            expected[str(c)].append(text)
    return expected


async def _deliver_all(workers: list[OutboxWorker], outbox: Outbox, total: int, timeout: float = 60) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (await asyncio.to_thread(outbox.counts)).get("sent", 0) < total:
            assert loop.time() < deadline, await asyncio.to_thread(outbox.counts)
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def _by_chat(sent: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for chat, text in sent:
        out[chat].append(text)
    return out


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("pg", marks=pytest.mark.postgres)])
async def test_two_replicas_deliver_each_reply_once_in_order_per_chat(backend: str, request: Any) -> None:
    engine = request.getfixturevalue(f"{backend}_engine")
    outbox = Outbox(engine, lease_s=30)
    expected = _fill(outbox, chats=12, per_chat=10)
    channels = [RecordingChannel(fail_rate=0.2), RecordingChannel(fail_rate=0.2)]
    workers = [OutboxWorker(Outbox(engine, lease_s=30), FakeHub(ch), owner=f"replica-{i}", idle_s=0.05)
               for i, ch in enumerate(channels)]
    for w in workers:  # retries come quickly in a test
        w.outbox.retry_later = _quick_retry(w.outbox)  # type: ignore[method-assign]
    await _deliver_all(workers, outbox, total=120)
    sent = channels[0].sent + channels[1].sent
    assert len(sent) == 120 and len(set(sent)) == 120  # every reply once
    assert channels[0].sent and channels[1].sent  # both replicas delivered
    for ch in channels:  # each replica's own sends are in order per chat...
        for chat, texts in _by_chat(ch.sent).items():
            assert texts == sorted(texts, key=expected[chat].index)
    assert _sent_order_matches(engine, expected)  # ...and so is the whole chat, across replicas


def _quick_retry(outbox: Outbox) -> Any:
    original = outbox.retry_later

    def retry(row_id: int, wait_s: float, reason: str) -> None:
        original(row_id, min(wait_s, 0.05), reason)

    return retry


def _sent_order_matches(engine: Engine, expected: dict[str, list[str]]) -> bool:
    """In the database, each chat's rows were marked sent in their own order (sent_at ascending)."""
    from sqlalchemy import select

    from handlers.outbox import reply_from_json

    with engine.connect() as conn:
        rows = conn.execute(select(TABLE.c.chat_id, TABLE.c.payload, TABLE.c.sent_at, TABLE.c.id)
                            .order_by(TABLE.c.sent_at, TABLE.c.id)).all()
    seen: dict[str, list[str]] = defaultdict(list)
    for chat, payload, _, _ in rows:
        seen[str(chat)].append(reply_from_json(payload).text)
    return dict(seen) == dict(expected)


async def test_rows_left_by_a_killed_process_are_sent_at_the_next_start(sqlite_engine: Engine) -> None:
    outbox = Outbox(sqlite_engine, lease_s=3600)
    expected = _fill(outbox, chats=3, per_chat=2)
    dead = f"{socket.gethostname()}:{_dead_pid()}:outbox"
    claimed = outbox.claim(dead, limit=10)
    assert len(claimed) == 3  # one head per chat, leased for an hour by a process that is gone
    channel = RecordingChannel()
    started = asyncio.get_running_loop().time()
    await _deliver_all([OutboxWorker(outbox, FakeHub(channel), idle_s=0.05)], outbox, total=6)
    assert asyncio.get_running_loop().time() - started < 10  # not after the lease
    assert _by_chat(channel.sent) == expected


async def test_a_notification_with_a_key_is_queued_once(sqlite_engine: Engine) -> None:
    outbox = Outbox(sqlite_engine)
    target = Target("telegram", "5")
    assert outbox.enqueue([Reply("approved", target=target)], dedup_key="booking:1:approved") == 1
    assert outbox.enqueue([Reply("approved", target=target)], dedup_key="booking:1:approved") == 0
    assert outbox.counts() == {"pending": 1}


async def test_old_rows_expire_instead_of_being_retried_forever(sqlite_engine: Engine) -> None:
    outbox = Outbox(sqlite_engine, max_age=timedelta(hours=1))
    outbox.enqueue([Reply("late")], Target("telegram", "1"))
    with sqlite_engine.begin() as conn:
        conn.execute(update(TABLE).values(created_at=utcnow() - timedelta(hours=2)))
    row = outbox.claim("me")[0]
    outbox.retry_later(row.id, 1.0, "HTTP 502")
    assert outbox.counts() == {"expired": 1}


# ---- through real aiogram and the fake Bot API ---------------------------------------------

@contextlib.asynccontextmanager
async def durable_bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[tuple[Hub, Outbox]]:
    """Polling through the inbox, replies through the outbox, as `civicbot run` wires them."""
    dialog = make_dialog(tmp_path)
    engine = dialog.states.engine
    outbox = Outbox(engine)
    hub = Hub(dialog, workers=4, outbox=outbox)
    channel = TelegramChannel(hub, api.token, api_base=api.base_url, polling_timeout=1, backoff_base_s=0.05,
                              polling_backoff_s=0.1, max_attempts=3)
    channel.inbox = SqlInbox(engine, "telegram", idle_s=0.05)
    worker = OutboxWorker(outbox, hub, idle_s=0.05)
    worker.outbox.retry_later = _quick_retry(outbox)  # type: ignore[method-assign]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(channel.run(stop)), asyncio.create_task(worker.run(stop))]
    try:
        yield hub, outbox
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)
        hub.close()


async def test_replies_survive_a_storm_of_429_and_500(tmp_path: Path) -> None:
    """Issue 11 item 6, scaled down (the benchmark runs 200 questions under 300×429 + 150×500)."""
    async with FakeBotAPI() as api:
        api.fail("sendMessage", "429", times=60, retry_after=1)
        api.fail("sendMessage", "5xx", times=30, status=500)
        chats = list(range(101, 111))
        async with durable_bot(api, tmp_path) as (_, outbox):
            for round_ in range(4):
                for chat in chats:
                    api.send_text(chat, f"bảo hiểm y tế {round_}?")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 90
            while (await asyncio.to_thread(outbox.counts)).get("pending", 0) or not api.sent():
                assert loop.time() < deadline, await asyncio.to_thread(outbox.counts)
                await asyncio.sleep(0.1)
        counts = outbox.counts()
        assert counts.get("pending", 0) == 0 and set(counts) == {"sent"}
        assert not api.failures["sendMessage"]  # the whole storm went through
        per_chat = _rows_per_chat(outbox.engine)
        for chat in chats:  # every question answered, each reply sent exactly once
            assert len(api.sent(chat)) == per_chat[str(chat)] >= 4
        assert len(api.sent()) == counts["sent"]


def _rows_per_chat(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func, select

    with engine.connect() as conn:
        return {str(c): int(n) for c, n in conn.execute(
            select(TABLE.c.chat_id, func.count()).group_by(TABLE.c.chat_id)).all()}


async def test_a_blocked_user_is_recorded_and_does_not_hold_up_others(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        api.blocked.add("201")
        async with durable_bot(api, tmp_path) as (_, outbox):
            api.send_text(201, "bảo hiểm y tế?")
            api.send_text(202, "bảo hiểm y tế?")
            await api.wait_sent(202, 1, timeout=10)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while (await asyncio.to_thread(outbox.counts)).get("undeliverable", 0) < 1:
                assert loop.time() < deadline
                await asyncio.sleep(0.05)
        with outbox.engine.connect() as conn:
            from sqlalchemy import select

            errors = conn.execute(select(TABLE.c.error).where(TABLE.c.status == "undeliverable")).scalars().all()
        assert errors and all("blocked" in e for e in errors)
        assert len(api.calls_of("sendMessage")) == len(api.sent()) + len(errors)  # tried once, not retried


def test_metrics_show_outbox_rows_by_status(sqlite_engine: Engine) -> None:
    from bot.metrics import Metrics

    outbox = Outbox(sqlite_engine)
    outbox.enqueue([Reply("a"), Reply("b")], Target("telegram", "1"))
    outbox.mark_undeliverable(outbox.claim("me")[0].id, "forbidden: bot was blocked by the user")
    hub = FakeHub(RecordingChannel())
    hub.latencies_ms = []  # type: ignore[attr-defined]
    body, _ = Metrics(hub, engine=sqlite_engine).render()
    assert b'civicbot_outbox_rows{status="pending"} 1.0' in body
    assert b'civicbot_outbox_rows{status="undeliverable"} 1.0' in body
