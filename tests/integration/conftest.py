"""Fixtures shared by the integration tests: the local Redis and a unique key prefix per test."""

from __future__ import annotations

import os
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


def dead_pid() -> int:
    """A process id no process has on this machine (a replica that died)."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1
