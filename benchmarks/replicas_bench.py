"""Two civicbot replicas on PostgreSQL + Redis behind Zalo Bot Platform webhook traffic (issue 7).

    .venv/bin/python -m benchmarks.replicas_bench [--updates 1500] [--kill-updates 600] [--json out.json]

What runs, all on loopback: the local fake Zalo Bot Platform API (tests/fakes/zalo_api.py, in this
process, counting every sendMessage), two replica processes (each `civicbot run` in webhook mode:
bot.runner.run_bot with its own CIVICBOT_DATA_DIR and HTTP port, sharing one PostgreSQL schema and
one Redis database), and a load generator (this process) posting signed webhook updates.

Every update comes from its own chat and is `/help` (exactly two replies: the help text and the
menu), so replies counted per chat at the fake API account for every update: 0 = lost, 1 = cut
short, 2 = once, more = handled twice. A share of the updates is ALSO posted to the other replica
at the same moment (a duplicate delivery). A 503 ("being handled elsewhere") or a dropped
connection is retried on the other replica after a short pause, as a platform retries a webhook.

Phases: (1) throughput with duplicates; (2) replica B is SIGKILLed mid-load; "accepted" = answered
200, which a replica does only after the dialog ran and the replies were handed to the platform
(ack after commit), so a killed replica's in-flight updates are retried elsewhere once its Redis
lease (30 s) expires; (3) B restarted, a question through each replica; (4) a document added through
replica A's database connection, asked on replica B until answered: the delay is measured.
The dialog runs with CIVICBOT_EMBEDDER=hash (the cheap deterministic embedder), which is fine
for throughput: the channel path, Redis and PostgreSQL are what is measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.fakes.zalo_api import FakeZalo

if TYPE_CHECKING:
    from handlers.flow import Flow

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-webhook-secret"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/13"
OA_APP, OA_SECRET = "app-1", "bench-oa-secret"
SEEDS = Path(os.environ.get("CIVICBOT_SHARED_DIR", ROOT.parent / "shared")) / "seeds"


# ---- one replica (a child process) ---------------------------------------------------------------
def replica_main() -> None:
    """`civicbot run`, exactly: settings from the environment, every configured channel + HTTP server."""
    import logging

    from bot.app import App
    from bot.runner import run_bot
    from bot.settings import load_settings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = App(load_settings())
    mode = "civicbot run (full dialog)"
    try:
        app.dialog  # noqa: B018 - built as `civicbot run` builds it
    except ImportError as exc:  # another area still in progress: the same runner, fewer flows
        mode = f"civicbot run with a reduced dialog ({exc})"
        app.__dict__["dialog"] = _reduced_dialog(app)
    (app.settings.data_dir / "replica_mode.txt").write_text(mode, encoding="utf-8")
    asyncio.run(run_bot(app))


FLOW_MODULES = (("handlers.ask", "AskFlow"), ("handlers.eligibility", "EligibilityFlow"),
                ("handlers.booking", "BookingFlow"), ("handlers.staff", "StaffFlow"), ("handlers.staff.web", "WebFlow"))
"""The flows of handlers/flows.py `default_flows()` one by one, in menu order: for a reduced dialog when
one of their packages does not import (then `handlers.flows` itself does not)."""


def _importable_flows() -> list[Flow]:
    """The dialog's flows (`default_flows()`, as `civicbot run`), else those whose modules import."""
    import importlib

    try:
        from handlers.flows import default_flows
    except ImportError:
        pass
    else:
        return default_flows()
    flows: list[Flow] = []
    for module, cls in FLOW_MODULES:
        try:
            flows.append(getattr(importlib.import_module(module), cls)())
        except ImportError:
            continue
    return flows


def _reduced_dialog(app: Any) -> Any:
    """The App's dialog without the services/flows whose modules do not import yet."""
    from handlers.dialog import Dialog
    from handlers.flow import Services
    from handlers.i18n import Catalog

    values: dict[str, Any] = {}
    for name in ("answerer", "search", "kb", "rules", "bookings", "roles", "logs", "staff_target"):
        try:
            values[name] = getattr(app, name)
        except ImportError:
            values[name] = None
    flows = _importable_flows()
    app.search.refresh()
    s = app.settings
    services = Services(**values, settings={"timezone": s.timezone, "house_timezone": s.house_timezone})
    return Dialog(Catalog.load(), services, flows, app.states, deduper=app.deduper, limiter=app.limiter,
                  default_lang=s.default_lang, salt=app.pseudonym_key)


