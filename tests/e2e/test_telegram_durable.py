"""The Telegram conversations of test_telegram_dialog.py again, wired as `civicbot run` wires them:
polled updates through the inbox, replies through the outbox and its delivery worker, four dialog
workers. Handoff bookkeeping (sent message ids), duplicates and per-chat order must hold there too."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

import tests.e2e.test_telegram_dialog as plain
from tests.e2e.telegram_kit import running
from tests.fakes.bot_api import FakeBotAPI

CONVERSATIONS: list[Callable[[FakeBotAPI, Path], Awaitable[None]]] = [
    plain.test_start_registers_commands_and_greets_in_user_language,
    plain.test_question_answered_with_escaped_source_and_feedback,
    plain.test_abstention_handoff_and_staff_reply_relayed,
    plain.test_duplicate_update_is_handled_once,
    plain.test_replies_keep_per_chat_order_across_concurrent_chats,
]


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda f: f.__name__.removeprefix("test_"))
async def test_conversation_through_inbox_and_outbox(
    conversation: Callable[[FakeBotAPI, Path], Awaitable[None]], api: FakeBotAPI, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plain, "running", functools.partial(running, durable=True))
    await conversation(api, tmp_path)
