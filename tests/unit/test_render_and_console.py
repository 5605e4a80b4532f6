from __future__ import annotations

import asyncio
import io
from pathlib import Path

from bot.channels.console import ConsoleChannel
from bot.channels.render import numbered, split_text
from bot.db import create_schema, make_engine
from bot.hub import Hub
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Choice, Reply
from handlers.roles import RoleStore
from handlers.state import SqlStateStore
from tests.fakes.answering import FakeAnswerer


def test_split_text_keeps_everything_on_sentence_boundaries() -> None:
    sentence = "Hộ nghèo được hỗ trợ bảo hiểm y tế. "
    text = sentence * 200  # ~7,000 characters
    parts = split_text(text, 4096)
    assert len(parts) == 2
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_split_text_cuts_a_huge_word() -> None:
    parts = split_text("x" * 5000, 2000)
    assert [len(p) for p in parts] == [2000, 2000, 1000]


def test_numbered_choices_and_text_input_hint() -> None:
    reply = Reply("Chọn:", choices=[[Choice("A", "x:a"), Choice("B", "x:b")], [Choice("Web", "w", url="https://e.org")]])
    assert numbered(reply).splitlines()[2:] == ["1. A", "2. B", "• Web: https://e.org"]
    typed = Reply("Số người?", choices=[[Choice("◀ Quay lại", "x:back")]], input="text")
    assert "[◀ Quay lại]" in numbered(typed) and "1." not in numbered(typed)


def test_console_chat_round_trip(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    facts = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}
    services = Services(answerer=FakeAnswerer(facts), logs=ActivityLog(engine), roles=RoleStore(engine))
    dialog = Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine))
    hub = Hub(dialog)
    out = io.StringIO()
    typed = io.StringIO("/lang\n2\nbảo hiểm y tế cho hộ nghèo?\n/quit\n")
    console = ConsoleChannel(hub, lang="vi", stdin=typed, stdout=out)
    asyncio.run(console.run())
    hub.close()
    text = out.getvalue()
    assert "Xin chào" in text  # /start greeting
    assert "1. Tiếng Việt" in text and "2. Русский" in text
    assert "Язык: русский." in text  # the digit chose the second numbered choice
    assert "Nhà nước đóng bảo hiểm y tế" in text and "Nghị định 75/2023" in text
