"""The booking conversation through the Dialog API, in Russian and Vietnamese: the wizard with
typed dates and Back, validation messages, staff approve / reject (with reason) in the staff chat,
notifications to the requester, /mybookings with Cancel and .ics, /pending for staff only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bookings.service import BookingService
from bot.db import create_schema, make_engine
from handlers.booking.flow import BookingFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply, Target
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlStateStore
from tests.fakes.booking_support import FakeClock, make_service

STAFF = Target("telegram", "-100")


class Chat:
    def __init__(self, dialog: Dialog, user: str, lang: str | None = None, chat: str | None = None) -> None:
        self.dialog, self.user, self.lang, self.chat = dialog, user, lang, chat or user

    def say(self, text: str) -> list[Reply]:
        return self.dialog.handle(Incoming("telegram", self.chat, self.user, text=text, language_code=self.lang))

    def press(self, data: str) -> list[Reply]:
        return self.dialog.handle(Incoming("telegram", self.chat, self.user, kind="callback", callback=data,
                                           language_code=self.lang))


    def book_until_summary(self, *, slot: str, weeks: str = "bk:rep:1", room: str = "bk:room:1",
                           answers: tuple[str, ...] = ("Фонд", "Ольга", "+77011112233", "5"),
                           purpose: str | None = "Встреча") -> list[Reply]:
        """From the menu to the summary on 03.12 (a button or a typed answer for the repeat step)."""
        self.say("/start")
        self.press("menu:bk")
        self.press(room)
        self.say("03.12")
        self.press(f"bk:slot:{slot}")
        self.press("bk:dur:60")
        replies = self.press(weeks) if weeks.startswith("bk:") else self.say(weeks)
        for answer in answers:
            replies = self.say(answer)
        if purpose is None:
            return replies
        self.press("bk:eq:done")
        return self.say(purpose)


def datas(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


def label_of(replies: list[Reply], data: str) -> str:
    return next(c.label for r in replies for c in r.all_choices() if c.data == data)


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Dialog, BookingService, FakeClock]:
    engine = make_engine(f"sqlite:///{tmp_path / 'chat.sqlite'}")
    create_schema(engine)
    clock = FakeClock()
    svc = make_service(engine, clock)
    services = Services(bookings=svc, roles=RoleStore(engine, ["900"]), staff_target=STAFF,
                        settings={"staff_lang": "ru"})
    dialog = Dialog(Catalog.load(), services, [BookingFlow()], SqlStateStore(engine), clock=clock,
                    limiter=MemoryRateLimiter(1000))
    return dialog, svc, clock


def test_russian_walkthrough_with_approval(world: Any) -> None:
    dialog, svc, _ = world
    user, staff = Chat(dialog, "1", "ru"), Chat(dialog, "900", "ru", chat=STAFF.chat_id)
    assert "menu:bk" in datas(user.say("/start"))
    rooms = user.press("menu:bk")
    assert "Большой зал — до 20 чел.; проектор" in label_of(rooms, "bk:room:1")  # equipment in the user's language
    days = user.press("bk:room:1")
    assert "✖ Вс 06.12" in [c.label for c in days[0].all_choices()]  # Sunday closed
    assert "✖ Вт 01.12" in [c.label for c in days[0].all_choices()]  # today: too late for 24 h notice
    assert "Не понял дату «31.02»" in user.say("31.02")[0].text
    slots = user.say("03.12")
    assert "bk:slot:0900" in datas(slots) and "03.12.2026" in slots[0].text
    durations = user.press("bk:slot:1000")
    assert "не дольше 4 ч" in durations[0].text and "bk:dur:240" in datas(durations)
    repeat = user.press("bk:dur:120")[0]
    assert "каждую неделю" in repeat.text and "bk:rep:4" in [c.data for c in repeat.all_choices()]
    assert "организация" in user.press("bk:rep:1")[0].text
    user.say("Зелёная степь")
    user.say("Айгерим")
    assert "не похоже на номер" in user.say("позвоните мне")[0].text
    user.say("+7 701 123 45 67")
    assert "не больше 20" in user.say("25")[0].text
    equipment = user.say("15")
    assert "оборудование" in equipment[0].text and datas(equipment)[:2] == ["bk:eq:0", "bk:eq:done"]
    assert "☑ проектор" in label_of(user.press("bk:eq:0"), "bk:eq:0")
    assert "☐ проектор" in label_of(user.press("bk:eq:0"), "bk:eq:0")  # tapped again: unselected
    user.press("bk:eq:0")
    assert "Цель" in user.press("bk:eq:done")[0].text
    summary = user.say("Тренинг для волонтёров")
    assert "🔧 проектор" in summary[0].text
    assert "10:00–12:00" in summary[0].text and "Зелёная степь" in summary[0].text and "bk:ok" in datas(summary)
    assert "Цель" in user.press("bk:back")[0].text  # Back returns to the previous question
    user.say("Тренинг для волонтёров проекта")
    sent = user.press("bk:ok")
    booking = svc.list_bookings()[0]
    assert booking.status == "pending" and booking.lang == "ru" and booking.purpose.endswith("проекта")
    assert booking.equipment == "projector"
    assert f"№{booking.id}" in sent[0].text
    card = next(r for r in sent if r.target == STAFF)
    assert f"bk:ap:{booking.id}" in datas([card]) and "Новая заявка" in card.text

    assert "только сотрудникам" in user.press(f"bk:ap:{booking.id}")[0].text  # not staff
    decided = staff.press(f"bk:ap:{booking.id}")
    assert "одобрена" in decided[0].text
    note = next(r for r in decided if r.target == Target("telegram", "1"))
    assert "одобрено" in note.text and f"bk:ics:{booking.id}" in datas([note])
    doc = user.press(f"bk:ics:{booking.id}")[0].document
    assert doc is not None and doc.mime_type == "text/calendar" and b"BEGIN:VEVENT" in doc.content
    mine = user.say("/mybookings")
    assert "✅ одобрено" in mine[0].text and f"bk:cx:{booking.id}" in datas(mine)
    asked = user.press(f"bk:cx:{booking.id}")  # cancelling asks first
    assert f"Отменить бронирование №{booking.id}?" in asked[0].text and svc.get(booking.id).status == "approved"
    done = user.press(f"bk:cxy:{booking.id}")
    assert "отменено" in done[0].text and any(r.target == STAFF for r in done)
    assert svc.get(booking.id).status == "cancelled"


def test_vietnamese_walkthrough_with_rejection(world: Any) -> None:
    dialog, svc, _ = world
    user, staff = Chat(dialog, "2", "vi"), Chat(dialog, "900", "ru", chat=STAFF.chat_id)
    user.say("/start")
    user.press("menu:bk")
    user.say("1")  # a typed digit picks the first room on text-only channels
    assert "Chọn giờ" in user.say("ngày mai")[0].text  # Wed 2 Dec; starts from 11:00 (24 h notice)
    durations = user.say("14:00")
    assert "Bắt đầu lúc 14:00" in durations[0].text
    assert "hằng tuần" in user.say("2 giờ")[0].text
    assert "1 đến 12" in user.say("99")[0].text  # re-asked
    assert "Tổ chức" in user.say("1")[0].text  # a typed digit is the answer here, not a numbered button
    for answer in ("Nhóm Xanh", "Lan", "0912 345 678", "8", "loa kéo", "Họp nhóm tình nguyện"):
        replies = user.say(answer)
    assert "14:00–16:00" in replies[0].text and "02.12.2026" in replies[0].text
    sent = user.press("bk:ok")
    b = svc.list_bookings()[0]
    assert f"#{b.id}" in sent[0].text and b.lang == "vi" and b.equipment == "loa kéo"  # typed equipment

    assert "1" in staff.say("/pending")[0].text
    asked = staff.press(f"bk:rj:{b.id}")
    assert "причину" in asked[0].text
    result = staff.say("Зал занят ремонтом")
    to_user = next(r for r in result if r.target == Target("telegram", "2"))
    assert "bị từ chối" in to_user.text and "Зал занят ремонтом" in to_user.text
    assert svc.get(b.id).status == "rejected" and svc.get(b.id).decision_reason == "Зал занят ремонтом"
    mine = user.say("/mybookings")
    assert "❌ bị từ chối" in mine[0].text and datas(mine) == []  # nothing left to cancel


def test_back_cancel_and_closed_days(world: Any) -> None:
    dialog, svc, _ = world
    from datetime import date

    svc.close_day("hall", date(2026, 12, 4), "Ремонт")
    user = Chat(dialog, "3", "vi")
    user.say("/start")
    user.press("menu:bk")
    days = user.press("bk:room:1")
    assert any(c.label == "✖ T6 04.12" for c in days[0].all_choices())
    assert "phòng đóng cửa. Lý do: Ремонт" in user.press("bk:day:2026-12-04")[0].text
    assert "phòng đóng cửa. Lý do: Ремонт" in user.say("thứ sáu")[0].text
    user.say("03.12")
    assert "Chọn ngày" in user.press("bk:back")[0].text
    assert "phòng nào" in user.say("quay lại")[0].text  # typed Back
    cancelled = user.say("hủy")
    assert "Đã hủy" in cancelled[0].text
    assert "cũ" in user.press("bk:slot:1000")[0].text  # an old wizard button after cancelling
    assert "chỉ dành cho cán bộ" in user.say("/pending")[0].text


def test_race_lost_in_chat_gives_clear_message(world: Any) -> None:
    dialog, svc, _ = world
    user = Chat(dialog, "4", "ru")
    user.book_until_summary(slot="1000")
    from tests.fakes.booking_support import ask

    ask(svc, "2026-12-03T10:30", "2026-12-03T11:30")  # someone else was faster
    lost = user.press("bk:ok")
    assert "уже занято" in lost[0].text
    assert len(svc.list_bookings()) == 1


def test_equipment_step_skipped_for_a_bare_room(world: Any) -> None:
    dialog, svc, _ = world
    bare = svc.add_room("bare", 6, min_notice_hours=0)
    user = Chat(dialog, "5", "ru")
    user.book_until_summary(slot="1000", room=f"bk:room:{bare.id}", answers=("Фонд", "Ольга", "+77011112233"),
                            purpose=None)
    assert "Цель" in user.say("4")[0].text  # no equipment question
    assert "Сколько" in user.press("bk:back")[0].text  # and Back skips it too
    assert "bk:eq:done" not in datas(user.say("4"))


def test_weekly_series_from_the_chat_is_all_or_nothing(world: Any) -> None:
    dialog, svc, _ = world
    user = Chat(dialog, "6", "ru")
    summary = user.book_until_summary(slot="1000", weeks="bk:rep:4")
    assert "4 раз" in summary[0].text
    from tests.fakes.booking_support import ask

    ask(svc, "2026-12-17T10:00", "2026-12-17T11:00")  # the third week is taken meanwhile
    refused = user.press("bk:ok")
    assert "17.12.2026" in refused[0].text and "Ничего не забронировано" in refused[0].text
    assert len(svc.list_bookings()) == 1  # only the other request
    sent = user.press("bk:ok")  # the wizard is still at the summary: change nothing, try again → same
    assert "17.12.2026" in sent[0].text


def test_weekly_series_from_the_chat_creates_every_week(world: Any) -> None:
    dialog, svc, _ = world
    user = Chat(dialog, "7", "vi")
    user.book_until_summary(slot="1300", weeks="2", answers=("Nhóm Xanh", "Lan", "0912 345 678", "8"),
                            purpose="Họp")  # a typed number of weeks
    sent = user.press("bk:ok")
    made = svc.list_bookings()
    assert [b.start_utc.day for b in made] == [3, 10] and made[0].series_id == made[1].series_id
    assert "2 yêu cầu" in sent[1].text
