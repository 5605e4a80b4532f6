"""The Redis ports on the real Redis at 127.0.0.1:6379 (each test under its own key prefix)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

redis = pytest.importorskip("redis")

from handlers.dialog import Dialog  # noqa: E402
from handlers.flow import Services  # noqa: E402
from handlers.i18n import Catalog  # noqa: E402
from handlers.messages import Incoming  # noqa: E402
from handlers.pseudonym import Pseudonyms  # noqa: E402
from handlers.state_redis import RedisDeduper, RedisRateLimiter, RedisStateStore  # noqa: E402

pytestmark = pytest.mark.redis


def test_state_round_trip_unicode_ttl_and_delete(client: Any, prefix: str) -> None:
    store = RedisStateStore(client, prefix=prefix, ttl_s=3600)
    assert store.get("zalo_bot:1:1") is None
    value = {"lang": "vi", "flow": "bk", "data": {"note": "Phòng họp — Зал"}, "choices": [["A", "x:a"]]}
    store.set("zalo_bot:1:1", value)
    assert store.get("zalo_bot:1:1") == value
    ttl = client.ttl(prefix + "state:zalo_bot:1:1")
    assert 3500 < ttl <= 3600
    store.delete("zalo_bot:1:1")
    assert store.get("zalo_bot:1:1") is None


def test_two_store_instances_share_state(client: Any, prefix: str) -> None:
    """Two replicas = two clients on one server: a write on one is read on the other."""
    other = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    RedisStateStore(client, prefix=prefix).set("k", {"step": 2})
    assert RedisStateStore(other, prefix=prefix).get("k") == {"step": 2}
    other.close()


def test_dedup_first_time_once_even_under_concurrency(client: Any, prefix: str) -> None:
    dedup = RedisDeduper(client, prefix=prefix)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(dedup.first_time, ["zalo_bot:42"] * 50))
    assert results.count(True) == 1
    assert dedup.first_time("zalo_bot:43") is True
    assert 0 < client.ttl(prefix + "seen:zalo_bot:42") <= 2 * 24 * 3600


def test_dedup_lease_claim_complete_release(client: Any, prefix: str) -> None:
    dedup = RedisDeduper(client, prefix=prefix, lease_s=30)
    assert dedup.claim("u1") == "new"
    assert dedup.claim("u1") == "pending"  # another replica is on it: retry later
    assert dedup.first_time("u1") is False
    dedup.complete("u1")
    assert dedup.claim("u1") == "done"
    dedup.release("u1")  # a completed key is never released
    assert dedup.claim("u1") == "done"
    assert dedup.claim("u2") == "new"
    assert client.ttl(prefix + "seen:u2") <= 30
    dedup.release("u2")  # the work failed: the retry is handled
    assert dedup.claim("u2") == "new"


def test_rate_limit_sliding_window(client: Any, prefix: str) -> None:
    now = [1_000_000]
    limiter = RedisRateLimiter(client, limit=3, window_s=60, prefix=prefix, clock_ms=lambda: now[0])
    assert [limiter.allow("zalo_bot:1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("zalo_bot:2") is True  # per key
    now[0] += 30_000
    assert limiter.allow("zalo_bot:1") is False
    now[0] += 30_001  # the first three hits left the window
    assert [limiter.allow("zalo_bot:1") for _ in range(4)] == [True, True, True, False]


def test_rate_limit_server_clock_is_atomic_across_threads(client: Any, prefix: str) -> None:
    limiter = RedisRateLimiter(client, limit=10, window_s=60, prefix=prefix)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(limiter.allow, ["k"] * 40))
    assert results.count(True) == 10
    assert 0 < client.pttl(prefix + "rate:k") <= 60_000


def test_rate_limit_rejects_bad_config(client: Any) -> None:
    with pytest.raises(ValueError):
        RedisRateLimiter(client, limit=0)


def test_dialog_on_redis_keeps_state_and_drops_duplicates(client: Any, prefix: str) -> None:
    """The dialog on the Redis ports: a language chosen on one 'replica' holds on another; one update once."""

    def make() -> Dialog:
        c = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        return Dialog(
            Catalog.load(), Services(), [], RedisStateStore(c, prefix=prefix),
            deduper=RedisDeduper(c, prefix=prefix), limiter=RedisRateLimiter(c, limit=100, prefix=prefix),
        )

    a, b = make(), make()
    first = a.handle(Incoming("zalo_bot", "7", "7", text="/lang", update_id="m1"))
    assert [c.data for c in first[0].all_choices()] == ["lang:vi", "lang:ru"]
    assert b.handle(Incoming("zalo_bot", "7", "7", text="/lang", update_id="m1")) == []  # duplicate
    out = b.handle(Incoming("zalo_bot", "7", "7", text="2", update_id="m2"))  # digit → 2nd choice
    assert "русский" in out[0].text
    key = Pseudonyms(b"").state_key("zalo_bot", "7", "7")
    assert RedisStateStore(client, prefix=prefix).get(key)["lang"] == "ru"  # type: ignore[index]


async def test_handle_once_releases_the_lease_when_the_work_fails(client: Any, prefix: str) -> None:
    """A failure inside this replica gives the update back, so the platform's retry is handled."""
    from bot.once import handle_once

    class FlakyHub:
        def __init__(self) -> None:
            self.seen: list[Incoming] = []

        async def process(self, msg: Incoming) -> list[Any]:
            self.seen.append(msg)
            if len(self.seen) == 1:
                raise ConnectionError("the platform went away")
            return []

    hub, dedup = FlakyHub(), RedisDeduper(client, prefix=prefix)
    msg = Incoming("zalo_bot", "1", "1", text="hi", update_id="u-9")
    with pytest.raises(ConnectionError):
        await handle_once(hub, msg, dedup)
    assert await handle_once(hub, msg, dedup) == "done"  # the retry is handled, not dropped
    assert await handle_once(hub, msg, dedup) == "duplicate"
    assert [m.update_id for m in hub.seen] == [None, None]  # the dialog never re-checks the key
