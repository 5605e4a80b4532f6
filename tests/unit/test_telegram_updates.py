"""Telegram update → Incoming mapping and Reply → parts/keyboard (pure functions, no network)."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import CallbackQuery, Message

from bot.channels.telegram_updates import (
    callback_to_incoming,
    html_to_plain,
    keyboard,
    message_to_incoming,
    text_parts,
)
from handlers.messages import Choice, Reply

USER = {"id": 42, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn", "language_code": "vi"}


def message(**content: Any) -> Message:
    chat = content.pop("chat", {"id": 42, "type": "private"})
    return Message.model_validate({"message_id": 5, "date": 0, "chat": chat, "from": USER, **content})


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"sticker": {"file_id": "S", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                      "is_animated": False, "is_video": False}}, "sticker"),
        ({"voice": {"file_id": "V", "file_unique_id": "v", "duration": 1}}, "voice"),
        ({"video": {"file_id": "W", "file_unique_id": "w", "width": 1, "height": 1, "duration": 1}}, "video"),
        ({"location": {"latitude": 1.0, "longitude": 2.0}}, "location"),
        ({"venue": {"location": {"latitude": 1.0, "longitude": 2.0}, "title": "UBND", "address": "x"},
          "location": {"latitude": 1.0, "longitude": 2.0}}, "location"),
        ({"contact": {"phone_number": "+84", "first_name": "A"}}, "contact"),
        ({"dice": {"emoji": "🎲", "value": 3}}, "other"),
    ],
)
def test_media_kinds(content: dict[str, Any], kind: str) -> None:
    incoming = message_to_incoming(message(**content), 9)
    assert incoming is not None and incoming.kind == kind and incoming.update_id == "9"


def test_text_command_reply_and_user_fields() -> None:
    reply_to = {"message_id": 3, "date": 0, "chat": {"id": -100, "type": "supergroup"}, "text": "Câu hỏi #12"}
    incoming = message_to_incoming(
        message(text="/start@civic_bot ref", chat={"id": -100, "type": "supergroup"}, reply_to_message=reply_to), 1,
    )
    assert incoming is not None
    assert (incoming.kind, incoming.command, incoming.command_args) == ("command", "start", "ref")
    assert (incoming.chat_id, incoming.user_id, incoming.language_code) == ("-100", "42", "vi")
    assert (incoming.reply_to_message_id, incoming.reply_to_text, incoming.is_group) == ("3", "Câu hỏi #12", True)
    assert incoming.user_name == "Lan Nguyễn" and incoming.message_id == "5"


def test_document_and_photo_attachments() -> None:
    doc = message(document={"file_id": "D", "file_unique_id": "d", "file_name": "a.pdf",
                            "mime_type": "application/pdf", "file_size": 10}, caption="xem")
    incoming = message_to_incoming(doc, 2)
    assert incoming is not None and incoming.kind == "document" and incoming.caption == "xem"
    assert incoming.attachment is not None and incoming.attachment.file_name == "a.pdf"
    photo = message(photo=[{"file_id": "small", "file_unique_id": "1", "width": 90, "height": 90},
                           {"file_id": "big", "file_unique_id": "2", "width": 900, "height": 900}])
    got = message_to_incoming(photo, 3)
    assert got is not None and got.kind == "photo" and got.attachment is not None
    assert got.attachment.file_ref == "big"


def test_service_messages_are_not_answered() -> None:
    joined = message(new_chat_members=[USER], chat={"id": -100, "type": "supergroup"})
    assert message_to_incoming(joined, 4) is None


def test_callback_mapping_and_unroutable_callbacks() -> None:
    base = {"id": "q1", "from": USER, "chat_instance": "c",
            "message": {"message_id": 8, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "menu"}}
    incoming = callback_to_incoming(CallbackQuery.model_validate({**base, "data": "menu:help"}), 11)
    assert incoming is not None
    assert (incoming.kind, incoming.callback, incoming.message_id) == ("callback", "menu:help", "8")
    assert callback_to_incoming(CallbackQuery.model_validate(base), 12) is None  # a game button: no data
    inline = {k: v for k, v in base.items() if k != "message"} | {"data": "x", "inline_message_id": "i"}
    assert callback_to_incoming(CallbackQuery.model_validate(inline), 13) is None


def test_keyboard_rows_and_url_buttons() -> None:
    reply = Reply("t", choices=[[Choice("A", "a:1"), Choice("Web", "w", url="https://x.org")], []])
    markup = keyboard(reply)
    assert markup is not None and len(markup.inline_keyboard) == 1
    a, web = markup.inline_keyboard[0]
    assert (a.callback_data, a.url, web.url, web.callback_data) == ("a:1", None, "https://x.org", None)
    assert keyboard(Reply("no buttons")) is None


def test_text_parts_escape_after_splitting() -> None:
    text = ("A & B. " * 1000).strip()
    parts = text_parts(Reply(text))
    assert len(parts) == 2 and all(len(html_to_plain(p)) <= 4096 for p in parts)
    assert all(p.endswith(".") and "&amp;" in p and " & " not in p for p in parts)
    assert html_to_plain(" ".join(parts)) == text
    assert text_parts(Reply("<b>ok</b>", html=True)) == ["<b>ok</b>"]
