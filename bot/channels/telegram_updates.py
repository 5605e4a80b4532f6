"""Telegram ⇄ the neutral contract: aiogram updates → `Incoming`, `Reply` → message parts and keyboards.

Pure functions (no network), so the mapping of every kind of message is easy to test and read.
"""

from __future__ import annotations

import html
import re

from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.channels.render import split_text
from bot.channels.telegram import CAPABILITIES, CHANNEL
from handlers.messages import Attachment, Incoming, Kind, Reply

TEXT_LIMIT = CAPABILITIES.max_text
CAPTION_LIMIT = 1024
GROUP_TYPES = ("group", "supergroup")


def _is_service(m: Message) -> bool:
    """Service messages (someone joined the staff group, a pin...): nobody asked anything, no reply."""
    return any((
        m.new_chat_members, m.left_chat_member, m.new_chat_title, m.new_chat_photo, m.delete_chat_photo,
        m.group_chat_created, m.supergroup_chat_created, m.migrate_to_chat_id, m.migrate_from_chat_id,
        m.pinned_message, m.message_auto_delete_timer_changed, m.forum_topic_created, m.forum_topic_closed,
        m.forum_topic_reopened, m.video_chat_started, m.video_chat_ended, m.video_chat_scheduled,
        m.video_chat_participants_invited, m.write_access_allowed, m.users_shared, m.chat_shared,
        m.boost_added, m.chat_background_set,
    ))


def message_to_incoming(message: Message, update_id: int | None) -> Incoming | None:
    """A user's message as an `Incoming`; None for service messages the dialog must not answer."""
    if _is_service(message):
        return None
    user = message.from_user
    kind, attachment = _kind_of(message)
    text = message.text
    if kind == "text" and text and text.startswith("/"):
        kind = "command"
    reply_to = message.reply_to_message
    return Incoming(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        user_id=str(user.id if user else message.chat.id),
        kind=kind,
        text=text,
        language_code=user.language_code if user else None,
        user_name=(user.full_name if user else None) or None,
        message_id=str(message.message_id),
        update_id=str(update_id) if update_id is not None else None,
        reply_to_message_id=str(reply_to.message_id) if reply_to else None,
        reply_to_text=(reply_to.text or reply_to.caption) if reply_to else None,
        attachment=attachment,
        caption=message.caption,
        is_group=message.chat.type in GROUP_TYPES,
    )


def _kind_of(message: Message) -> tuple[Kind, Attachment | None]:
    """Checked in this order: a venue also carries a location, an animation also carries a document."""
    if message.text is not None:
        return "text", None
    if message.photo:  # sizes, smallest first: keep the largest
        best = message.photo[-1]
        return "photo", Attachment(best.file_id, None, "image/jpeg", best.file_size)
    if message.sticker:
        return "sticker", Attachment(message.sticker.file_id, None, None, message.sticker.file_size)
    if message.voice:
        voice = message.voice
        return "voice", Attachment(voice.file_id, None, voice.mime_type, voice.file_size)
    if message.audio:
        audio = message.audio
        return "voice", Attachment(audio.file_id, audio.file_name, audio.mime_type, audio.file_size)
    if message.video_note:
        return "video", Attachment(message.video_note.file_id, None, None, message.video_note.file_size)
    if message.video:
        video = message.video
        return "video", Attachment(video.file_id, video.file_name, video.mime_type, video.file_size)
    if message.animation:
        animation = message.animation
        return "video", Attachment(animation.file_id, animation.file_name, animation.mime_type, animation.file_size)
    if message.location or message.venue:
        return "location", None
    if message.contact:
        return "contact", None
    if message.document is not None:
        doc = message.document
        return "document", Attachment(doc.file_id, doc.file_name, doc.mime_type, doc.file_size)
    return "other", None


def callback_to_incoming(query: CallbackQuery, update_id: int | None) -> Incoming | None:
    """A pressed inline button; None when it cannot be routed (no data, or an inline-mode message)."""
    if not query.data or query.message is None:
        return None
    chat = query.message.chat
    user = query.from_user
    return Incoming(
        channel=CHANNEL,
        chat_id=str(chat.id),
        user_id=str(user.id),
        kind="callback",
        callback=query.data,
        language_code=user.language_code,
        user_name=user.full_name or None,
        message_id=str(query.message.message_id),
        update_id=str(update_id) if update_id is not None else None,
        is_group=chat.type in GROUP_TYPES,
    )


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Reply.choices as inline buttons (callback data was checked ≤ 64 bytes when the Choice was built)."""
    rows = [
        [
            InlineKeyboardButton(text=c.label, url=c.url) if c.url
            else InlineKeyboardButton(text=c.label, callback_data=c.data)
            for c in row
        ]
        for row in reply.choices
        if row
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def text_parts(reply: Reply, limit: int = TEXT_LIMIT) -> list[str]:
    """The reply's text as HTML parts of at most `limit` visible characters, cut on sentence boundaries.

    The plain text is split first and each part escaped afterwards, so an entity like `&amp;` is never
    cut in two (Telegram counts the length after entity parsing, so escaping does not push a part over).
    """
    parts = split_text(reply.text, limit)
    return parts if reply.html else [html.escape(p, quote=False) for p in parts]


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """The visible text of an HTML part (fallback when Telegram rejects the markup)."""
    return html.unescape(_TAG.sub("", text))
