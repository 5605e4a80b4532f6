"""Staff console page loads (issue 15): server time per page, p50 / p95, over real HTTP.

Builds a fresh data dir with the sample data (`rooms sample`, `kb sample`, bookings over the next
two weeks, some approved), starts `civicbot web` as its own process, signs in through a
`civicbot staff web-link` link, then loads every page the console registers (every GET route
without parameters, plus the sample paths pages declare with `routes.get(..., bench=[...])`):
`--warmup` loads, then `--requests` loads each, one at a time on a keep-alive connection. Server
time is the `Server-Timing: app;dur=` the console's guard writes (session and role checks, the
handler, the template); the round trip seen by the client is reported beside it. Target: p95 <
200 ms per page.

    python -m benchmarks.console_bench [--requests 200] [--json benchmarks/results/console_bench.json]
                                       [--write-results]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "RESULTS.md"
HEADER = "## Staff console page loads (issue 15)"
ADMIN = "telegram:1"
TIMING = re.compile(r"app;dur=([0-9.]+)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"civicbot {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def seed_bookings(data_dir: Path, embedder: str) -> int:
    """Requests over the next two weeks in every sample room; every other one approved."""
    from bot.app import App
    from bot.settings import Settings
    from knowledge.errors import CivicError

    app = App(Settings(data_dir=data_dir, embedder=embedder))
    svc = app.bookings
    made = 0
    today = datetime.now(UTC).date()
    for room_id in svc.room_names():
        for day in range(1, 15):
            for hour in (9, 11, 14, 16):
                date = today + timedelta(days=day)
                try:
                    booked = svc.request(room=room_id, start=f"{date}T{hour:02d}:00", end=f"{date}T{hour + 1:02d}:30",
                                         org=f"NGO {made % 7}", contact="Bench Contact", phone="+77001234567",
                                         attendees=5, purpose="meeting")
                except CivicError:
                    continue
                made += 1
                if made % 2 == 0:
                    with contextlib.suppress(CivicError, TypeError):
                        svc.approve(booked[0].id, actor="bench")
    return made


def discover(data_dir: Path, embedder: str) -> list[str]:
    """Every page the console registers: GET routes without parameters, plus declared sample paths."""
    from aiohttp import web

    from bot.app import App
    from bot.settings import Settings
    from bot.web.app import build_console
    from bot.web.context import PREFIX

    sub = build_console(App(Settings(data_dir=data_dir, embedder=embedder)))
    paths = []
    for route in sub.router.routes():
        canonical = route.resource.canonical if route.resource is not None else ""
        if route.method != "GET" or "{" in canonical or isinstance(route.resource, web.StaticResource):
            continue
        paths.append(PREFIX + canonical)
    from bot.web.auth import CONSOLE_KEY

    paths += [PREFIX + p for p in sub[CONSOLE_KEY].bench_paths]
    return sorted(dict.fromkeys(paths))


def sign_in(conn: http.client.HTTPConnection, link: str) -> str:
    conn.request("POST", urlsplit(link).path, headers={"Content-Length": "0"})
    resp = conn.getresponse()
    resp.read()
    cookie = resp.getheader("Set-Cookie") or ""
    if resp.status != 303 or "civicbot_staff=" not in cookie:
        raise SystemExit(f"sign-in failed: {resp.status} {cookie!r}")
    return cookie.split(";", 1)[0]


def measure(conn: http.client.HTTPConnection, cookie: str, path: str, warmup: int, n: int) -> dict[str, Any]:
    server, wall, statuses = [], [], {}
    for i in range(warmup + n):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        resp = conn.getresponse()
        body = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        if i < warmup:
            continue
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        found = TIMING.search(resp.getheader("Server-Timing") or "")
        if found:
            server.append(float(found.group(1)))
        wall.append(elapsed)
    return {"path": path, "n": n, "statuses": statuses, "bytes": len(body),
            "server_p50_ms": round(percentile(server, 0.5), 2) if server else None,
            "server_p95_ms": round(percentile(server, 0.95), 2) if server else None,
            "server_max_ms": round(max(server), 2) if server else None,
            "wall_p50_ms": round(statistics.median(wall), 2), "wall_p95_ms": round(percentile(wall, 0.95), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--embedder", default="hash", help="the pages do not embed; hash keeps set-up short")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "console_bench.json")
    parser.add_argument("--write-results", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        sys.path.insert(0, str(ROOT))
        from benchmarks.faults_bench import free_port  # type: ignore[attr-defined]

        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CIVICBOT_DATA_DIR": str(data_dir),
               "CIVICBOT_EMBEDDER": args.embedder, "ADMIN_IDS": ADMIN, "CIVICBOT_HTTP_PORT": str(port),
               "WEB_SIGNIN_PER_MINUTE": "100"}
        for key in ("DATABASE_URL", "REDIS_URL", "PUBLIC_URL", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
            env.pop(key, None)
        _cli(env, "rooms", "sample", "--if-empty")
        _cli(env, "kb", "sample", "--if-empty")
        os.environ.update({k: env[k] for k in ("CIVICBOT_DATA_DIR", "ADMIN_IDS", "CIVICBOT_EMBEDDER")})
        bookings = seed_bookings(data_dir, args.embedder)
        paths = discover(data_dir, args.embedder)
        server = subprocess.Popen([sys.executable, "-m", "bot.cli", "web", "--port", str(port), "--log-level",
                                   "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(300):
                try:
                    conn.request("GET", "/staff/static/console.css")
                    conn.getresponse().read()
                    break
                except OSError:
                    conn.close()
                    time.sleep(0.2)
            cookie = sign_in(conn, _cli(env, "staff", "web-link", ADMIN).strip())
            rows = [measure(conn, cookie, path, args.warmup, args.requests) for path in paths]
        finally:
            server.terminate()
            server.wait(timeout=20)
    report = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": platform.machine(),
              "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
              "requests": args.requests, "warmup": args.warmup, "bookings": bookings, "pages": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = markdown(report)
    print(table)
    if args.write_results:
        write_section(table)
    bad = [r["path"] for r in rows if set(r["statuses"]) != {200} or (r["server_p95_ms"] or 1e9) >= 200]
    if bad:
        print(f"pages not all 200 or with p95 >= 200 ms: {', '.join(bad)}", file=sys.stderr)
    return 1 if bad else 0


def markdown(report: dict[str, Any]) -> str:
    lines = [HEADER, "",
             "Command: `.venv/bin/python -m benchmarks.console_bench --write-results` (`civicbot web` in its own "
             "process, SQLite, the sample rooms and knowledge base plus "
             f"{report['bookings']} bookings over two weeks; signed in as an administrator; "
             f"{report['warmup']} warm-up loads, then {report['requests']} loads per page, one at a time on a "
             "keep-alive loopback connection). Server time: the `Server-Timing` the console's guard writes "
             "(session and role read from the database, handler, template); round trip: as the client saw it.",
             "",
             f"Run of {report['when']} ({report['cpus']} cores, load average "
             f"{' / '.join(str(x) for x in report['load_average'])}):", "",
             "| page | server p50 | server p95 | server max | round trip p95 | HTTP | target |",
             "|---|---|---|---|---|---|---|"]
    for r in report["pages"]:
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items()))
        ok = "met" if set(r["statuses"]) == {200} and (r["server_p95_ms"] or 1e9) < 200 else "**not met**"
        lines.append(f"| `{r['path']}` | {r['server_p50_ms']} ms | {r['server_p95_ms']} ms | {r['server_max_ms']} ms | "
                     f"{r['wall_p95_ms']} ms | {statuses} | p95 < 200 ms: {ok} |")
    return "\n".join(lines) + "\n\nRaw figures: `benchmarks/results/console_bench.json`.\n"


def write_section(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    start = text.find(HEADER)
    if start >= 0:
        nxt = text.find("\n## ", start + len(HEADER))
        text = text[:start] + section + (text[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
