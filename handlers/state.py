"""Conversation state, duplicate-update detection and flood control, behind small ports.

Implementations: in memory (tests, one process), SQL (the default: survives a restart),
Redis (`handlers/state_redis.py`, for several replicas).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Literal, Protocol, runtime_checkable

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from handlers.jsondata import JsonObject
from handlers.models import DialogStateRow, ProcessedUpdate
from knowledge.models import utcnow


class DialogStateStore(Protocol):
    def get(self, key: str) -> JsonObject | None: ...
    def set(self, key: str, value: JsonObject) -> None: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix` (one user's conversations); returns how many."""
        ...

    def delete_legacy(self) -> int:
        """Delete conversations keyed by raw messenger ids (written before keys were pseudonyms);
        returns how many. 0 where there can be none (SQL rows were converted by a migration)."""
        ...


class Deduper(Protocol):
    def first_time(self, key: str) -> bool:
        """True the first time a key is seen (atomically, across replicas for shared stores)."""
        ...


ClaimResult = Literal["new", "pending", "done"]


@runtime_checkable
class Leases(Protocol):
    """A deduper that also leases keys across replicas (handlers/state_redis.py `RedisDeduper`), for
    webhooks acknowledged only after the work is done: `claim` → "new" (yours: handle it, then
    `complete` or `release`), "pending" (another worker is on it), "done" (handled already)."""

    def claim(self, key: str, lease_s: int | None = None) -> ClaimResult: ...
    def complete(self, key: str) -> None: ...
    def release(self, key: str) -> None: ...


class RateLimiter(Protocol):
    def allow(self, key: str) -> bool: ...
    def forget(self, key: str) -> None: ...


class MemoryStateStore:
    def __init__(self) -> None:
        self._data: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> JsonObject | None:
        with self._lock:
            raw = self._data.get(key)
        return json.loads(raw) if raw is not None else None

    def set(self, key: str, value: JsonObject) -> None:
        raw = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._data[key] = raw

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def delete_prefix(self, prefix: str) -> int:
        with self._lock:
            keys = [k for k in self._data if k.startswith(prefix)]
            for k in keys:
                del self._data[k]
        return len(keys)

    def delete_legacy(self) -> int:
        return 0  # a process's memory holds no keys of an older version


class SqlStateStore:
    """One row per conversation; single Core statements (this runs on every update)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table: Table = DialogStateRow.__table__  # type: ignore[attr-defined]

    def get(self, key: str) -> JsonObject | None:
        with self.engine.connect() as conn:
            raw = conn.execute(select(self.table.c.data).where(self.table.c.key == key)).scalar()
        return json.loads(raw) if raw is not None else None

    def set(self, key: str, value: JsonObject) -> None:
        raw = json.dumps(value, ensure_ascii=False)
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(self.table).where(self.table.c.key == key).values(data=raw, updated_at=utcnow())
            ).rowcount
            if not changed:
                conn.execute(insert(self.table).values(key=key, data=raw, updated_at=utcnow()))

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.key == key))

    def delete_prefix(self, prefix: str) -> int:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self.engine.begin() as conn:
            return int(conn.execute(delete(self.table).where(self.table.c.key.like(pattern, escape="\\"))).rowcount)

    def delete_legacy(self) -> int:
        return 0  # migrations/versions/0003_privacy.py converted (or dropped) the rows keyed by raw ids


class MemoryDeduper:
    def __init__(self, capacity: int = 100_000) -> None:
        self._seen: set[str] = set()
        self._order: deque[str] = deque()
        self._capacity = capacity
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            self._order.append(key)
            if len(self._order) > self._capacity:
                self._seen.discard(self._order.popleft())
            return True


class SqlDeduper:
    """Inserts the key; a primary-key violation means another worker already took it."""

    def __init__(self, engine: Engine, keep: timedelta = timedelta(days=2)) -> None:
        self.engine = engine
        self.keep = keep
        self.table: Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
        self._inserts = 0

    def first_time(self, key: str) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(self.table).values(key=key, created_at=utcnow()))
        except IntegrityError:
            return False
        self._inserts += 1
        if self._inserts % 1000 == 0:
            self._prune()
        return True

    def _prune(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.created_at < utcnow() - self.keep))


class MemoryRateLimiter:
    """A sliding window: at most `limit` messages per `window_s` seconds per key."""

    def __init__(self, limit: int = 30, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