def booking_worker(seed: int, count: int) -> None:
    """A booking client on one replica's code path (BookingService.request, as the booking flow calls
    it): requests random one-hour slots of one room; prints each CONFIRMED booking id (committed)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from bookings.service import BookingService
    from bot.db import make_engine
    from bot.settings import load_settings
    from knowledge.errors import CivicError

    service = BookingService(make_engine(load_settings().db_url), house_tz="Asia/Almaty")
    rng = random.Random(seed)
    first_day = datetime.now(ZoneInfo("Asia/Almaty")).date() + timedelta(days=3)
    for _ in range(count):
        day = first_day + timedelta(days=rng.randrange(4))
        hour = rng.randrange(9, 17)
        try:
            made = service.request(room="Bench hall", start=f"{day}T{hour:02d}:00", end=f"{day}T{hour + 1:02d}:00",
                                   org="Bench NGO", contact="Nguyen Van A", phone="+84901234567", attendees=5,
                                   purpose="replica benchmark")
            print(json.dumps({"ok": made[0].id}), flush=True)
        except CivicError as exc:
            print(json.dumps({"refused": exc.code}), flush=True)


def phase_bookings(cluster: Cluster, per_worker: int) -> dict[str, Any]:
    """Two booking clients (one per replica's environment) race for 4 days x 8 slots of one room on
    PostgreSQL; B is SIGKILLed after its 10th confirmed answer. Every confirmed booking must be in
    the database, and no two active bookings of the room may overlap."""
    from sqlalchemy import text

    from bookings.service import BookingService
    from bot.db import make_engine

    engine = make_engine(cluster.db_url)
    BookingService(engine, house_tz="Asia/Almaty").add_room("Bench hall", 30, hours="09:00-18:00", days="all",
                                                          min_notice_hours=1)
    procs = {name: subprocess.Popen(
        [sys.executable, "-m", "benchmarks.replicas_bench", "--booking-worker", str(seed), str(per_worker)],
        cwd=ROOT, env=cluster.env(name), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) for name, seed in (("A", 1), ("B", 2))}
    lines: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
    assert procs["B"].stdout is not None
    for line in procs["B"].stdout:
        lines["B"].append(json.loads(line))
        if len(lines["B"]) == 10:
            procs["B"].send_signal(signal.SIGKILL)
            break
    procs["B"].wait()
    out_a, _ = procs["A"].communicate(timeout=300)
    lines["A"] = [json.loads(x) for x in out_a.splitlines() if x.strip()]
    confirmed = [x["ok"] for name in lines for x in lines[name] if "ok" in x]
    with engine.connect() as conn:
        ids = {r[0] for r in conn.execute(text("select id from bk_booking where status in ('pending','approved')"))}
        overlaps = conn.execute(text(
            "select count(*) from bk_booking a join bk_booking b on a.room_id = b.room_id and a.id < b.id "
            "and a.start_utc < b.end_utc and b.start_utc < a.end_utc "
            "where a.status in ('pending','approved') and b.status in ('pending','approved')")).scalar()
    engine.dispose()
    refused = Counter(x["refused"] for name in lines for x in lines[name] if "refused" in x)
    return {"requests_answered": {n: len(v) for n, v in lines.items()}, "confirmed": len(confirmed),
            "confirmed_missing_from_db": len(set(confirmed) - ids), "active_in_db": len(ids),
            "committed_but_unconfirmed": len(ids - set(confirmed)), "overlapping_pairs": overlaps,
            "refused": dict(refused), "B_killed_after_answers": 10}


# ---- the harness ---------------------------------------------------------------------------------
class Cluster:
    def __init__(self, fake: FakeZalo, work: Path, schema: str) -> None:
        self.fake = fake
        self.work = work
        self.db_url = f"{PG}?options=-csearch_path%3D{schema}"
        self.ports = {"A": _free_port(), "B": _free_port()}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def env(self, name: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.db_url, "REDIS_URL": REDIS_URL, "CIVICBOT_EMBEDDER": "hash",
            "CIVICBOT_DATA_DIR": str(self.work / name), "CIVICBOT_HTTP_HOST": "127.0.0.1",
            "CIVICBOT_HTTP_PORT": str(self.ports[name]), "ZALO_BOT_TOKEN": self.fake.token,
            "ZALO_API_BASE": self.fake.base, "ZALO_WEBHOOK_SECRET": SECRET,
            "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{self.ports[name]}/zalo/webhook",
            "ZALO_OA_APP_ID": OA_APP, "ZALO_OA_SECRET_KEY": OA_SECRET, "ZALO_OA_APP_SECRET": self.fake.app_secret,
            "ZALO_OA_ACCESS_TOKEN": self.fake.access_token, "ZALO_OA_REFRESH_TOKEN": self.fake.refresh_token,
            "ZALO_OA_API_BASE": self.fake.base, "ZALO_OAUTH_BASE": self.fake.base,
            "RATE_LIMIT_PER_MINUTE": "1000000", "PSEUDONYM_KEY": "bench-pseudonym-key-0001", "TELEGRAM_BOT_TOKEN": "",
        })
        return env

    def start(self, name: str) -> None:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.replicas_bench", "--replica"], cwd=ROOT, env=self.env(name),
            stdout=log, stderr=subprocess.STDOUT,
        )

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    async def wait_healthy(self, http: aiohttp.ClientSession, name: str, timeout: float = 120.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"replica {name} exited; see {self.work / name}.log")
            try:
                async with http.get(self.url(name) + "/healthz") as resp:
                    if resp.status == 200:
                        return time.perf_counter() - started
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError(f"replica {name} not healthy in {timeout}s")

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def update(chat: str, text: str, mid: str | None = None) -> dict[str, Any]:
    return {"event_name": "message.text.received", "message": {
        "message_id": mid or uuid.uuid4().hex, "from": {"id": chat, "display_name": "bench"},
        "chat": {"id": chat, "chat_type": "PRIVATE"}, "date": int(time.time() * 1000), "text": text}}


class Load:
    """Posts updates with a bounded concurrency, retrying like a platform until a replica says 200."""

    def __init__(self, http: aiohttp.ClientSession, cluster: Cluster, concurrency: int, give_up_s: float = 90.0):
        self.http = http
        self.cluster = cluster
        self.sem = asyncio.Semaphore(concurrency)
        self.give_up_s = give_up_s
        self.alive = {"A", "B"}
        self.statuses: Counter[str] = Counter()
        self.ack_ms: list[float] = []

    async def post_once(self, name: str, body: dict[str, Any] | bytes) -> int:
        """Zalo Bot Platform webhook for a dict; a raw, signed Zalo OA event for bytes."""
        if isinstance(body, bytes):
            path, headers, data = "/zalo/oa/webhook", oa_headers(body), body
        else:
            path, headers, data = "/zalo/webhook", {"X-Bot-Api-Secret-Token": SECRET}, json.dumps(body).encode()
        try:
            async with self.http.post(self.cluster.url(name) + path, data=data, headers=headers) as resp:
                await resp.read()
                return resp.status
        except (TimeoutError, aiohttp.ClientError):
            return 0

    async def deliver(self, body: dict[str, Any] | bytes, first: str, duplicate: bool) -> bool:
        """True once some replica acknowledged the update (200)."""
        async with self.sem:
            started = time.perf_counter()
            targets = [first] + ([_other(first)] if duplicate else [])
            results = await asyncio.gather(*(self.post_once(t, body) for t in targets))
            name = first
            self.statuses.update(str(r) for r in results)
            while 200 not in results:
                if time.perf_counter() - started > self.give_up_s:
                    return False
                await asyncio.sleep(0.5)
                name = _other(name) if _other(name) in self.alive else name
                results = [await self.post_once(name, body)]
                self.statuses.update(str(r) for r in results)
            self.ack_ms.append((time.perf_counter() - started) * 1000)
            return True


def oa_event(user: str, text: str) -> bytes:
    return json.dumps({
        "app_id": OA_APP, "event_name": "user_send_text", "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user}, "recipient": {"id": "oa-bench"}, "message": {"text": text, "msg_id": uuid.uuid4().hex},
    }).encode()


def oa_headers(body: bytes) -> dict[str, str]:
    from bot.channels.zalo_oa_channel import SIGNATURE_HEADER, signature

    ts = str(json.loads(body)["timestamp"])
    return {SIGNATURE_HEADER: "mac=" + signature(OA_APP, body, ts, OA_SECRET), "Content-Type": "application/json"}


def _other(name: str) -> str:
    return "B" if name == "A" else "A"


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def account(fake: FakeZalo, chats: list[str], acked: dict[str, bool], per_update: int) -> dict[str, int]:
    return account_counts(Counter(s.chat_id for s in fake.sent), chats, acked, per_update)


def account_counts(counts: Counter[str], chats: list[str], acked: dict[str, bool], per_update: int) -> dict[str, int]:
    out: Counter[str] = Counter()
    for chat in chats:
        n = counts.get(chat, 0)
        out["once" if n == per_update else "lost" if n == 0 else "short" if n < per_update else "twice"] += 1
        if acked.get(chat) and n < per_update:
            out["accepted_but_lost"] += 1
        if not acked.get(chat):
            out["never_acked"] += 1
    return dict(out)


async def settle(fake: FakeZalo, expected: int, timeout: float = 60.0) -> None:
    started = time.perf_counter()
    last, still = -1, 0.0
    while time.perf_counter() - started < timeout:
        if len(fake.sent) >= expected and len(fake.sent) == last and time.perf_counter() - still > 1.0:
            return
        if len(fake.sent) != last:
            last, still = len(fake.sent), time.perf_counter()
        await asyncio.sleep(0.2)


async def phase_load(load: Load, fake: FakeZalo, n: int, dup_rate: float, tag: str,
                     kill_at: int | None = None) -> dict[str, Any]:
    fake.sent.clear()
    chats = [f"{tag}-{i}" for i in range(n)]
    acked: dict[str, bool] = {}
    rng = random.Random(7)
    started = time.perf_counter()
    killed_at: float | None = None

    async def one(i: int, chat: str) -> None:
        first = "A" if i % 2 == 0 or "B" not in load.alive else "B"
        acked[chat] = await load.deliver(update(chat, "/help"), first, rng.random() < dup_rate)

    async def killer() -> None:
        nonlocal killed_at
        while len(load.ack_ms) < (kill_at or 0):
            await asyncio.sleep(0.005)
        load.cluster.kill("B")  # SIGKILL while updates are in flight on it
        load.alive.discard("B")
        killed_at = time.perf_counter() - started

    tasks = [asyncio.create_task(one(i, chat)) for i, chat in enumerate(chats)]
    if kill_at is not None:
        tasks.append(asyncio.create_task(killer()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    await settle(fake, 2 * sum(acked.values()))
    result = {"updates": n, "duplicates_sent_to_both": round(dup_rate * n), "seconds": round(elapsed, 2),
              "updates_per_s": round(n / elapsed, 1), "ack_p50_ms": pct(load.ack_ms, 0.5),
              "ack_p95_ms": pct(load.ack_ms, 0.95), "accounting": account(fake, chats, acked, 2),
              "http_statuses": dict(load.statuses)}
    if killed_at is not None:
        result["killed_B_after_s"] = round(killed_at, 2)
    load.ack_ms.clear()
    load.statuses.clear()
    return result


QUESTIONS = (
    "Sơn La phối hợp với Liên hiệp các tổ chức hữu nghị Việt Nam về việc gì?",
    "Kế hoạch 79/KH-UBND của Tuyên Quang thực hiện chương trình nào?",
    "chuong trinh 135 la gi",
    "Какая программа помогает бедным районам?",
    "ho ngheo duoc ho tro gi",
)


async def phase_questions(load: Load, fake: FakeZalo, n: int) -> dict[str, Any]:
    """Free-text questions through both replicas (retrieval + answer + query log, hash embedder)."""
    fake.sent.clear()
    started = time.perf_counter()
    oks = await asyncio.gather(*(
        load.deliver(update(f"q-{i}", QUESTIONS[i % len(QUESTIONS)]), "A" if i % 2 == 0 else "B", False)
        for i in range(n)))
    elapsed = time.perf_counter() - started
    answered = len({s.chat_id for s in fake.sent})
    result = {"questions": n, "acked": sum(oks), "chats_with_a_reply": answered, "seconds": round(elapsed, 2),
              "questions_per_s": round(n / elapsed, 1), "ack_p50_ms": pct(load.ack_ms, 0.5),
              "ack_p95_ms": pct(load.ack_ms, 0.95)}
    load.ack_ms.clear()
    load.statuses.clear()
    return result


async def phase_oa(load: Load, fake: FakeZalo, n: int, dup_rate: float, kill_at: int) -> dict[str, Any]:
    """Zalo OA: ack first (durable Redis inbox), work after; B killed mid-load, the access token
    expires mid-load (one refresh for the whole cluster, the rotated refresh token in the database)."""
    fake.oa_sent.clear()
    refreshes_before = fake.refreshes
    chats = [f"oa-{i}" for i in range(n)]
    acked: dict[str, bool] = {}
    rng = random.Random(11)
    started = time.perf_counter()
    killed_at: float | None = None

    async def one(i: int, chat: str) -> None:
        first = "A" if i % 2 == 0 or "B" not in load.alive else "B"
        body = oa_event(chat, "/help")
        fake.user_message(chat, json.loads(body)["message"]["msg_id"])  # Zalo knows what it reports
        acked[chat] = await load.deliver(body, first, rng.random() < dup_rate)

    async def chaos() -> None:
        nonlocal killed_at
        while len(load.ack_ms) < n // 2:
            await asyncio.sleep(0.005)
            if len(load.ack_ms) >= kill_at and killed_at is None:
                load.cluster.kill("B")
                load.alive.discard("B")
                killed_at = time.perf_counter() - started
        fake.expire_access_token()

    await asyncio.gather(*(one(i, c) for i, c in enumerate(chats)), chaos())
    acked_s = time.perf_counter() - started
    expected = 2 * sum(acked.values())
    deadline = time.perf_counter() + 90
    while len(fake.oa_sent) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    all_done_s = time.perf_counter() - started
    await asyncio.sleep(1.0)
    counts = Counter(s.chat_id for s in fake.oa_sent)
    result = {"events": n, "acked_in_s": round(acked_s, 2), "ack_p50_ms": pct(load.ack_ms, 0.5),
              "ack_p95_ms": pct(load.ack_ms, 0.95), "ack_max_ms": pct(load.ack_ms, 1.0),
              "all_replies_in_s": round(all_done_s, 2), "killed_B_after_s": killed_at,
              "token_refreshes": fake.refreshes - refreshes_before,
              "accounting": account_counts(counts, chats, acked, 2), "http_statuses": dict(load.statuses)}
    load.ack_ms.clear()
    load.statuses.clear()
    return result


async def ask_until_answered(load: Load, fake: FakeZalo, name: str, question: str, needle: str,
                             timeout: float = 60.0) -> float | None:
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < timeout:
        n += 1
        chat = f"probe-{name}-{uuid.uuid4().hex[:6]}"
        await load.post_once(name, update(chat, question))
        if any(needle in s.text for s in fake.sent if s.chat_id == chat):
            return time.perf_counter() - started
        await asyncio.sleep(0.25)
    return None


async def scrape(http: aiohttp.ClientSession, base: str) -> dict[str, float]:
    """The replica's own counters from /metrics (B's restarted at phase 3: its counts start there)."""
    async with http.get(base + "/metrics") as resp:
        text = await resp.text()
    wanted = ("civicbot_updates_total", "civicbot_replies_total", "civicbot_errors_total",
              "civicbot_update_latency_seconds_count", "civicbot_update_latency_seconds_sum")
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(wanted):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def stored_refresh(db_url: str) -> str | None:
    from sqlmodel import Session

    from bot.db import make_engine
    from bot.zalo_tokens import ZaloOAToken

    engine = make_engine(db_url)
    with Session(engine) as session:
        row = session.get(ZaloOAToken, OA_APP)
        value = row.refresh_token if row else None
    engine.dispose()
    return value


def add_document(db_url: str, token: str) -> float:
    """Adds one document through the shared database (what `civicbot kb add` on replica A does)."""
    from bot.db import make_engine
    from knowledge.store import KnowledgeBase
    from knowledge.types import DocMeta

    engine = make_engine(db_url)
    text = (f"Thông báo {token}\n\nTừ ngày 1 tháng 12 năm 2026, mã hỗ trợ {token} được cấp cho mỗi hộ nghèo "
            f"tại xã Tân Lập. Hộ nghèo mang mã hỗ trợ {token} đến Ủy ban nhân dân xã để nhận gạo.")
    started = time.perf_counter()
    KnowledgeBase(engine).add_text(text, DocMeta(title=f"Thông báo {token}", lang="vi"), doc_id=f"bench-{token}")
    engine.dispose()
    return time.perf_counter() - started


def prepare(work: Path, schema: str) -> dict[str, Any]:
    import redis
    from sqlalchemy import text

    import bot.zalo_tokens  # noqa: F401 - its table is created with the others
    from bot.db import create_schema, make_engine
    from knowledge.store import KnowledgeBase

    admin = make_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(f"{PG}?options=-csearch_path%3D{schema}")
    create_schema(engine)  # once, before two replicas race to create tables
    docs = KnowledgeBase(engine).add_paths([SEEDS]) if SEEDS.exists() else []
    engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {"seed_documents": len(docs)}


def cleanup(schema: str) -> None:
    import redis
    from sqlalchemy import text

    from bot.db import make_engine

    admin = make_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="civicbot-replicas-"))
    report: dict[str, Any] = {"setup": prepare(work, schema), "embedder": "hash", "cpus": os.cpu_count()}
    fake = await FakeZalo().start()
    cluster = Cluster(fake, work, schema)
    try:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=200)) as http:
            cluster.start("A")
            cluster.start("B")
            report["startup_s"] = {n: round(await cluster.wait_healthy(http, n), 2) for n in ("A", "B")}
            load = Load(http, cluster, args.concurrency)
            await phase_load(load, fake, 40, 0.0, "warm")
            report["throughput"] = await phase_load(load, fake, args.updates, args.dup_rate, "load")
            # questions at a moderate concurrency (4 in flight): latency without deep queues
            report["questions"] = await phase_questions(Load(http, cluster, 4), fake, args.questions)
            report["kill"] = await phase_load(load, fake, args.kill_updates, args.dup_rate, "kill",
                                              kill_at=args.kill_updates // 3)
            cluster.start("B")
            load.alive.add("B")
            report["restart_B_s"] = round(await cluster.wait_healthy(http, "B"), 2)
            token = f"ZX{uuid.uuid4().hex[:6].upper()}"
            report["doc_add_s"] = round(add_document(cluster.db_url, token), 3)
            seen = await ask_until_answered(load, fake, "B", f"mã hỗ trợ {token} là gì?", token)
            report["doc_visible_on_B_s"] = round(seen, 2) if seen is not None else None
            seen_a = await ask_until_answered(load, fake, "A", f"mã hỗ trợ {token} là gì?", token)
            report["doc_visible_on_A_s"] = round(seen_a, 2) if seen_a is not None else None
            report["metrics"] = {n: await scrape(http, cluster.url(n)) for n in ("A", "B")}
            report["oa"] = await phase_oa(load, fake, args.oa_events, args.dup_rate, kill_at=args.oa_events // 4)
            report["oa"]["stored_refresh_token_is_current"] = stored_refresh(cluster.db_url) == fake.refresh_token
        report["bookings"] = phase_bookings(cluster, args.booking_requests)
    finally:
        cluster.stop_all()
        await fake.stop()
        cleanup(schema)
    report["logs"] = str(work)
    report["replica_mode"] = (work / "A" / "replica_mode.txt").read_text(encoding="utf-8") \
        if (work / "A" / "replica_mode.txt").exists() else "unknown"
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replica", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--kill-updates", type=int, default=600)
    parser.add_argument("--oa-events", type=int, default=400)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--booking-requests", type=int, default=60, help="per booking client")
    parser.add_argument("--booking-worker", nargs=2, type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--dup-rate", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.replica:
        replica_main()
        return
    if args.booking_worker:
        booking_worker(*args.booking_worker)
        return
    report = asyncio.run(run(args))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
