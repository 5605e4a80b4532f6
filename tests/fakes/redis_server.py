"""The local Redis (127.0.0.1:6379) for tests: a client, and a unique key prefix cleaned up afterwards.

Without a server the test is skipped locally and FAILS under CI (CI=true), where .ci/run starts
Redis: a missing service must never pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_client() -> Iterator[Any]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield client
    client.close()


def key_prefix(client: Any) -> Iterator[str]:
    prefix = f"test:{uuid.uuid4().hex}:"
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
