"""A staff upload is a background job: the uploader is answered at once and told the progress and the
result; other users are answered meanwhile; a job cut short by a crash runs again after the restart
and the uploader is told (real SQLite, knowledge base, search, dialog; hub with outbox and workers)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.channels.base import ChannelBase
from bot.channels.telegram import CAPABILITIES
from bot.hub import Hub
from bot.jobs import JobWorker
from bot.outbox import OutboxWorker
from handlers.jobs import TABLE as JOBS
from handlers.jobs import JobStore
from handlers.messages import Attachment, Incoming, Reply
from handlers.outbox import Outbox
from handlers.staff.upload import UPLOAD_JOB
from knowledge.models import utcnow
from tests.integration.conftest import dead_pid as _dead_pid
from tests.unit.staff.helpers import STAFF, USER, StaffEnv, make_env

NOTICE = ("Hỗ trợ tiền điện cho hộ nghèo năm 2026\n\n"
          "Theo thông báo của Sở Lao động, mỗi hộ nghèo được hỗ trợ tiền điện 46.000 đồng mỗi tháng.\n")
QUESTION = "ho ngheo duoc ho tro tien dien bao nhieu moi thang?"


class Recorder(ChannelBase):
    name = "telegram"
    capabilities = CAPABILITIES

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.sent.append((chat_id, reply.text))
        return str(len(self.sent))

    async def download(self, file_ref: str) -> bytes:
        raise LookupError(file_ref)

    def texts(self, chat_id: str) -> list[str]:
        return [t for c, t in self.sent if c == chat_id]


class Bot:
    def __init__(self, env: StaffEnv, jobs: JobStore, outbox: Outbox, hub: Hub, channel: Recorder) -> None:
        self.env, self.jobs, self.outbox, self.hub, self.channel = env, jobs, outbox, hub, channel
        self.updates = 0

    async def send(self, user: str, **fields: Any) -> None:
        self.updates += 1
        await self.hub.process(Incoming(channel="telegram", chat_id=user, user_id=user,
                                        update_id=str(self.updates), **fields))


@contextlib.asynccontextmanager
async def running_bot(tmp_path: Path, before: Any = None) -> AsyncIterator[Bot]:
    """The bot as `civicbot run` wires it; `before(env)` runs first (what a killed process left)."""
    env = make_env(tmp_path)
    if before is not None:
        before(env)
    jobs, outbox = JobStore(env.engine, lease_s=5), Outbox(env.engine)
    env.dialog.services.jobs = jobs
    hub = Hub(env.dialog, workers=4, outbox=outbox)
    channel = Recorder()
    hub.register(channel)
    stop = asyncio.Event()
    workers = [asyncio.create_task(OutboxWorker(outbox, hub, idle_s=0.05).run(stop)),
               asyncio.create_task(JobWorker(jobs, hub, outbox, poll_s=0.05, progress_every_s=0.0).run(stop))]
    try:
        yield Bot(env, jobs, outbox, hub, channel)
    finally:
        stop.set()
        await asyncio.gather(*workers)
        hub.close()


@pytest.fixture()
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as running:
        yield running


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _upload(bot: Bot, name: str = "thong-bao.txt", content: bytes = NOTICE.encode()) -> dict[str, Any]:
    ref = f"file-{len(bot.env.downloads.files) + 1}"
    bot.env.downloads.files[ref] = content
    return {"kind": "document", "attachment": Attachment(ref, name, "text/plain", len(content))}


async def test_other_users_are_answered_while_an_upload_is_indexed(bot: Bot) -> None:
    gate = threading.Event()
    original = bot.env.search.refresh

    def slow_refresh(progress: Any = None) -> bool:  # embedding a big file takes minutes
        if progress is not None:
            progress(1, 4)
        gate.wait(20)
        return bool(original(progress))

    bot.env.search.refresh = slow_refresh  # type: ignore[method-assign]
    await bot.send(STAFF, **_upload(bot))
    await wait_for(lambda: len(bot.channel.texts(STAFF)) >= 1)
    assert "thong-bao.txt" in bot.channel.texts(STAFF)[0]  # received: it goes on in the background
    await wait_for(lambda: any("1 / 4" in t or "1/4" in t or "(25%)" in t for t in bot.channel.texts(STAFF)))
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(bot.send(USER, text="xin chào, bảo hiểm y tế?"), 5)  # not behind the upload
    await wait_for(lambda: len(bot.channel.texts(USER)) >= 1, timeout=5)
    assert asyncio.get_running_loop().time() - started < 5
    gate.set()
    await wait_for(lambda: any("46.000" in t or "Hỗ trợ tiền điện" in t for t in bot.channel.texts(STAFF)[1:]))
    await wait_for(lambda: bot.jobs.counts() == {"done": 1})
    await bot.send(USER, text=QUESTION)
    await wait_for(lambda: any("46.000 đồng" in t for t in bot.channel.texts(USER)))


def _killed_mid_job(env: StaffEnv) -> None:
    env.downloads.files["f1"] = NOTICE.encode()
    payload = {"channel": "telegram", "chat_id": STAFF, "user_id": STAFF, "user_name": "Staff", "lang": "vi",
               "caption": None, "is_group": False, "file_ref": "f1", "file_name": "thong-bao.txt",
               "mime_type": "text/plain", "size": len(NOTICE.encode())}
    job_id = JobStore(env.engine).enqueue(UPLOAD_JOB, payload)
    with env.engine.begin() as conn:  # it was running in a process that was killed (lease far ahead)
        conn.execute(update(JOBS).where(JOBS.c.id == job_id).values(
            status="running", attempts=1, owner=f"{socket.gethostname()}:{_dead_pid()}:jobs",
            lease_until=utcnow().replace(year=2100)))


async def test_a_job_cut_short_by_a_crash_runs_again_and_the_uploader_is_told(tmp_path: Path) -> None:
    async with running_bot(tmp_path, before=_killed_mid_job) as bot:
        await wait_for(lambda: bot.jobs.counts() == {"done": 1})
        await wait_for(lambda: any("Hỗ trợ tiền điện" in t for t in bot.channel.texts(STAFF)))
    said = bot.channel.texts(STAFF)
    assert "thong-bao.txt" in said[0] and "khởi động lại" in said[0]  # interrupted by a restart
    assert "Hỗ trợ tiền điện" in said[-1] and "Đã thêm" in said[-1]  # then the result
    assert bot.env.kb.count_documents() == 1


