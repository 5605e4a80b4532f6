"""Slow work (handlers/slow.py) runs outside the dialog workers: another chat is answered while an
LLM call or a download is still going; the slow chat's own replies keep their order."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import create_schema, make_engine
from bot.hub import Hub
from bot.metrics import Metrics
from handlers.ask import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Ctx, Flow, Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming, Reply
from handlers.slow import Later, later
from handlers.state import MemoryRateLimiter, MemoryStateStore
from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel
from tests.fakes.llm import FakeLLM, start_llm
from tests.unit.answer.conftest import FakeSearch, make_hit

CATALOG = Catalog.load()


class Recorder:
    """A channel that records what it is asked to send, and when."""

    name = "rec"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, float]] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.sent.append((chat_id, reply.text, time.monotonic()))
        return None

    async def download(self, file_ref: str) -> bytes:
        raise LookupError(file_ref)

    def texts(self, chat_id: str) -> list[str]:
        return [text for chat, text, _ in self.sent if chat == chat_id]


class Slow(Flow):
    """/slow: a reply whose content waits for `gate`; /fast: an ordinary reply; /boom: failing work."""

    name = "slow"
    commands = ("slow", "fast", "boom")

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.threads: list[str] = []

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "fast":
            return [Reply(f"fast {args}".strip())]

        def work() -> list[Reply]:
            self.threads.append(threading.current_thread().name)
            if command == "boom":
                raise RuntimeError("the work failed")
            assert self.gate.wait(10)
            return [Reply(f"done {args}".strip())]

        return [Reply("before"), later(ctx, Reply("placeholder"), work, progress_key="ask.preparing")]


def msg(chat: str, text: str) -> Incoming:
    return Incoming(channel="rec", chat_id=chat, user_id=chat, text=text)


@pytest.fixture()
def slow() -> Slow:
    return Slow()


@pytest.fixture()
def dialog(slow: Slow) -> Dialog:
    return Dialog(CATALOG, Services(), [slow], MemoryStateStore(), limiter=MemoryRateLimiter(1000))


def test_handle_does_the_work_at_once_and_begin_leaves_it_to_the_caller(slow: Slow, dialog: Dialog) -> None:
    slow.gate.set()
    assert [r.text for r in dialog.handle(msg("1", "/slow a"))] == ["before", "done a"]
    begun = dialog.begin(msg("1", "/slow b"))
    assert [type(r) for r in begun] == [Reply, Later] and begun[1].text == "placeholder"
    assert begun[1].progress == CATALOG.t("vi", "ask.preparing")
    assert [r.text for r in dialog.settle(begun[1])] == ["done b"]  # type: ignore[arg-type]


def test_failing_work_is_answered_like_any_other_failure(slow: Slow, dialog: Dialog) -> None:
    out = dialog.handle(msg("1", "/boom"))
    assert [r.text for r in out] == ["before", CATALOG.t("vi", "error.internal")]
    assert dialog.metrics["internal_errors_total"] == 1


async def test_other_chats_are_answered_while_the_work_waits_and_the_chat_keeps_its_order(
        slow: Slow, dialog: Dialog) -> None:
    hub = Hub(dialog, workers=1)  # one dialog worker: if the work held it, chat 2 would wait
    hub.progress_after_s = 0.2
    channel = Recorder()
    hub.register(channel)
    first = asyncio.create_task(hub.process(msg("1", "/slow x")))
    then = asyncio.create_task(hub.process(msg("1", "/fast y")))  # same chat: after the slow reply
    await asyncio.sleep(0.1)
    await asyncio.wait_for(hub.process(msg("2", "/fast z")), timeout=2)
    assert channel.texts("2") == ["fast z"]
    await asyncio.sleep(0.3)
    assert channel.texts("1") == ["before", CATALOG.t("vi", "ask.preparing")]  # the progress note, nothing more
    slow.gate.set()
    await asyncio.wait_for(asyncio.gather(first, then), timeout=5)
    assert channel.texts("1") == ["before", CATALOG.t("vi", "ask.preparing"), "done x", "fast y"]
    assert len(slow.threads) == 1 and slow.threads[0].startswith("slow")  # the slow pool, not a dialog worker
    assert hub.metrics["slow_work_total"] == 1
    assert "civicbot_slow_work_total 1.0" in Metrics(hub).render()[0].decode()  # exported on /metrics
    hub.close()


async def test_quick_work_sends_no_progress_note(slow: Slow, dialog: Dialog) -> None:
    hub = Hub(dialog, workers=1)
    channel = Recorder()
    hub.register(channel)
    slow.gate.set()
    replies = await hub.process(msg("1", "/slow q"))
    assert [r.text for r in replies] == ["before", "done q"] == channel.texts("1")
    hub.close()


# ---- the LLM call of an answer ---------------------------------------------------------------
PASSAGE = "Hộ nghèo được hỗ trợ 40 triệu đồng để xây nhà và 20 triệu đồng để sửa nhà."
QUESTION = "hộ nghèo được hỗ trợ bao nhiêu tiền xây nhà"


@pytest.fixture()
def llm() -> Iterator[FakeLLM]:
    server = start_llm()
    yield server
    server.stop()


def ask_dialog(tmp_path: Path, llm: FakeLLM) -> Dialog:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    answerer = Answerer(FakeSearch([make_hit("housing", PASSAGE)]), threshold=0.5, llm_base_url=llm.base_url,
                        llm_model="fake", llm_timeout_s=5.0, model=ConfidenceModel({"cov_passage": 10.0}, -5.0))
    services = Services(answerer=answerer, logs=ActivityLog(engine))
    return Dialog(CATALOG, services, [AskFlow()], MemoryStateStore(), limiter=MemoryRateLimiter(1000))


async def test_a_slow_llm_holds_no_dialog_worker(tmp_path: Path, llm: FakeLLM) -> None:
    llm.mode, llm.delay_s = "slow", 2.5  # under the 3 s before a progress note
    hub = Hub(ask_dialog(tmp_path, llm), workers=1)
    channel = Recorder()
    hub.register(channel)
    asking = asyncio.create_task(hub.process(msg("1", QUESTION)))
    while not llm.requests:  # until the question is with the LLM
        await asyncio.sleep(0.02)
    await hub.process(msg("2", "/help"))
    assert channel.texts("2") and not channel.texts("1")  # answered while the LLM still thinks
    replies = await asyncio.wait_for(asking, timeout=10)
    assert channel.texts("1")[-1] == replies[-1].text
    assert replies[-1].text.startswith(FakeLLM.reply) and "housing" in replies[-1].text
    assert [c.data.split(":")[1] for c in replies[-1].all_choices()] == ["fb", "fb", "more", "src"]
    assert len(llm.requests) == 1
    hub.close()


def test_without_the_hub_the_answer_is_rephrased_in_the_same_call(tmp_path: Path, llm: FakeLLM) -> None:
    replies = ask_dialog(tmp_path, llm).handle(msg("1", QUESTION))
    assert len(replies) == 1 and not isinstance(replies[0], Later)
    assert replies[0].text.startswith(FakeLLM.reply)


def test_the_answerer_defers_the_llm_step_when_asked(tmp_path: Path, llm: FakeLLM) -> None:
    answerer = ask_dialog(tmp_path, llm).services.answerer
    deferred = answerer.answer(QUESTION, defer_llm=True)
    assert deferred.rephrase is not None and not deferred.generated and llm.requests == []
    assert deferred.text in PASSAGE
    done = answerer.rephrased(deferred)
    assert done.generated and done.text == FakeLLM.reply and done.rephrase is None
    assert done.citations == deferred.citations and len(llm.requests) == 1
    llm.mode = "error"
    failed = answerer.rephrased(deferred)
    assert not failed.generated and failed.text == deferred.text
