"""Redis implementations of the conversation ports, shared by every replica (REDIS_URL).

- :class:`RedisStateStore`: dialog state as JSON under one key per (channel, chat, user) — keys are
  keyed pseudonyms (handlers/pseudonym.py), never raw messenger ids — with a TTL
  refreshed on every write (an idle conversation is forgotten after `ttl_s`).
- :class:`RedisDeduper`: `first_time(key)` is one `SET NX EX` (atomic across replicas). For webhooks
  answered only after the work is done ("ack after commit"), `claim` / `complete` / `release` give a
  lease: a replica that dies mid-update leaves a `pending` mark that expires after `lease_s`, so the
  platform's retry is handled by another replica instead of being dropped as a duplicate.
- :class:`RedisRateLimiter`: a sliding window per key (a sorted set of hit times), checked and
  updated atomically by one Lua script using the Redis server's clock (replicas agree on time).

Every key starts with `prefix` (default `civicbot:`) so deployments and tests can share a server.
The client is a synchronous `redis.Redis` (the dialog runs in worker threads).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from handlers.jsondata import JsonObject
from handlers.state import ClaimResult

if TYPE_CHECKING:
    from redis import Redis


_CLAIM = """
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'pending', 'EX', ARGV[1])
  return 'new'
end
return v
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == 'pending' then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_SLIDING_WINDOW = """
local now
if ARGV[4] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[4])
end
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""

DEFAULT_PREFIX = "civicbot:"
_PSEUDONYMOUS = re.compile(r"[a-z_]+:[0-9a-f]{32}:[0-9a-f]{32}")
"""A state key made by handlers.pseudonym.Pseudonyms.state_key."""


class RedisStateStore:
    """Dialog state, one JSON string per key, expiring `ttl_s` after the last write (default 30 days)."""

    def __init__(self, client: Redis, *, prefix: str = DEFAULT_PREFIX, ttl_s: int = 30 * 24 * 3600) -> None:
        self.client = client
        self.prefix = prefix + "state:"
        self.ttl_s = ttl_s

    def get(self, key: str) -> JsonObject | None:
        raw = self.client.get(self.prefix + key)
        if raw is None:
            return None
        value = json.loads(raw)
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: JsonObject) -> None:
        self.client.set(self.prefix + key, json.dumps(value, ensure_ascii=False), ex=self.ttl_s)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every state key starting with `prefix` (SCAN, then DEL in batches)."""
        return self._delete_matching(self.prefix + _glob_escape(prefix) + "*")

    def delete_legacy(self) -> int:
        """Delete state keys written before keys were pseudonyms (`<channel>:<raw chat>:<raw user>`)."""
        return self._delete_matching(self.prefix + "*", keep=_PSEUDONYMOUS.fullmatch)

    def _delete_matching(self, pattern: str, keep: Callable[[str], object] | None = None) -> int:
        removed = 0
        batch: list[bytes | str] = []
        for key in self.client.scan_iter(match=pattern, count=500):
            if keep is not None:
                text = key.decode() if isinstance(key, bytes) else str(key)
                if keep(text[len(self.prefix):]):
                    continue
            batch.append(key)
            if len(batch) >= 500:
                removed += int(self.client.delete(*batch))
                batch = []
        if batch:
            removed += int(self.client.delete(*batch))
        return removed


class RedisDeduper:
    """Duplicate-update detection shared by replicas.

    `first_time(key)`: True exactly once per key within `ttl_s` (default 2 days).
    Lease protocol (used by the HTTP layer for ack-after-commit webhooks):
    `claim(key)` → "new" (yours: handle it, then `complete` or `release`), "pending" (another worker
    is on it right now: answer "retry later"), "done" (already handled: drop it).
    """

    def __init__(
        self, client: Redis, *, prefix: str = DEFAULT_PREFIX, ttl_s: int = 2 * 24 * 3600, lease_s: int = 30
    ) -> None:
        self.client = client
        self.prefix = prefix + "seen:"
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    def first_time(self, key: str) -> bool:
        return bool(self.client.set(self.prefix + key, "done", nx=True, ex=self.ttl_s))

    def claim(self, key: str, lease_s: int | None = None) -> ClaimResult:
        result = self._claim(keys=[self.prefix + key], args=[lease_s or self.lease_s])
        text = result.decode() if isinstance(result, bytes) else str(result)
        return "new" if text == "new" else ("pending" if text == "pending" else "done")

    def complete(self, key: str) -> None:
        self.client.set(self.prefix + key, "done", ex=self.ttl_s)

    def release(self, key: str) -> None:
        """Give a claimed key back (the work failed here; a retry may be handled anywhere)."""
        self._release(keys=[self.prefix + key])


class RedisRateLimiter:
    """At most `limit` hits per `window_s` seconds per key (sliding window, atomic, server clock).

    `clock_ms`: an optional `() -> int` of milliseconds replacing the server clock (tests).
    """

    def __init__(
        self,
        client: Redis,
        *,
        limit: int = 30,
        window_s: float = 60.0,
        prefix: str = DEFAULT_PREFIX,
        clock_ms: Callable[[], float] | None = None,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("the rate limit needs limit >= 1 and window_s > 0")
        self.client = client
        self.limit = limit
        self.window_ms = max(1, int(window_s * 1000))
        self.prefix = prefix + "rate:"
        self.clock_ms = clock_ms
        self._script = client.register_script(_SLIDING_WINDOW)

    def allow(self, key: str) -> bool:
        now = "" if self.clock_ms is None else str(int(self.clock_ms()))
        member = uuid.uuid4().hex
        return bool(self._script(keys=[self.prefix + key], args=[self.window_ms, self.limit, member, now]))

    def forget(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters so a key prefix matches literally."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)
