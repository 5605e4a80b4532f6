"""Persona walk (issue 12): a Russian-speaking NGO volunteer in Pavlodar books a room of the House of
NGOs — in the terminal chat (numbered choices, typed digits) and on Telegram (real aiogram against
the fake Bot API) — staff approve, the volunteer sees it in /mybookings, gets the .ics and cancels
with confirmation. The bot's default language is Vietnamese; staff write in Russian (STAFF_LANG)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bookings.service import BookingService
from bot.channels.console import ConsoleChannel
from bot.db import create_schema, make_engine
from bot.hub import Hub
from handlers.booking.flow import BookingFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.messages import Incoming, Target
from handlers.roles import RoleStore
from handlers.staff_langs import StaffLangStore
from handlers.state import MemoryRateLimiter, SqlDeduper, SqlStateStore
from tests.e2e.telegram_kit import STAFF_CHAT, STAFF_USER, running
from tests.fakes.booking_support import FakeClock, make_service
from tests.fakes.bot_api import Call, FakeBotAPI

VOLUNTEER = 1


def house(tmp_path: Path, staff_target: Target) -> tuple[Dialog, BookingService]:
    """Tuesday 1 December 2026, 11:00 in Pavlodar (Asia/Almaty); one room, citizens' default vi."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    create_schema(engine)
    clock = FakeClock()
    svc = make_service(engine, clock)
    services = Services(bookings=svc, roles=RoleStore(engine, [f"telegram:{STAFF_USER}", f"console:{STAFF_USER}"]),
                        staff_target=staff_target,
                        staff_langs=StaffLangStore(engine), settings={"staff_lang": "ru"})
    dialog = Dialog(Catalog.load(), services, [BookingFlow()], SqlStateStore(engine), deduper=SqlDeduper(engine),
                    limiter=MemoryRateLimiter(1000), clock=clock, default_lang="vi")
    return dialog, svc


def numbered_line(text: str, label: str) -> str:
    """The digit the terminal shows in front of a choice containing `label`."""
    found = re.search(rf"^(\d+)\. [^\n]*{re.escape(label)}", text, re.MULTILINE)
    assert found is not None, f"no numbered choice {label!r} in:\n{text}"
    return found.group(1)


async def test_volunteer_walk_in_the_terminal(tmp_path: Path) -> None:
    dialog, svc = house(tmp_path, Target("console", "staff"))
    hub = Hub(dialog)
    out = io.StringIO()
    console = ConsoleChannel(hub, lang="ru", stdin=io.StringIO(), stdout=out)
    try:
        console.stdin = io.StringIO("\n".join([
            "/book", "1",                          # the only room, by its number
            "во вторник на следующей неделе",      # → 08.12.2026
            "1",                                   # the first start time, by its number (was `[09:00]`)
            "2",                                   # the second duration: 1 h
            "1",                                   # once
            "Эко-Павлодар", "Ольга Петрова", "+7 701 111 22 33",
            "1",                                   # ONE attendee: a typed answer, not Back
            "1", "2",                              # equipment: tick the projector, then Done
            "Встреча волонтёров",
            "1",                                   # ✅ send
        ]) + "\n")
        await console.run()
        walk = out.getvalue()
        assert "Какое помещение Дома НПО" in walk and "1. Большой зал — до 20 чел.; проектор" in walk
        assert "08.12.2026" in walk and re.search(r"^1\. 09:00$", walk, re.MULTILINE)
        assert "[◀ Назад]" in walk  # Back / Cancel are words in typed steps, not numbers
        assert "🔢 1 чел." in walk and "🔧 проектор" in walk and "📅 08.12.2026, 09:00–10:00" in walk
        assert "Ваша заявка №1 отправлена" in walk
        assert "[→ staff] 🏢 Новая заявка на бронирование №1" in walk  # staff get it in Russian
        [booking] = svc.list_bookings()
        assert (booking.attendees, booking.equipment, booking.lang) == (1, "projector", "ru")

        out.truncate(0)
        out.seek(0)
        await hub.process(Incoming("console", "staff", str(STAFF_USER), kind="callback", callback="bk:ap:1"))
        assert "✅ Ваше бронирование №1 одобрено: Большой зал, 08.12.2026, 09:00–10:00." in out.getvalue()

        out.truncate(0)
        out.seek(0)
        console.stdin = io.StringIO("/mybookings\n")
        await console.run()
        mine = out.getvalue()
        assert "№1 ✅ одобрено — Большой зал, 08.12.2026 09:00–10:00" in mine
        ics, cancel = numbered_line(mine, ".ics №1"), numbered_line(mine, "Отменить №1")
        console.stdin = io.StringIO(f"/mybookings\n{ics}\n/mybookings\n{cancel}\n")
        await console.run()
        steps = out.getvalue()
        assert "[file: booking-1.ics" in steps
        assert "Отменить бронирование №1?" in steps and svc.get(1).status == "approved"  # asked first
        console.stdin = io.StringIO(f"/mybookings\n{cancel}\n1\n")
        await console.run()
        assert "Бронирование №1 отменено." in out.getvalue()
        assert "[→ staff] Бронирование №1 (Большой зал, 08.12.2026 09:00) отменено заявителем." in out.getvalue()
        assert svc.get(1).status == "cancelled"
    finally:
        hub.close()


