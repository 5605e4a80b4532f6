"""A real `civicbot run` (fake Telegram Bot API, SQLite, hash embedder, sample rooms and documents)
on a free port, for tests that drive the staff console in a real headless chromium."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bot.db import make_engine
from tests.fakes.bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
ADMIN = 4242
"""The Telegram id of the administrator (ADMIN_IDS) and of its private chat."""
LINK = re.compile(r"https?://\S+/staff/signin/[A-Za-z0-9_-]+")
T = TypeVar("T")
CLEARED = ("DATABASE_URL", "REDIS_URL", "STAFF_CHAT_ID", "TELEGRAM_WEBHOOK_URL", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID",
           "PUBLIC_URL", "CIVICBOT_HTTP_HOST", "STAFF_LANG", "LLM_BASE_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeTelegram:
    """The fake Bot API (tests/fakes/bot_api.py) on its own event loop in a thread, driven from sync tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-telegram", daemon=True)
        self.thread.start()
        self.api = FakeBotAPI()
        self._run(self.api.start())

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async def call() -> T:
            return fn(*args, **kwargs)

        return self._run(call())

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def send(self, user_id: int, text: str, *, lang: str = "vi") -> int:
        """A user writes `text` to the bot in their private chat."""
        return self._call(self.api.send_text, user_id, text, language_code=lang)

    def texts(self, chat_id: int) -> list[str]:
        return self._call(lambda: [c.text for c in self.api.sent(chat_id)])

    def wait_text(self, chat_id: int, contains: str, *, since: int = 0, timeout: float = 15.0) -> str:
        """The first message to `chat_id` from index `since` on that contains `contains`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in self.texts(chat_id)[since:]:
                if contains in text:
                    return text
            time.sleep(0.1)
        raise AssertionError(f"no message with {contains!r} to chat {chat_id}; got {self.texts(chat_id)[since:]}")

    def close(self) -> None:
        self._run(self.api.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class Civicbot:
    """`civicbot run` in a child process with its HTTP app (webhooks, /staff/) on a free port."""

    def __init__(self, work: Path, telegram: FakeTelegram, **env: str) -> None:
        self.work = work
        self.data_dir = work / "data"
        self.telegram = telegram
        self.admin = ADMIN
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        self.env.update({
            "PYTHONPATH": str(ROOT), "CIVICBOT_DATA_DIR": str(self.data_dir), "CIVICBOT_EMBEDDER": "hash",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": telegram.base_url, "ADMIN_IDS": f"telegram:{ADMIN}",
            "CIVICBOT_HTTP_PORT": str(self.port), "CIVICBOT_DEFAULT_LANG": "vi", "WEB_SIGNIN_PER_MINUTE": "1000",
            "RATE_LIMIT_PER_MINUTE": "1000", "PSEUDONYM_KEY": "browser-tests-key-0123456789",
        })
        self.env.update(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self._db: Engine | None = None

    def url(self, path: str = "/") -> str:
        return self.base + path

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A `civicbot` command on the same data directory (the running bot sees its effects)."""
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=self.env, text=True,
                              capture_output=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"civicbot {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
        return done

    def start(self) -> Civicbot:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("rooms", "sample", "--if-empty")
        self.cli("kb", "sample", "--if-empty")
        log = (self.work / "civicbot.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--log-level", "WARNING"], cwd=ROOT,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"civicbot run exited: {(self.work / 'civicbot.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self  # 503 while the index loads: the server answers
            except OSError:
                time.sleep(0.2)
        raise AssertionError("civicbot run did not open its HTTP port")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._db is not None:
            self._db.dispose()

    @property
    def db(self) -> Engine:
        """The bot's own SQLite database (to look at rows, or to age a link)."""
        if self._db is None:
            self._db = make_engine(f"sqlite:///{(self.data_dir / 'civicbot.db').as_posix()}")
        return self._db

    def signin_link(self, user_id: int | None = None, *, lang: str = "vi") -> str:
        """Send `/web` in the user's chat (the admin's by default) and return the link the bot replies with."""
        chat = user_id or self.admin
        since = len(self.telegram.texts(chat))
        self.telegram.send(chat, "/web", lang=lang)
        text = self.telegram.wait_text(chat, "/staff/signin/", since=since)
        found = LINK.search(text)
        assert found is not None, text
        return found.group(0)
