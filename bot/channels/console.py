"""The terminal chat: the same dialog, buttons shown as numbered choices answered with a digit.

Typed lines are cleaned before the dialog sees them: bytes that are not UTF-8 (a stray byte, a
paste cut in the middle of a character at the terminal's 4 KB line limit) are dropped, as are
control characters. A line that is the path of an existing document file is sent as a file
upload (what staff do by sending a file on Telegram); `download` reads it from the disk.

A typed number picks the choice with that number in the last numbered list printed — also a
list that arrived for this terminal from someone else's update (a booking request's Approve /
Reject when the terminal is the staff chat), which the dialog's own session does not know.
"""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.channels.base import Capabilities, Channel, ChannelBase, ChannelHub, ChannelSpec
from bot.channels.render import numbered
from handlers.messages import Attachment, Incoming, Reply
from knowledge.text import clean_input

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

CHANNEL = "console"
CAPABILITIES = Capabilities(buttons=False, max_text=1_000_000, max_buttons=0, files=True, voice=False, queued=False)
"""A terminal: choices numbered, files shown by name and size, replies printed at once (no outbox)."""

UPLOAD_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


def clean_line(raw: str | bytes) -> str:
    """A typed line as clean text: invalid UTF-8 dropped, then control and invisible characters
    (knowledge.text.clean_input; the line's own end too), NFC, stripped."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace")
    else:  # a text stream decoded with surrogateescape keeps bad bytes as lone surrogates
        text = raw.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    return clean_input(text.replace("\ufffd", "").replace("\r", "").replace("\n", "")).strip()


def file_path(text: str) -> Path | None:
    """The typed line as an existing document file, if it is one (quotes around it are fine)."""
    candidate = text.strip().strip("'\"")
    if not candidate or len(candidate) > 4096 or "\n" in candidate:
        return None
    path = Path(candidate).expanduser()
    try:
        return path if path.suffix.lower() in UPLOAD_SUFFIXES and path.is_file() else None
    except OSError:
        return None


class ConsoleChannel(ChannelBase):
    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        hub: ChannelHub,
        *,
        lang: str | None = None,
        user_id: str = "local",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.hub = hub
        self.lang = lang
        self.user_id = user_id
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self._sent = 0
        self._numbered: list[str] = []
        """The callback data of the last numbered list printed (what a typed digit picks)."""
        hub.register(self)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self._sent += 1
        buttons = [c.data for c in reply.all_choices() if not c.url]
        if buttons:
            self._numbered = buttons if reply.input == "choice" else []
        if chat_id != self.user_id:
            self.stdout.write(f"[→ {chat_id}] ")
        self.stdout.write(numbered(reply) + "\n")
        if reply.document is not None:
            self.stdout.write(f"[file: {reply.document.file_name}, {len(reply.document.content)} bytes]\n")
        self.stdout.write("\n")
        self.stdout.flush()
        return str(self._sent)

    async def download(self, file_ref: str) -> bytes:
        """A file the terminal user named by its path."""
        return await asyncio.to_thread(Path(file_ref).read_bytes)

    def _incoming(self, text: str, seq: int) -> Incoming:
        if text.isdigit() and 1 <= int(text) <= len(self._numbered):
            return Incoming(channel=self.name, chat_id=self.user_id, user_id=self.user_id, kind="callback",
                            callback=self._numbered[int(text) - 1], language_code=self.lang, message_id=str(seq))
        path = file_path(text) if seq else None
        if path is not None:
            size = path.stat().st_size
            return Incoming(
                channel=self.name, chat_id=self.user_id, user_id=self.user_id, kind="document",
                attachment=Attachment(str(path.resolve()), path.name, None, size),
                language_code=self.lang, message_id=str(seq),
            )  # fmt: skip
        return Incoming(
            channel=self.name, chat_id=self.user_id, user_id=self.user_id,
            kind="command" if text.startswith("/") else "text", text=text,
            language_code=self.lang, message_id=str(seq),
        )

    def _readline(self) -> str | None:
        """One typed line, cleaned; None at the end of input (a real terminal is read as bytes)."""
        raw: str | bytes = self.stdin.buffer.readline() if isinstance(self.stdin, io.TextIOWrapper) else \
            self.stdin.readline()
        if not raw:
            return None
        return clean_line(raw)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Read lines until EOF, /quit or `stop`; each line is one update."""
        loop = asyncio.get_running_loop()
        # an explicit --lang wins over a language chosen earlier (/start with a language payload)
        await self.hub.process(self._incoming(f"/start {self.lang}" if self.lang else "/start", 0))
        seq = 0
        while stop is None or not stop.is_set():
            self.stdout.write("> ")
            self.stdout.flush()
            text = await loop.run_in_executor(None, self._readline)
            if text is None:
                break
            if text in ("/quit", "/exit"):
                break
            if not text:
                continue
            seq += 1
            await self.hub.process(self._incoming(text, seq))


def _configured(settings: Settings) -> bool:
    return True


def from_settings(settings: Settings, app: App, hub: ChannelHub) -> Channel:
    return ConsoleChannel(hub)


SPEC = ChannelSpec(CHANNEL, CAPABILITIES, _configured, from_settings)
"""The terminal chat: `civicbot chat`, and `civicbot run` when no messenger is configured."""
