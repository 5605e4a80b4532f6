"""A durable inbox: updates are stored before they are confirmed to the platform, then handled.

`SqlInbox` (the default, no Redis needed) keeps polled updates (Telegram long polling, Zalo Bot
polling): each batch is written (`put_many`, one row per update key: a re-delivered update is
stored once) before the next `getUpdates` confirms it; every replica claims pending rows in order
with a lease and marks them done after the hub has handled them (replies durable in the outbox).
A replica that dies leaves its rows leased; they are released at the next start on the same host
or taken over when the lease expires elsewhere.

`RedisInbox` is for webhooks that must be acknowledged before the work is done (Zalo OA: 2 s).

An accepted event is first written to a Redis stream (`XADD`), then the webhook answers 200. Every
replica reads the stream in one consumer group (`XREADGROUP`), handles the event and acknowledges it
(`XACK` + `XDEL`). An event read by a replica that dies before acknowledging stays pending; after
`claim_after_s` another replica takes it over (`XAUTOCLAIM`) and handles it. So an accepted event is
never lost to a crash — at worst (a crash after the replies went out but before `XACK`) it is
handled twice, the usual at-least-once trade-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from handlers.jsondata import JsonObject
from handlers.leases import release_dead
from handlers.reliability_models import InboxRow
from knowledge.models import utcnow

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

Handler = Callable[[JsonObject], Awaitable[None]]
StreamEntries = Sequence[tuple[bytes | str, Mapping[bytes | str, bytes | str] | None]]
"""Entries of a Redis stream as the client returns them: (id, fields), fields None once deleted."""
StreamReply = Sequence[tuple[bytes | str, StreamEntries]]
"""`XREADGROUP` in the client's default protocol (RESP2): [(stream, entries), ...]."""


class RetryLater(Exception):
    """Raised by a handler: leave the entry pending; it is claimed and tried again after `claim_after_s`."""


