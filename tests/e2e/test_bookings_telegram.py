"""The booking wizard through real aiogram and the fake Bot API server: the Russian requester books,
staff approve from the staff chat, the requester gets the decision and the .ics document, and the
reminder scheduler delivers through the hub."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bookings.service import BookingService
from bot.db import create_schema, make_engine
from bot.scheduler import ReminderScheduler
from handlers.booking.flow import BookingFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.messages import Target
from handlers.roles import RoleStore
from handlers.state import MemoryRateLimiter, SqlDeduper, SqlStateStore
from tests.e2e.telegram_kit import STAFF_CHAT, STAFF_USER, running
from tests.fakes.booking_support import FakeClock, make_service
from tests.fakes.bot_api import Call, FakeBotAPI

USER = 1


def booking_dialog(tmp_path: Path) -> tuple[Dialog, BookingService, FakeClock]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    clock = FakeClock()
    svc = make_service(engine, clock)
    services = Services(bookings=svc, roles=RoleStore(engine, [str(STAFF_USER)]),
                        staff_target=Target("telegram", str(STAFF_CHAT)), settings={"staff_lang": "ru"})
    dialog = Dialog(Catalog.load(), services, [BookingFlow()], SqlStateStore(engine), deduper=SqlDeduper(engine),
                    limiter=MemoryRateLimiter(1000), clock=clock)
    return dialog, svc, clock


class Steps:
    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    async def text(self, text: str, chat: int = USER, user: int = USER) -> Call:
        before = len(self.api.sent(chat))
        self.api.send_text(chat, text, user_id=user, language_code="ru")
        return (await self.api.wait_sent(chat, count=before + 1))[-1]

    async def press(self, data: str, chat: int = USER, user: int = USER, expect: int = 1) -> list[Call]:
        before = len(self.api.sent(chat))
        self.api.press(chat, data, user_id=user, language_code="ru")
        return (await self.api.wait_sent(chat, count=before + expect))[before:]


def datas(call: Call) -> list[str]:
    return [b.get("callback_data", "") for b in call.buttons()]


async def test_booking_approval_ics_and_reminder_over_telegram(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog, svc, _clock = booking_dialog(tmp_path)
    steps = Steps(api)
    async with running(api, dialog) as channel:
        rooms = await steps.text("/book")
        assert "bk:room:1" in datas(rooms) and "Большой зал" in str(rooms.buttons())
        [days] = await steps.press("bk:room:1")
        assert "bk:day:2026-12-03" in datas(days) and all(len(d.encode()) <= 64 for d in datas(days))
        slots = await steps.text("завтра")  # Wed 2 Dec: from 11:00 because of the 24 h notice
        assert datas(slots)[0] == "bk:slot:1100"
        [durations] = await steps.press("bk:slot:1400")
        assert "bk:dur:240" in datas(durations)
        await steps.press("bk:dur:90")
        await steps.press("bk:rep:1")
        for answer in ("Фонд «Степь»", "Айгерим", "+7 701 123 45 67", "12"):
            await steps.text(answer)
        await steps.press("bk:eq:0")
        await steps.press("bk:eq:done")
        summary = await steps.text("Тренинг <волонтёров> & встреча")
        assert "14:00–15:30" in summary.text and "&lt;волонтёров&gt; &amp;" in summary.text  # escaped HTML
        before_staff = len(api.sent(STAFF_CHAT))
        await steps.press("bk:ok")
        card = (await api.wait_sent(STAFF_CHAT, count=before_staff + 1))[-1]
        [booking] = svc.list_bookings()
        assert f"bk:ap:{booking.id}" in datas(card) and "Новая заявка" in card.text

        user_before = len(api.sent(USER))
        decided = await steps.press(f"bk:ap:{booking.id}", chat=STAFF_CHAT, user=STAFF_USER)
        assert "одобрена" in decided[0].text
        note = (await api.wait_sent(USER, count=user_before + 1))[-1]
        assert "одобрено" in note.text and f"bk:ics:{booking.id}" in datas(note)
        [doc] = await steps.press(f"bk:ics:{booking.id}")
        assert doc.method == "sendDocument" and b"BEGIN:VCALENDAR" in next(iter(doc.files.values()))

        before = len(api.sent(USER))
        scheduler = ReminderScheduler(svc, channel.hub.notify, [24, 2])
        sent = await scheduler.tick(booking.start_utc - timedelta(hours=2))
        assert sent == [(booking.id, 120)]
        reminder = (await api.wait_sent(USER, count=before + 1))[-1]
    assert "Напоминание" in reminder.text and "14:00–15:30" in reminder.text
