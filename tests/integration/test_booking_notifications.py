"""Issue 12: a booking decided from the console (`civicbot bookings approve|reject|cancel`) while
`civicbot run` runs reaches the requester, once, in their language, through the outbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bookings.service import Requester
from bot.app import App
from bot.cli import app as cli
from bot.outbox import OutboxWorker
from bot.settings import load_settings
from handlers.messages import Reply
from tests.integration.test_bookings_cli import next_weekday


class Recorder:
    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    async def download(self, file_ref: str) -> bytes:
        raise LookupError(file_ref)


class RunningBot:
    """The hub as the delivery worker sees it (bot.outbox.DeliveryHub)."""

    direct: tuple[str, ...] = ()

    def __init__(self, channel: Recorder) -> None:
        self.channels = {channel.name: channel}
        self.metrics: dict[str, int] = {}

    async def on_sent(self, track: str, message_id: str) -> None:
        return None


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HOUSE_TIMEZONE", raising=False)


def _cli(data: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(data), *args], catch_exceptions=False)


def _book(data: Path, chat: str) -> int:
    app = App(load_settings(data_dir=data))
    day = next_weekday(3)
    made = app.bookings.request(room="meeting-room", start=f"{day}T10:00", end=f"{day}T12:00", org="Civil Alliance",
                                contact="Dana", phone="+7 701 000 11 22", attendees=6, purpose="Board meeting",
                                requester=Requester("telegram", chat, chat, "ru"))
    return int(made[0].id)


async def _deliver(data: Path) -> Recorder:
    app = App(load_settings(data_dir=data))
    channel = Recorder()
    stop = asyncio.Event()
    task = asyncio.create_task(OutboxWorker(app.outbox, RunningBot(channel), idle_s=0.05).run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await task
    return channel


@pytest.mark.parametrize(("action", "words"), [("approve", "одобрено"), ("reject", "отклонен"),
                                               ("cancel", "отмен")])
async def test_a_console_decision_reaches_the_requester_once(tmp_path: Path, action: str, words: str) -> None:
    data = tmp_path / "data"
    assert _cli(data, "rooms", "sample").exit_code == 0
    booking = _book(data, "4242")
    extra = ["--reason", "ремонт"] if action == "reject" else []
    done = _cli(data, "bookings", action, str(booking), *extra)
    assert done.exit_code == 0 and "notified" in done.stdout
    again = _cli(data, "bookings", action, str(booking))  # refused: nothing new to tell
    assert again.exit_code != 0
    channel = await _deliver(data)
    assert [chat for chat, _ in channel.sent] == ["4242"]
    text = channel.sent[0][1].text
    assert f"№{booking}" in text and words in text.lower()
    if action == "reject":
        assert "ремонт" in text
    assert not (await _deliver(data)).sent  # delivered once, not again by the next runner
