"""Secrets never reach a log line: a filter that redacts every record, installed at start-up.

What is redacted, in the message, its arguments, the formatted traceback and the stack:

- the token in Bot API URLs (`…/bot<TOKEN>/getUpdates`, `…/file/bot<TOKEN>/…`): aiohttp names the
  URL in errors such as "Can not write request body for …/bot<TOKEN>/getUpdates";
- anything shaped like a Telegram bot token (`123456:AA…`), wherever it appears;
- the password of URLs with credentials (`postgresql://user:PASSWORD@host`, `redis://:PASSWORD@…`);
- every secret value of the settings (every `SecretStr` field: bot tokens, webhook secrets, Zalo OA
  keys and tokens, the LLM key, the pseudonym salt) and values registered later with
  :func:`add_secret` (Zalo OA tokens rotate at run time).

:func:`install` wraps the logging record factory, so every record of every logger is redacted once,
when it is created, whatever handlers are added later (`logging.basicConfig` after start-up, pytest's
capture, a journald handler). It also adds :class:`RedactingFilter` to the root logger's handlers
present at that time. Calling it again only adds secrets.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

MASK = "<redacted>"
MIN_SECRET_LEN = 6
"""Shorter values are not masked (a 1-3 character "secret" would mask innocent text)."""

_BOT_PATH = re.compile(r"(/bot)((?=[^/\s]*[\d:])[^/\s'\"<>]{8,})(?=/)")
_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)(?P<pw>[^\s@/]+)(?=@)")

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def add_secret(value: str | None) -> None:
    """Mask `value` in every later log record (ignored when empty or shorter than MIN_SECRET_LEN)."""
    if value and len(value) >= MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every known secret and token-shaped string replaced by `<redacted>`."""
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BOT_PATH.sub(lambda m: m.group(1) + MASK if m.group(2) != MASK else m.group(0), text)
    text = _TOKEN_SHAPE.sub(MASK, text)
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact one record in place: the message is formatted with its arguments first."""
    if getattr(record, "_civicbot_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is, redacted
        message = f"{record.msg} {record.args}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._civicbot_redacted = True
    return record


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the record (and never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def secret_values(settings: Settings) -> list[str]:
    """Every secret value configured in `settings`: SecretStr fields and URL passwords."""
    from pydantic import SecretStr

    values: list[str] = []
    for value in settings.model_dump().values():
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
    for url in (settings.database_url, settings.redis_url):
        m = _URL_PASSWORD.search(url or "")
        if m:
            values.append(m.group("pw"))
    return [v for v in values if v]


def install(settings: Settings | None = None, extra: Iterable[str] = ()) -> None:
    """Redact every log record of this process from now on (idempotent; adds `settings`' secrets)."""
    global _installed
    if settings is not None:
        for value in secret_values(settings):
            add_secret(value)
    for value in extra:
        add_secret(value)
    with _lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            return redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
