"""Zalo Bot Platform updates as neutral Incoming messages.

An update has an `event_name` and a `message` with `from.id`, `chat.id`, `chat.chat_type`
(PRIVATE or GROUP), `message_id`, `date` (ms) and, by event, `text`, `photo_url`, `voice_url`,
`sticker` or `caption` (field names as in Zalo's Bot Platform documentation and the official SDK
`python-zalo-bot` 0.1.9, whose `Message.de_json` reads `photo_url`).
"""

from __future__ import annotations

from typing import Any

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


def to_incoming(update: dict[str, Any], channel: str = "zalo_bot") -> Incoming | None:
    """A Bot Platform update (or the `result` envelope around one) as a neutral Incoming."""
    if "event_name" not in update and isinstance(update.get("result"), dict):
        update = update["result"]
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    user_id, chat_id = sender.get("id"), chat.get("id") or sender.get("id")
    if not user_id or not chat_id:
        return None
    kind: Kind = EVENT_KINDS.get(str(update.get("event_name", "")), "other")
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


def _attachment(kind: Kind, message: dict[str, Any]) -> Attachment | None:
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
