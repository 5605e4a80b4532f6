"""The hub runs the dialog on a pool of workers: chats in parallel, each chat's updates in order."""

from __future__ import annotations

import asyncio
import random
import threading
import time

from bot.hub import Hub
from handlers.flow import Services
from handlers.messages import Incoming, Reply
from handlers.pseudonym import Pseudonyms


class SlowDialog:
    """The hub's side of the dialog (handle, on_sent, its services and pseudonyms), slowly."""

    def __init__(self) -> None:
        self.services = Services()
        self.pseudonyms = Pseudonyms(b"")
        self.handled: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        self.rng = random.Random(3)

    def handle(self, msg: Incoming) -> list[Reply]:
        time.sleep(self.rng.uniform(0.01, 0.05))
        with self.lock:
            self.handled.setdefault(msg.chat_id, []).append(int(msg.text or 0))
        return []

    def on_sent(self, track: str, message_id: str) -> None:
        return None


async def test_chats_run_in_parallel_and_each_chat_stays_in_order() -> None:
    dialog = SlowDialog()
    hub = Hub(dialog, workers=4)
    msgs = [Incoming(channel="x", chat_id=str(i % 4), user_id=str(i % 4), text=str(i)) for i in range(40)]
    started = time.perf_counter()
    await asyncio.gather(*(hub.process(m) for m in msgs))
    elapsed = time.perf_counter() - started
    hub.close()
    for chat, seen in dialog.handled.items():
        assert seen == sorted(seen), chat
    assert sum(len(v) for v in dialog.handled.values()) == 40
    assert elapsed < 40 * 0.03 / 2  # a single worker needs ~1.2 s; four share it
