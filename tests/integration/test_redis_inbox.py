"""The durable inbox (Redis stream + consumer group) and the Zalo OA channel on it, on the real Redis."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.zalo_oa_channel import SIGNATURE_HEADER, ZaloOAChannel, signature
from bot.inbox import RedisInbox, RetryLater
from tests.e2e.test_zalo_oa import OA_SECRET, Replica, event
from tests.fakes.zalo_api import FakeZalo

redis = pytest.importorskip("redis")
pytestmark = pytest.mark.redis


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def run_until(inbox: RedisInbox, handler: Any, done: Any, timeout: float = 10.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(inbox.run(handler, stop))
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert done()


async def test_entries_handled_and_acknowledged(client: Any, prefix: str) -> None:
    inbox = RedisInbox(client, prefix + "inbox", block_ms=50)
    for i in range(3):
        inbox.put({"n": i})
    seen: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload["n"])

    await run_until(inbox, handler, lambda: len(seen) == 3)
    assert sorted(seen) == [0, 1, 2]
    assert inbox.pending() == 0 and client.xlen(prefix + "inbox") == 0


async def test_entry_of_a_dead_consumer_is_claimed_by_another(client: Any, prefix: str) -> None:
    dead = RedisInbox(client, prefix + "inbox", consumer="dead", block_ms=50)
    dead.ensure_group()
    dead.put({"n": 1})
    assert [p for _, p in dead.read()] == [{"n": 1}]  # read, then the replica dies without XACK
    live = RedisInbox(client, prefix + "inbox", consumer="live", claim_after_s=0.2, block_ms=50)
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    await run_until(live, handler, lambda: seen == [{"n": 1}])
    assert live.pending() == 0


async def test_retry_later_leaves_the_entry_for_a_second_try(client: Any, prefix: str) -> None:
    inbox = RedisInbox(client, prefix + "inbox", claim_after_s=0.2, block_ms=50)
    inbox.put({"n": 7})
    tries: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        tries.append(payload["n"])
        if len(tries) == 1:
            raise RetryLater()

    await run_until(inbox, handler, lambda: len(tries) == 2)
    assert tries == [7, 7] and inbox.pending() == 0


async def test_oa_accepted_event_survives_a_replica_dying_after_the_ack(
    tmp_path: Path, fake: FakeZalo, client: Any, prefix: str
) -> None:
    """Replica A acknowledges, reads the event and dies; replica B claims and answers it, once."""
    from handlers.state_redis import RedisDeduper

    a, b = Replica(tmp_path, fake), Replica(tmp_path, fake)
    for r, name in ((a, "a"), (b, "b")):
        r.channel.inbox = RedisInbox(client, prefix + "inbox", consumer=name, claim_after_s=0.3, block_ms=50)
        r.channel.deduper = RedisDeduper(client, prefix=prefix)
    await a.start()
    try:
        body = event("/help", msg_id="evt-1")
        fake.user_message("u1", "evt-1")  # Zalo knows the message its webhook reports
        headers = {SIGNATURE_HEADER: "mac=" + signature("app-1", body, json.loads(body)["timestamp"], OA_SECRET)}
        async with aiohttp.ClientSession() as http:
            for _ in range(2):  # Zalo delivers it twice
                async with http.post(a.url, data=body, headers=headers) as resp:
                    assert resp.status == 200 and (await resp.json())["message"] == "accepted"
        a_inbox = a.channel.inbox
        assert a_inbox is not None
        a_inbox.ensure_group()
        assert len(a_inbox.read()) == 2  # taken by A, which is killed before handling them
        assert fake.oa_sent == []
        b_inbox = b.channel.inbox
        assert isinstance(b.channel, ZaloOAChannel) and b_inbox is not None

        def answered() -> bool:
            return len(fake.oa_sent) >= 2 and b_inbox.pending() == 0

        await run_until(b_inbox, b.channel.handle_event, answered)
        await asyncio.sleep(0.3)
        assert len(fake.oa_sent) == 2  # help + menu: handled once despite two deliveries
    finally:
        await a.stop()
        await b.stop()