class RedisInbox:
    def __init__(
        self,
        client: Redis,
        stream: str = "civicbot:inbox:zalo_oa",
        *,
        group: str = "replicas",
        consumer: str | None = None,
        claim_after_s: float = 30.0,
        batch: int = 32,
        block_ms: int = 1000,
        max_len: int = 100_000,
    ) -> None:
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}"
        self.claim_after_s = claim_after_s
        self.batch = batch
        self.block_ms = block_ms
        self.max_len = max_len
        self._tasks: set[asyncio.Task[None]] = set()

    def put(self, payload: JsonObject) -> str:
        """Store one accepted event durably (call before acknowledging the webhook)."""
        entry_id = self.client.xadd(
            self.stream, {"event": json.dumps(payload, ensure_ascii=False)}, maxlen=self.max_len, approximate=True
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except Exception as exc:  # BUSYGROUP: it exists already
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self) -> list[tuple[str, JsonObject]]:
        answer = self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=self.batch,
                                        block=self.block_ms)
        return [entry for _, entries in cast(StreamReply | None, answer) or [] for entry in _decode(entries)]

    def claim_stale(self) -> list[tuple[str, JsonObject]]:
        """Entries another consumer read but never acknowledged within `claim_after_s`."""
        answer = self.client.xautoclaim(self.stream, self.group, self.consumer,
                                        min_idle_time=int(self.claim_after_s * 1000), start_id="0-0", count=self.batch)
        return _decode(cast(StreamEntries, answer[1])) if answer else []

    def ack(self, entry_id: str) -> None:
        pipe = self.client.pipeline()
        pipe.xack(self.stream, self.group, entry_id)
        pipe.xdel(self.stream, entry_id)
        pipe.execute()

    def pending(self) -> int:
        info = self.client.xpending(self.stream, self.group)
        return int(info.get("pending", 0)) if isinstance(info, dict) else 0

    async def run(self, handler: Handler, stop: asyncio.Event) -> None:
        """Handle entries until `stop`; then wait for the ones in progress."""
        await asyncio.to_thread(self.ensure_group)
        loop = asyncio.get_running_loop()
        next_claim = 0.0
        while not stop.is_set():
            try:
                entries = await asyncio.to_thread(self.read)
                if loop.time() >= next_claim:
                    entries += await asyncio.to_thread(self.claim_stale)
                    next_claim = loop.time() + max(self.claim_after_s / 3, 0.05)
            except Exception as exc:  # Redis briefly unreachable: retry, the entries stay in the stream
                log.warning("inbox %s: %s", self.stream, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
                continue
            for entry_id, payload in entries:
                task = asyncio.create_task(self._handle(handler, entry_id, payload))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _handle(self, handler: Handler, entry_id: str, payload: JsonObject) -> None:
        try:
            await handler(payload)
        except RetryLater:
            return
        except Exception:  # a poison event must not block the inbox: log it and drop it
            log.exception("inbox %s: handling %s failed; dropped", self.stream, entry_id)
        await asyncio.to_thread(self.ack, entry_id)


def _decode(entries: StreamEntries | None) -> list[tuple[str, JsonObject]]:
    out: list[tuple[str, JsonObject]] = []
    for entry_id, fields in entries or []:
        if not fields:  # deleted meanwhile
            continue
        raw = fields.get(b"event") or fields.get("event")
        key = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        try:
            payload = json.loads(raw) if raw is not None else None
        except (TypeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            log.error("inbox entry %s is not a JSON object; dropped", key)
            payload = {}
        out.append((key, payload))
    return out


class SqlInbox:
    """Polled updates in the `inbox` table (see the module docstring)."""

    def __init__(self, engine: Engine, stream: str, *, owner: str | None = None, lease_s: float = 300.0,
                 batch: int = 64, idle_s: float = 0.5, max_inflight: int = 512,
                 keep: timedelta = timedelta(days=2)) -> None:
        self.engine = engine
        self.stream = stream
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:inbox"
        self.lease_s = lease_s
        self.batch = batch
        self.idle_s = idle_s
        self.max_inflight = max_inflight
        self.keep = keep
        self.table: Table = InboxRow.__table__  # type: ignore[attr-defined]
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def put(self, payload: JsonObject, key: str | None = None) -> None:
        self.put_many([(key or json.dumps(payload, sort_keys=True)[:180], payload)])

    def put_many(self, items: Sequence[tuple[str, JsonObject]]) -> int:
        """Store updates durably, each once per key; returns how many were new. Call before confirming."""
        new = 0
        now = utcnow()
        with self.engine.begin() as conn:
            known = set(conn.execute(select(self.table.c.key).where(
                self.table.c.key.in_([f"{self.stream}:{k}" for k, _ in items]))).scalars())
            for key, payload in items:
                full = f"{self.stream}:{key}"
                if full in known:
                    continue
                known.add(full)
                conn.execute(insert(self.table).values(key=full, stream=self.stream, status="pending", attempts=0,
                                                       payload=json.dumps(payload, ensure_ascii=False),
                                                       created_at=now))
                new += 1
        if new and self._wake is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        return new

    def claim(self, limit: int) -> list[tuple[int, JsonObject]]:
        now = utcnow()
        t = self.table
        free = or_(t.c.lease_until.is_(None), t.c.lease_until < now)
        query = (select(t.c.id, t.c.payload).where(t.c.stream == self.stream, t.c.status == "pending", free)
                 .order_by(t.c.id).limit(limit))
        out: list[tuple[int, JsonObject]] = []
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row_id, raw in conn.execute(query).all():
                got = conn.execute(update(t).where(t.c.id == row_id, t.c.status == "pending", free).values(
                    lease_until=now + timedelta(seconds=self.lease_s), owner=self.owner,
                    attempts=t.c.attempts + 1)).rowcount
                if got:
                    try:
                        payload = json.loads(raw)
                    except ValueError:
                        payload = {}
                    out.append((int(row_id), payload if isinstance(payload, dict) else {}))
        return out

    def ack(self, row_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(self.table).where(self.table.c.id == row_id).values(
                status="done", lease_until=None))

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(
                self.table.c.stream == self.stream, self.table.c.status == "pending")).scalar() or 0)

    def prune(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.status == "done",
                                                  self.table.c.created_at < utcnow() - self.keep))

    async def run(self, handler: Handler, stop: asyncio.Event) -> None:
        """Handle stored updates in order until `stop`; then let the ones in progress finish."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        with contextlib.suppress(Exception):
            dead = await asyncio.to_thread(release_dead, self.engine, self.table, self.table.c.stream == self.stream)
            if dead:
                log.warning("inbox %s: took over the updates of stopped process(es) %s", self.stream, dead)
            await asyncio.to_thread(self.prune)
        while not stop.is_set():
            self._wake.clear()
            free = min(self.batch, self.max_inflight - len(self._inflight))
            entries: list[tuple[int, JsonObject]] = []
            if free > 0:
                try:
                    entries = await asyncio.to_thread(self.claim, free)
                except Exception as exc:  # the database briefly unreachable: the rows wait
                    log.warning("inbox %s: %s", self.stream, exc)
            for row_id, payload in entries:
                if row_id in self._inflight:
                    continue
                self._inflight.add(row_id)
                task = asyncio.create_task(self._handle(handler, row_id, payload))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if len(entries) < free or free <= 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_s)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    async def _handle(self, handler: Handler, row_id: int, payload: JsonObject) -> None:
        try:
            try:
                await handler(payload)
            except RetryLater:
                return
            except Exception:  # a poison update must not block the inbox: log it, mark it done
                log.exception("inbox %s: handling row %s failed; dropped", self.stream, row_id)
            await asyncio.to_thread(self.ack, row_id)
        except Exception:
            log.exception("inbox %s: acknowledging row %s failed (it will be handled again)", self.stream, row_id)
        finally:
            self._inflight.discard(row_id)
            if self._wake is not None:
                self._wake.set()
