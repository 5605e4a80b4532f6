"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.bot_api import FakeBotAPI


@pytest.fixture()
async def api() -> AsyncIterator[FakeBotAPI]:
    """A fake Telegram Bot API on 127.0.0.1 (real HTTP), started for one test."""
    async with FakeBotAPI() as server:
        yield server
