from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import create_schema, make_engine
from handlers.ask.flow import AskFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.logs import ActivityLog
from handlers.messages import Incoming, Target
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlStateStore
from tests.fakes.answering import FakeAnswerer

FACTS = {"bảo hiểm": ("d1", "Nghị định 75/2023", "Thành viên hộ nghèo được Nhà nước đóng bảo hiểm y tế.")}


@pytest.fixture()
def dialog(tmp_path: Path) -> Dialog:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    services = Services(
        answerer=FakeAnswerer(FACTS), logs=ActivityLog(engine), roles=RoleStore(engine, ["900"]),
        staff_target=Target("telegram", "-100"),
    )
    return Dialog(Catalog.load(), services, [AskFlow()], SqlStateStore(engine), limiter=MemoryRateLimiter(5))


def msg(text: str = "", **kw: object) -> Incoming:
    base: dict[str, object] = {"channel": "telegram", "chat_id": "1", "user_id": "1", "text": text}
    base.update(kw)
    return Incoming(**base)  # type: ignore[arg-type]


def test_start_uses_platform_language_and_shows_menu(dialog: Dialog) -> None:
    replies = dialog.handle(msg("/start", language_code="ru"))
    assert "Здравствуйте" in replies[0].text
    datas = [c.data for r in replies for c in r.all_choices()]
    assert "menu:ask" in datas and "menu:lang" in datas


def test_start_with_unknown_language_asks_for_it_first(dialog: Dialog) -> None:
    replies = dialog.handle(msg("/start", language_code="en"))
    assert [c.data for r in replies for c in r.all_choices()] == ["lang:vi", "lang:ru"]
    out = dialog.handle(msg(kind="callback", callback="lang:ru"))
    assert out[0].text == "Язык: русский." and any(c.data == "menu:ask" for c in out[1].all_choices())


def test_question_answered_with_source_and_feedback(dialog: Dialog) -> None:
    replies = dialog.handle(msg("ho ngheo co bảo hiểm y te khong"))
    assert "bảo hiểm y tế" in replies[0].text and "Nghị định 75/2023" in replies[0].text
    fb = next(c.data for c in replies[0].all_choices() if c.label == "👍")
    assert "Cảm ơn" in dialog.handle(msg(kind="callback", callback=fb))[0].text
    # another user cannot rate someone else's answer
    other = dialog.handle(msg(kind="callback", callback=fb, user_id="2", chat_id="2"))
    assert "cũ" in other[0].text


def test_abstain_handoff_and_staff_reply_relayed(dialog: Dialog) -> None:
    replies = dialog.handle(msg("thời tiết hôm nay thế nào"))
    fwd = next(c.data for c in replies[0].all_choices() if c.data.startswith("ask:fwd:"))
    out = dialog.handle(msg(kind="callback", callback=fwd))
    staff = next(r for r in out if r.target is not None)
    assert staff.target == Target("telegram", "-100") and staff.track
    dialog.on_sent(staff.track, "555")
    relay = dialog.handle(Incoming("telegram", "-100", "900", text="Trời nắng.", reply_to_message_id="555"))
    assert relay[0].target == Target("telegram", "1") and "Trời nắng." in relay[0].text


def test_typed_digit_maps_to_numbered_choice(dialog: Dialog) -> None:
    replies = dialog.handle(msg("/lang"))
    assert [c.data for c in replies[0].all_choices()] == ["lang:vi", "lang:ru"]
    out = dialog.handle(msg("2"))
    assert "русский" in out[0].text


def test_sticker_and_flood(dialog: Dialog) -> None:
    assert "chữ" in dialog.handle(msg(kind="sticker", text=None))[0].text
    for _ in range(4):
        dialog.handle(msg("/help"))
    assert "nhanh" in dialog.handle(msg("/help"))[0].text
    assert dialog.handle(msg("/help")) == []


def test_duplicate_update_handled_once(dialog: Dialog) -> None:
    assert dialog.handle(msg("/help", update_id="7"))
    assert dialog.handle(msg("/help", update_id="7")) == []