class Volunteer:
    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    async def text(self, text: str, expect: int = 1) -> Call:
        """Type; wait for `expect` messages; the first of them."""
        before = len(self.api.sent(VOLUNTEER))
        self.api.send_text(VOLUNTEER, text, user_id=VOLUNTEER, language_code="ru")
        return (await self.api.wait_sent(VOLUNTEER, count=before + expect))[before]

    async def press(self, data: str) -> Call:
        before = len(self.api.sent(VOLUNTEER))
        self.api.press(VOLUNTEER, data, user_id=VOLUNTEER, language_code="ru")
        return (await self.api.wait_sent(VOLUNTEER, count=before + 1))[before]


def datas(call: Call) -> list[str]:
    return [b.get("callback_data", "") for b in call.buttons()]


async def test_volunteer_walk_on_telegram(api: FakeBotAPI, tmp_path: Path) -> None:
    dialog, svc = house(tmp_path, Target("telegram", str(STAFF_CHAT)))
    me = Volunteer(api)
    async with running(api, dialog):
        rooms = await me.text("/book")
        assert "Дома НПО" in rooms.text and "bk:room:1" in datas(rooms)
        await me.press("bk:room:1")
        closed = await me.text("в воскресенье", expect=2)  # the reason, then the calendar again
        assert "воскресенье" in closed.text and "Рабочие дни: Пн, Вт, Ср, Чт, Пт, Сб" in closed.text
        far = await me.text("01.11")
        assert "01.11.2027" in far.text and "bk:far:2027-11-01" in datas(far)
        slots = await me.text("следующий вторник")
        assert "08.12.2026" in slots.text and "bk:slot:0900" in datas(slots)
        late = await me.text("19:00", expect=2)
        assert "09:00–18:00" in late.text  # the hours, not just "unavailable"
        await me.text("10")  # on Telegram a typed 10 is the time 10:00
        await me.press("bk:dur:120")
        await me.press("bk:rep:1")
        for answer in ("Эко-Павлодар", "Ольга", "+7 701 111 22 33", "15"):
            await me.text(answer)
        await me.press("bk:eq:done")
        summary = await me.text("Тренинг для волонтёров")
        assert "📅 08.12.2026, 10:00–12:00 (Asia/Almaty)" in summary.text
        staff_before = len(api.sent(STAFF_CHAT))
        await me.press("bk:ok")
        card = (await api.wait_sent(STAFF_CHAT, count=staff_before + 1))[-1]
        [booking] = svc.list_bookings()
        assert "Новая заявка на бронирование" in card.text and f"bk:ap:{booking.id}" in datas(card)

        before = len(api.sent(VOLUNTEER))
        api.press(STAFF_CHAT, f"bk:ap:{booking.id}", user_id=STAFF_USER, language_code="ru")
        note = (await api.wait_sent(VOLUNTEER, count=before + 1))[-1]
        assert f"Ваше бронирование №{booking.id} одобрено" in note.text

        mine = await me.text("/mybookings")
        assert "✅ одобрено" in mine.text and f"bk:cx:{booking.id}" in datas(mine)
        doc = await me.press(f"bk:ics:{booking.id}")
        assert doc.method == "sendDocument" and b"BEGIN:VEVENT" in next(iter(doc.files.values()))
        confirm = await me.press(f"bk:cx:{booking.id}")
        assert f"Отменить бронирование №{booking.id}?" in confirm.text
        assert datas(confirm) == [f"bk:cxy:{booking.id}", f"bk:cxn:{booking.id}"]
        kept = await me.press(f"bk:cxn:{booking.id}")
        assert "остаётся в силе" in kept.text and svc.get(booking.id).status == "approved"
        await me.press(f"bk:cx:{booking.id}")
        done = await me.press(f"bk:cxy:{booking.id}")
        assert f"Бронирование №{booking.id} отменено." in done.text
    assert svc.get(booking.id).status == "cancelled"
