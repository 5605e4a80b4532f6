"""What the Telegram channel sends: replies (text parts, keyboards, documents), the command menu,
and which refusals of the Bot API are final for the outbox."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.methods import SendDocument, SendMessage, SetMyCommands
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)

from bot.channels.telegram_api import DeliveryFailed, RetryingApi
from bot.channels.telegram_updates import CAPTION_LIMIT, html_to_plain, keyboard, text_parts
from handlers.flow import Flow
from handlers.i18n import Catalog
from handlers.messages import Reply

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "menu", "ask", "contact", "lang", "help")


async def send_reply(api: RetryingApi, chat_id: str, reply: Reply) -> str | None:
    """Send one reply in order: text parts (≤ 4096, sentence boundaries), the keyboard on the
    last part, a document last (with the text as its caption when it fits). Returns the last id."""
    markup = keyboard(reply)
    parts = text_parts(reply)
    doc = reply.document
    caption: str | None = None
    if doc is not None and len(parts) == 1 and len(reply.text) <= CAPTION_LIMIT:
        caption, parts = parts[0], []
    last: Message | None = None
    for i, part in enumerate(parts):
        is_last = i == len(parts) - 1 and doc is None
        last = await _send_text(api, chat_id, part, markup if is_last else None)
    if doc is not None:
        last = await api.call(SendDocument(
            chat_id=chat_id, document=BufferedInputFile(doc.content, filename=doc.file_name),
            caption=caption, parse_mode="HTML" if caption else None, reply_markup=markup,
        ))
    return str(last.message_id) if last is not None else None


async def _send_text(api: RetryingApi, chat_id: str, text: str, markup: InlineKeyboardMarkup | None) -> Message:
    method = SendMessage(
        chat_id=chat_id, text=text, parse_mode="HTML", reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    try:
        return await api.call(method)
    except TelegramBadRequest as exc:
        if "parse" not in str(exc).lower():
            raise
        log.warning("Telegram rejected the HTML of a reply; sending it as plain text")
        method = method.model_copy(update={"text": html_to_plain(text), "parse_mode": None})
        return await api.call(method)


def command_names(flows: Iterable[Flow], catalog: Catalog) -> list[str]:
    """The commands of the menu: the public ones, then each public flow's that has a description."""
    names = list(PUBLIC_COMMANDS)
    for flow in flows:
        for command in flow.commands:
            if not flow.staff_only and command not in names and catalog.has(f"telegram.cmd.{command}"):
                names.append(command)
    return names


async def register_commands(api: RetryingApi, catalog: Catalog, default_lang: str, flows: Iterable[Flow]) -> None:
    """Register the command menu: default (the dialog's default language), vi and ru."""
    names = command_names(flows, catalog)
    for code in (None, "vi", "ru"):
        commands = [BotCommand(command=c, description=catalog.t(code or default_lang, f"telegram.cmd.{c}"))
                    for c in names]
        await api.call(SetMyCommands(commands=commands, language_code=code))


def undeliverable_reason(exc: BaseException) -> str | None:
    """For the outbox: a send that can never succeed (blocked bot, deleted chat, a refused message)."""
    cause = exc.__cause__ if isinstance(exc, DeliveryFailed) else exc
    if isinstance(cause, TelegramForbiddenError):
        return f"forbidden: {cause.message}"[:300]
    if isinstance(cause, TelegramNotFound | TelegramBadRequest):
        return f"refused: {cause.message}"[:300]
    return None
