"""The terminal chat: the same dialog, buttons shown as numbered choices answered with a digit."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels.render import numbered
from bot.hub import Hub
from handlers.messages import Incoming, Reply


class ConsoleChannel:
    name = "console"

    def __init__(
        self,
        hub: Hub,
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
        hub.register(self)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self._sent += 1
        if chat_id != self.user_id:
            self.stdout.write(f"[→ {chat_id}] ")
        self.stdout.write(numbered(reply) + "\n")
        if reply.document is not None:
            self.stdout.write(f"[file: {reply.document.file_name}, {len(reply.document.content)} bytes]\n")
        self.stdout.write("\n")
        self.stdout.flush()
        return str(self._sent)

    async def download(self, file_ref: str) -> bytes:
        raise LookupError("the terminal chat does not receive files")

    def _incoming(self, text: str, seq: int) -> Incoming:
        return Incoming(
            channel=self.name, chat_id=self.user_id, user_id=self.user_id,
            kind="command" if text.startswith("/") else "text", text=text,
            language_code=self.lang, message_id=str(seq),
        )

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Read lines until EOF, /quit or `stop`; each line is one update."""
        loop = asyncio.get_running_loop()
        await self.hub.process(self._incoming("/start", 0))
        seq = 0
        while stop is None or not stop.is_set():
            self.stdout.write("> ")
            self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            text = line.strip()
            if text in ("/quit", "/exit"):
                break
            if not text:
                continue
            seq += 1
            await self.hub.process(self._incoming(text, seq))
