"""Fixtures shared by the integration tests: the local Redis and a unique key prefix per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.redis_server import key_prefix, redis_client


@pytest.fixture()
def client() -> Iterator[Any]:
    yield from redis_client()


@pytest.fixture()
def prefix(client: Any) -> Iterator[str]:
    yield from key_prefix(client)
