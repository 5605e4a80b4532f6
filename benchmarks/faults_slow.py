"""Faults benchmark phases 4-5 (issue 14): other chats' latency while slow work runs.

4. Slow LLM (`--phases llm`): the bot is started with an LLM endpoint (tests/fakes/llm.py, in this
   process). Other chats (`OTHER_CHATS`, 2 messages/s) ask a question the knowledge base does not
   answer (no LLM call) for `window_s / 2` seconds with the LLM answering at once, then for
   `window_s` seconds while the LLM takes `llm_s` seconds per call and new chats ask an answerable
   question every second (each such question waits for the LLM). Latency = update pushed → first
   reply sent (both stamped by the fake Bot API). With more calls in flight than dialog workers
   (`CIVICBOT_DIALOG_WORKERS`, 4) an LLM call that held a worker would make everybody wait.
   `--other "/help"` makes the other chats' own work cheap, so that what remains is the wait.
5. Slow download (`--phases download`): a staff member sends a small file whose download takes
   `download_s` seconds (the fake Bot API delays it); other chats ask meanwhile, as in the upload
   phase; the uploader's messages are listed (queued, "still downloading", the result).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.faults_bench import ADMIN, Fake, paced_latencies, pct, wait_replies
from tests.fakes.llm import FakeLLM

OTHER_CHATS = [5000 + i for i in range(20)]
OFF_TOPIC = "Giá vé máy bay từ Hà Nội đi Đà Nẵng tháng sau là bao nhiêu?"
ANSWERABLE = "Hộ nghèo được hỗ trợ bảo hiểm y tế như thế nào?"
LLM_REPLY = "Thành viên hộ nghèo được Nhà nước hỗ trợ đóng bảo hiểm y tế."
"""Numbers only from the passages (the answerer rejects others): so the rephrasing is used."""


def summary(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95),
            "max_ms": round(max(values), 1) if values else None,
            "mean_ms": round(statistics.fmean(values), 1) if values else None}


def phase_llm(fake: Fake, llm: FakeLLM, window_s: float, llm_s: float, other: str = OFF_TOPIC) -> dict[str, Any]:
    llm.mode, llm.reply = "ok", LLM_REPLY
    before = len(llm.requests)
    normal = paced_latencies(fake, window_s / 2, OTHER_CHATS, question=other)
    other_calls = len(llm.requests) - before  # the off-topic question never reaches the LLM
    llm.mode, llm.delay_s = "slow", llm_s
    since = fake.log()["next"]
    # one stream in update-id order (Telegram confirms by offset): two other chats' messages, then a
    # new chat's answerable question, 3 updates a second
    others, asked, stream = [], [], []
    for i in range(int(window_s)):
        for k in (2 * i, 2 * i + 1):
            others.append(fake.text(OTHER_CHATS[k % len(OTHER_CHATS)], other))
            stream.append(others[-1])
        asked.append(fake.text(6000 + i, ANSWERABLE))
        stream.append(asked[-1])
    fake.push(stream, interval=1.0 / 3)
    time.sleep(window_s + 1)
    expect = {str(u["message"]["chat"]["id"]): 1 for u in stream}
    got = wait_replies(fake, since, expect, timeout=300, settle=llm_s + 5)
    log = fake.log(since, pushed=True)
    during, _ = _first_and_last(log, others, every=True)
    first, final = _first_and_last(log, asked)
    slow_chats = {str(u["message"]["chat"]["id"]) for u in asked}
    texts = [s["text"] for s in log["sends"] if s["chat_id"] in slow_chats]
    llm.mode = "ok"
    return {
        "llm_s": llm_s, "other_chats_send": other, "llm_calls": len(llm.requests) - before,
        "llm_calls_by_other_chats": other_calls,
        "other_chats_normal": summary(normal), "other_chats_during_slow_llm": summary(during),
        "llm_chats": {"asked": len(asked), "answered": sum(1 for c in slow_chats if got[c] >= 1),
                      "first_reply": summary(first), "answer": summary(final),
                      "rephrased_answers": sum(1 for t in texts if t.startswith(LLM_REPLY[:40]))},
    }


def _first_and_last(log: dict[str, Any], updates: list[dict[str, Any]],
                    every: bool = False) -> tuple[list[float], list[float]]:
    """Per update: ms to its chat's first and last reply after it (`every`: chats asking several
    times, the first reply after each update only)."""
    pushed, first, last = log["pushed"], [], []
    for u in updates:
        chat, at = str(u["message"]["chat"]["id"]), pushed.get(str(u["update_id"]))
        times = [s["at"] for s in log["sends"] if s["chat_id"] == chat and at is not None and s["at"] >= at]
        if times:
            first.append((min(times) - at) * 1000)
            last.append((max(times) - at) * 1000)
    return first, ([] if every else last)


def phase_download(fake: Fake, window_s: float, download_s: float, other: str = OFF_TOPIC) -> dict[str, Any]:
    normal = paced_latencies(fake, window_s / 2, OTHER_CHATS, question=other)
    content = ("Thông báo hỗ trợ\n\n" + "Hộ nghèo được hỗ trợ tiền điện hằng tháng theo quy định. " * 20).encode()
    file_id = fake.file(content, "documents/cham.txt", delay_s=download_s)
    since = fake.log()["next"]
    started = time.monotonic()
    fake.push([fake.document(ADMIN, file_id, "thong-bao-cham.txt", len(content))])
    wait_replies(fake, since, {str(ADMIN): 1}, 60, settle=0.5)
    during = paced_latencies(fake, min(window_s, download_s), OTHER_CHATS, question=other)
    deadline = time.monotonic() + download_s + 120
    said: list[str] = []
    while time.monotonic() < deadline:
        said = [s["text"] for s in fake.log(since)["sends"] if s["chat_id"] == str(ADMIN)]
        if any(t.startswith(("✅", "❌")) for t in said[1:]):  # the result (or a failure)
            break
        time.sleep(1.0)
    return {"download_s": download_s, "other_chats_normal": summary(normal),
            "other_chats_during_download": summary(during), "uploader_messages": said,
            "upload_done_s": round(time.monotonic() - started, 1)}
