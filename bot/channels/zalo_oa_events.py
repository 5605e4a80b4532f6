"""Zalo OA webhook events as neutral Incoming messages, and the webhook signature.

Events (Zalo's OA webhook documentation): `user_send_text|image|sticker|gif|audio|video|location|
file|link|business_card`, the same for anonymous users (`anonymous_send_*`: their replies need the
`conversation_id`, so it is kept in the chat id as `anon:<anonymous id>:<conversation id>`), and
`follow`. Message fields: `sender.id`, `message.msg_id`, `message.text`, `message.attachments[0]
.payload.url`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TypedDict, cast

from handlers.messages import Attachment, Incoming, Kind

ANON_PREFIX = "anon:"
EVENT_KINDS: dict[str, Kind] = {
    "user_send_text": "text",
    "anonymous_send_text": "text",
    "anonymous_send_image": "photo",
    "anonymous_send_sticker": "sticker",
    "anonymous_send_file": "document",
    "anonymous_send_location": "location",
    "user_send_image": "photo",
    "user_send_sticker": "sticker",
    "user_send_gif": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_location": "location",
    "user_send_file": "document",
    "user_send_link": "other",
    "user_send_business_card": "contact",
}


def signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    data = app_id.encode() + body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(data).hexdigest()


class User(TypedDict, total=False):
    id: str | int


class Payload(TypedDict, total=False):
    url: str


class Attached(TypedDict, total=False):
    type: str
    payload: Payload


class Message(TypedDict, total=False):
    msg_id: str
    text: str
    attachments: list[Attached]
    conversation_id: str


class Event(TypedDict, total=False):
    """The fields read here of a webhook event."""

    event_name: str
    follower: User
    sender: User
    message: Message
    conversation_id: str


def to_incoming(event: Mapping[str, object], channel: str = "zalo_oa") -> Incoming | None:
    """A user event (decoded JSON, read through `Event`) as an Incoming; None for events that are not
    a user's message (seen, OA sent...)."""
    read = cast(Event, event)
    name = str(read.get("event_name", ""))
    if name == "follow":
        follower = str((read.get("follower") or {}).get("id") or "")
        return Incoming(channel, follower, follower, kind="command", text="/start") if follower else None
    if name not in EVENT_KINDS:
        return None
    user = str((read.get("sender") or {}).get("id") or "")
    message = read.get("message") or {}
    if not user or not isinstance(message, dict):
        return None
    chat = user
    if name.startswith("anonymous_"):  # an anonymous user: replies need the conversation id too
        conversation = message.get("conversation_id") or read.get("conversation_id")
        if not conversation:
            return None
        chat = f"{ANON_PREFIX}{user}:{conversation}"
    kind = EVENT_KINDS[name]
    text = message.get("text") if kind == "text" else None
    if kind == "text" and isinstance(text, str) and text.startswith("/"):
        kind = "command"
    attachments = message.get("attachments") or []
    url = (attachments[0].get("payload") or {}).get("url") if attachments and isinstance(attachments[0], dict) else None
    msg_id = message.get("msg_id")
    return Incoming(
        channel=channel, chat_id=chat, user_id=user, kind=kind, text=text if isinstance(text, str) else None,
        message_id=str(msg_id) if msg_id else None,
        update_id=str(msg_id) if msg_id else None,
        attachment=Attachment(file_ref=str(url)) if url and kind in ("photo", "document") else None,
    )
