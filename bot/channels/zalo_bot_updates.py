"""Zalo Bot Platform updates as neutral Incoming messages.

An update has an `event_name` and a `message` with `from.id`, `chat.id`, `chat.chat_type`
(PRIVATE or GROUP), `message_id`, `date` (ms) and, by event, `text`, `photo_url`, `voice_url`,
`sticker` or `caption` (field names as in Zalo's Bot Platform documentation and the official SDK
`python-zalo-bot` 0.1.9, whose `Message.de_json` reads `photo_url`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, cast

from handlers.messages import Attachment, Incoming, Kind

# Event names as Zalo's Bot Platform documents them (and as the official SDK `python-zalo-bot`
# 0.1.9 parses them): text, image (`photo_url`), sticker, voice (`voice_url`, AAC 16 kHz) and
# `message.unsupported.received`, which arrives without content (e.g. from protected accounts
# such as minors'). The last three names below are guesses by analogy, not documented: kept so
# that such an update still gets a polite reply instead of silence.
EVENT_KINDS: dict[str, Kind] = {
    "message.text.received": "text",
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "unsupported",
    "message.video.received": "video",  # guess
    "message.location.received": "location",  # guess
    "message.file.received": "document",  # guess
}


class Sender(TypedDict, total=False):
    id: str | int
    display_name: str
    name: str


class Chat(TypedDict, total=False):
    id: str | int
    chat_type: str
    """PRIVATE or GROUP."""


Message = TypedDict("Message", {
    "from": Sender, "chat": Chat, "message_id": str | int, "date": int, "text": str, "caption": str,
    "photo_url": str, "photo": str, "voice_url": str, "url": str, "file_url": str, "file_name": str,
}, total=False)
"""The fields read here (`from` is a keyword, hence the functional form)."""


class Update(TypedDict, total=False):
    event_name: str
    message: Message
    result: Update
    """Some answers wrap the update in a `{"ok": ..., "result": update}` envelope."""


def to_incoming(update: Mapping[str, object], channel: str = "zalo_bot") -> Incoming | None:
    """A Bot Platform update (or the `result` envelope around one), decoded JSON, as a neutral Incoming.
    Read through `Update`: the fields are what Zalo documents, unchecked beyond that."""
    read = cast(Update, update)
    if "event_name" not in read and isinstance(read.get("result"), dict):
        read = read["result"]
    message = read.get("message")
    if not isinstance(message, dict):
        return None
    sender: Sender = message.get("from") or {}
    chat: Chat = message.get("chat") or {}
    user_id, chat_id = sender.get("id"), chat.get("id") or sender.get("id")
    if not user_id or not chat_id:
        return None
    kind: Kind = EVENT_KINDS.get(str(read.get("event_name", "")), "other")
    text = message.get("text") if kind == "text" else None
    if kind == "text" and isinstance(text, str) and text.startswith("/"):
        kind = "command"
    attachment = _attachment(kind, message)
    message_id = message.get("message_id")
    return Incoming(
        channel=channel,
        chat_id=str(chat_id),
        user_id=str(user_id),
        kind=kind,
        text=text if isinstance(text, str) else None,
        user_name=sender.get("display_name") or sender.get("name"),
        message_id=str(message_id) if message_id else None,
        update_id=str(message_id) if message_id else None,
        attachment=attachment,
        caption=message.get("caption"),
        is_group=str(chat.get("chat_type", "")).upper() == "GROUP",
    )


def _attachment(kind: Kind, message: Message) -> Attachment | None:
    """The media URL of an image (`photo_url`), a voice message (`voice_url`) or a file."""
    if kind == "photo":
        url = message.get("photo_url") or message.get("photo") or message.get("url")
        return Attachment(file_ref=str(url), mime_type="image/jpeg") if url else None
    if kind == "voice":
        url = message.get("voice_url") or message.get("url")
        return Attachment(file_ref=str(url), mime_type="audio/aac") if url else None
    if kind == "document":
        url = message.get("url") or message.get("file_url")
        return Attachment(file_ref=str(url), file_name=message.get("file_name")) if url else None
    return None
