"""What the dialog checks on a typed message before routing it: its own language, its length, and
whether it stands for a button (a label, a digit on text-only channels, a back/cancel word).

* A message's own language wins over a stored choice when it is clear: at least two words and
  eight letters that the detector reads as Vietnamese or Russian (a lone "отмена", "ok", a number
  or a place name does not switch anything).
* Every free-text message is capped (a question, a booking field, an answer to a wizard step):
  `max_text_chars` (default 1,000) for users, `max_staff_text_chars` (default 4,000) for staff,
  who write answers. A longer message gets a polite localized reply and changes nothing.
"""

from __future__ import annotations

from handlers.flow import Ctx, FlowSettings
from handlers.messages import NUMBERED_CHANNELS, Choice, Incoming, Reply, numbered_choices
from knowledge.text import detect_language, match_form

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


def text_limit(settings: FlowSettings, staff: bool) -> int:
    value = settings.get("max_staff_text_chars") if staff else settings.get("max_text_chars")
    default = MAX_STAFF_TEXT_CHARS if staff else MAX_TEXT_CHARS
    return value if isinstance(value, int) and value > 0 else default


def too_long(msg: Incoming, limit: int) -> int | None:
    """The message's length when a typed text (or command) is over `limit` characters, else None."""
    if msg.kind not in ("text", "command") or not msg.text:
        return None
    n = len(msg.text)
    return n if n > limit else None


BACK_WORDS = {"back", "quay lai", "tro lai", "назад"}
CANCEL_WORDS = {"cancel", "huy", "huy bo", "thoat", "отмена", "отменить", "выход", "stop"}


def typed_choice(ctx: Ctx, text: str) -> str | None:
    """A typed label, digit (text-only channels) or back/cancel word as the callback it stands for."""
    folded = match_form(text)
    choices: list[list[str]] = ctx.session.get("choices") or []
    for label, data in choices:
        if match_form(label) == folded:
            return data
    mode = ctx.session.get("input", "choice")
    if folded.isdigit() and (mode == "choice" or ctx.msg.channel in NUMBERED_CHANNELS):
        counted = numbered_choices([Choice(label, data) for label, data in choices], mode)
        index = int(folded) - 1
        if 0 <= index < len(counted):
            return counted[index].data
    if ctx.flow and folded in BACK_WORDS:
        return f"{ctx.flow}:back"
    if ctx.flow and folded in CANCEL_WORDS:
        return f"{ctx.flow}:cancel"
    return None

def remember_choices(ctx: Ctx, replies: list[Reply]) -> None:
    """Keep the buttons last shown in this chat (and whether the step takes typed input)."""
    here = (ctx.msg.channel, ctx.msg.chat_id)  # a reply to this very chat (the terminal is the staff chat)
    own = [r for r in replies if r.target is None or (r.target.channel, r.target.chat_id) == here]
    last = next((r for r in reversed(own) if r.choices), None)
    if last is None and own:
        ctx.session["choices"] = []
        ctx.session["input"] = own[-1].input
        return
    if last is not None:
        ctx.session["choices"] = [[c.label, c.data] for c in last.all_choices() if not c.url]
        ctx.session["input"] = last.input
