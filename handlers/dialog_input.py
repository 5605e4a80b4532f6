"""What the dialog checks on a typed message before routing it: its own language and its length.

* A message's own language wins over a stored choice when it is clear: at least two words and
  eight letters that the detector reads as Vietnamese or Russian (a lone "отмена", "ok", a number
  or a place name does not switch anything).
* Every free-text message is capped (a question, a booking field, an answer to a wizard step):
  `max_text_chars` (default 1,000) for users, `max_staff_text_chars` (default 4,000) for staff,
  who write answers. A longer message gets a polite localized reply and changes nothing.
"""

from __future__ import annotations

from typing import Any

from handlers.messages import Incoming
from knowledge.text import detect_language

MAX_TEXT_CHARS = 1000
MAX_STAFF_TEXT_CHARS = 4000


def message_lang(msg: Incoming) -> str | None:
    """"vi" or "ru" when a typed text message is clearly in that language, else None."""
    if msg.kind != "text" or not msg.text or msg.text.startswith("/"):
        return None
    text = msg.text[:MAX_STAFF_TEXT_CHARS]
    if len(text.split()) < 2:
        return None
    found = detect_language(text)
    return found if found in ("vi", "ru") else None


def text_limit(settings: dict[str, Any], staff: bool) -> int:
    key, default = ("max_staff_text_chars", MAX_STAFF_TEXT_CHARS) if staff else ("max_text_chars", MAX_TEXT_CHARS)
    value = settings.get(key, default)
    return int(value) if isinstance(value, int) and value > 0 else default


def too_long(msg: Incoming, limit: int) -> int | None:
    """The message's length when a typed text (or command) is over `limit` characters, else None."""
    if msg.kind not in ("text", "command") or not msg.text:
        return None
    n = len(msg.text)
    return n if n > limit else None
