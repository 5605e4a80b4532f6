"""A durable inbox for webhooks that must be acknowledged before the work is done (Zalo OA: 2 s).

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
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class RetryLater(Exception):
    """Raised by a handler: leave the entry pending; it is claimed and tried again after `claim_after_s`."""


class RedisInbox:
    def __init__(
        self,
        client: Any,
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
        self._tasks: set[asyncio.Task[Any]] = set()

    def put(self, payload: dict[str, Any]) -> str:
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

    def read(self) -> list[tuple[str, dict[str, Any]]]:
        answer = self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=self.batch,
                                        block=self.block_ms)
        return [entry for _, entries in answer or [] for entry in _decode(entries)]

    def claim_stale(self) -> list[tuple[str, dict[str, Any]]]:
        """Entries another consumer read but never acknowledged within `claim_after_s`."""
        answer = self.client.xautoclaim(self.stream, self.group, self.consumer,
                                        min_idle_time=int(self.claim_after_s * 1000), start_id="0-0", count=self.batch)
        return _decode(answer[1]) if answer else []

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

    async def _handle(self, handler: Handler, entry_id: str, payload: dict[str, Any]) -> None:
        try:
            await handler(payload)
        except RetryLater:
            return
        except Exception:  # a poison event must not block the inbox: log it and drop it
            log.exception("inbox %s: handling %s failed; dropped", self.stream, entry_id)
        await asyncio.to_thread(self.ack, entry_id)


def _decode(entries: Any) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for entry_id, fields in entries or []:
        if not fields:  # deleted meanwhile
            continue
        raw = fields.get(b"event") or fields.get("event")
        key = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        try:
            payload = json.loads(raw)
        except (TypeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            log.error("inbox entry %s is not a JSON object; dropped", key)
            payload = {}
        out.append((key, payload))
    return out
