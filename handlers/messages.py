"""The neutral contract between channels and the dialog.

A channel adapter turns a platform update into an :class:`Incoming`; the dialog answers with a
list of :class:`Reply`; the adapter renders them. A reply carries *intent* (text, choices, a
document); the adapter decides how to show it (inline buttons on Telegram, a numbered list the
user answers with a digit on Zalo and in the terminal).

Nothing here knows which messenger it serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from knowledge.text import clean_input

Kind = Literal[
    "text", "command", "callback", "document", "photo", "sticker", "voice", "video", "location", "contact",
    "unsupported", "other",
]
"""`unsupported`: the platform says a message arrived but withholds its content (Zalo does so for
protected accounts, e.g. minors')."""

CALLBACK_MAX_BYTES = 64
"""Telegram's limit for callback data; every Choice.data must fit."""


class Undeliverable(Exception):
    """A channel's refusal that no retry can fix (the user blocked the bot, deleted the chat, has
    not interacted for too long, the sender's quota is spent). Raised by `Channel.send`; callers
    mark the message undelivered, tell staff where it matters, and never retry it."""

    def __init__(self, channel: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{channel}: {reason}{': ' + detail if detail else ''}")
        self.channel = channel
        self.reason = reason


class MaybeDelivered(Exception):
    """A send whose outcome is unknown (the connection broke after the request went out): the
    message may have arrived. Callers record it as maybe delivered and do NOT resend it, so that
    nobody gets the same message twice."""

    def __init__(self, channel: str, detail: str = "") -> None:
        super().__init__(f"{channel}: maybe delivered{': ' + detail if detail else ''}")
        self.channel = channel


@dataclass(frozen=True)
class Target:
    """Where a reply goes when it is not the chat the update came from (staff chat, another user)."""

    channel: str
    chat_id: str


@dataclass(frozen=True)
class Attachment:
    """A file the user sent. `file_ref` is the platform's id; the adapter can fetch its bytes."""

    file_ref: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    channel: str
    """`telegram`, `zalo_bot`, `zalo_oa`, `console`, ..."""
    chat_id: str
    user_id: str
    kind: Kind = "text"
    text: str | None = None
    """The message text (for a command, the whole `/cmd args` text)."""
    callback: str | None = None
    """For kind == "callback": the pressed Choice's data."""
    language_code: str | None = None
    """The platform's hint of the user's language (e.g. Telegram's `language_code`)."""
    user_name: str | None = None
    message_id: str | None = None
    update_id: str | None = None
    """A platform-unique id for duplicate detection (None: no deduplication)."""
    reply_to_message_id: str | None = None
    reply_to_text: str | None = None
    """When the user replied to an earlier message (staff replying to a handoff)."""
    attachment: Attachment | None = None
    caption: str | None = None
    is_group: bool = False

    @property
    def command(self) -> str | None:
        """`/start@bot arg` → `start`; None if this is not a command."""
        if not self.text or not self.text.startswith("/"):
            return None
        head = self.text.split(maxsplit=1)[0][1:]
        return head.split("@", 1)[0].lower() or None

    @property
    def command_args(self) -> str:
        if not self.text or not self.text.startswith("/"):
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""


def normalize_incoming(msg: Incoming) -> Incoming:
    """`msg` with NUL, control and zero-width characters removed from every text it carries
    (knowledge/text/normalize.py): a word with a ZWSP inside is the word; only ZWSPs is an empty message."""
    cleaned = replace(msg, text=_clean(msg.text), callback=_clean(msg.callback), caption=_clean(msg.caption),
                      user_name=_clean(msg.user_name), reply_to_text=_clean(msg.reply_to_text))
    return msg if cleaned == msg else cleaned


def _clean(value: str | None) -> str | None:
    return clean_input(value) if value else value


@dataclass(frozen=True)
class Choice:
    label: str
    data: str
    """Callback data, at most 64 bytes UTF-8 (checked when built)."""
    url: str | None = None

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > CALLBACK_MAX_BYTES:
            raise ValueError(f"callback data over {CALLBACK_MAX_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class OutgoingDocument:
    file_name: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Reply:
    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    """Rows of buttons."""
    target: Target | None = None
    """None: the chat the update came from."""
    document: OutgoingDocument | None = None
    html: bool = False
    """True when `text` is already safe HTML (bold, links); otherwise adapters escape it."""
    track: str | None = None
    """An opaque key; the adapter reports the sent message id back via Dialog.on_sent(track, id)."""
    on_undelivered: str | None = None
    """When set (e.g. "reminder #12"), staff are told in the staff chat if the messenger refuses this
    message for good (blocked bot, no interaction for 7 days on a Zalo OA, quota spent)."""
    input: Literal["choice", "text"] = "choice"
    """"text": the step also takes typed input (a time, a number): on Telegram a typed digit stays
    text; on numbered channels the answer choices (not Back/Cancel) are still numbered and a digit
    picks one of them (see `numbered_choices`)."""

    def all_choices(self) -> list[Choice]:
        return [c for row in self.choices for c in row]


NUMBERED_CHANNELS = frozenset({"console", "zalo_bot", "zalo_oa"})
"""Channels without buttons: choices are shown as a numbered list and a typed digit picks one."""


def is_nav(choice: Choice) -> bool:
    """Back / Cancel buttons (typed as words, never by number in a typed-input step)."""
    return choice.data.endswith((":back", ":cancel"))


def numbered_choices(choices: list[Choice], input_mode: str) -> list[Choice]:
    """The choices a text-only channel numbers 1, 2, 3...: every button without a URL; in a
    typed-input step only the answers (Back and Cancel are shown as words, so that typing `1`
    at "how many people?" stays an answer)."""
    plain = [c for c in choices if not c.url]
    return [c for c in plain if not is_nav(c)] if input_mode == "text" else plain
