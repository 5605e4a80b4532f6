"""Issue 12, Booking: what a Pavlodar volunteer and the staff met, fixed at the root.

Closing a room hits bookings; refusals say the hours and the reason; far dates without a year are
confirmed; relative dates; cancelling confirms; room names; one repeat limit from the room's rules;
staff write in their own language; equipment and statistics codes are localized."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bookings.service import BookingService, Requester
from bot.db import create_schema, make_engine
from handlers.booking.flow import BookingFlow
from handlers.booking.notify import closure_notices
from handlers.dialog import Dialog
from handlers.flow import Ctx, Services
from handlers.i18n import Catalog
from handlers.messages import Incoming, Reply, Target
from handlers.roles import RoleStore
from handlers.staff.views import render_stats
from handlers.staff_chat import staff_lang
from handlers.staff_langs import StaffLangStore
from handlers.state import MemoryRateLimiter, SqlStateStore
from knowledge.errors import Conflict, NotFound, ValidationError
from tests.fakes.booking_support import FakeClock, ask, make_service
from tests.integration.test_bookings_chat import Chat as BaseChat

STAFF = Target("telegram", "-100")
CATALOG = Catalog.load()


class Chat(BaseChat):
    def to_day_step(self) -> None:
        self.say("/start")
        self.press("menu:bk")
        self.press("bk:room:1")


def datas(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Dialog, BookingService, Services]:
    engine = make_engine(f"sqlite:///{tmp_path / 'chat.sqlite'}")
    create_schema(engine)
    clock = FakeClock()  # Tuesday 1 December 2026, 11:00 in Almaty
    svc = make_service(engine, clock)
    services = Services(bookings=svc, roles=RoleStore(engine, ["900"]), staff_target=STAFF,
                        staff_langs=StaffLangStore(engine), settings={"staff_lang": "vi"})
    dialog = Dialog(Catalog.load(), services, [BookingFlow()], SqlStateStore(engine), clock=clock,
                    limiter=MemoryRateLimiter(1000), default_lang="vi")
    return dialog, svc, services


# ---- closing a room that has bookings ---------------------------------------------------------
def test_closing_a_day_with_bookings_is_refused_then_cancels_and_notifies(world: Any) -> None:
    _, svc, _ = world
    ru = ask(svc, "2026-12-04T10:00", "2026-12-04T12:00", requester=Requester("telegram", "7", "7", "ru"))[0]
    vi = ask(svc, "2026-12-04T14:00", "2026-12-04T15:00", requester=Requester("zalo_bot", "8", "8", "vi"))[0]
    svc.approve(ru.id, "staff")
    other_day = ask(svc, "2026-12-05T10:00", "2026-12-05T11:00")[0]
    with pytest.raises(Conflict) as refused:
        svc.close_day("hall", date(2026, 12, 4), "Ремонт отопления")
    assert refused.value.code == "booking.close_has_bookings"
    assert refused.value.params["bookings"] == [ru.id, vi.id] and f"#{ru.id}" in str(refused.value)
    assert svc.closures(1, date(2026, 12, 4), date(2026, 12, 4)) == {}  # nothing half-done
    closure = svc.close_day("hall", date(2026, 12, 4), "Ремонт отопления", cancel_bookings=True, actor="cli:boss")
    assert [b.id for b in closure.cancelled] == [ru.id, vi.id]
    assert {svc.get(i).status for i in (ru.id, vi.id)} == {"cancelled"} and svc.get(other_day.id).status == "pending"
    assert [e.event for e in svc.request_log() if e.booking_id == ru.id][-1] == "cancel"
    notices = closure_notices(CATALOG, svc, closure.cancelled)
    assert [n.target for n in notices] == [Target("telegram", "7"), Target("zalo_bot", "8")]
    assert "04.12.2026" in notices[0].text and "Ремонт отопления" in notices[0].text and "отменено" in notices[0].text
    assert "đã bị hủy" in notices[1].text  # each requester in their own language


# ---- refusals that say why --------------------------------------------------------------------
def test_a_start_outside_hours_says_the_hours(world: Any) -> None:
    dialog, _, _ = world
    user = Chat(dialog, "1", "ru")
    user.to_day_step()
    user.say("03.12")
    said = user.say("20:00")[0].text
    assert "09:00" in said and "18:00" in said


def test_a_closed_day_says_the_reason_or_the_open_weekdays(world: Any) -> None:
    dialog, svc, _ = world
    svc.close_day("hall", date(2026, 12, 4), "Санитарный день")
    user = Chat(dialog, "1", "ru")
    user.to_day_step()
    assert "Санитарный день" in user.say("в пятницу")[0].text
    sunday = user.say("в воскресенье")[0].text
    assert "воскресенье" in sunday and "Пн, Вт, Ср, Чт, Пт, Сб" in sunday


def test_a_date_without_year_far_ahead_is_confirmed(world: Any) -> None:
    dialog, _, _ = world
    user = Chat(dialog, "1", "ru")
    user.to_day_step()
    asked = user.say("01.11")
    assert "01.11.2027" in asked[0].text and "bk:far:2027-11-01" in datas(asked)
    assert "bk:slot:0900" not in datas(asked)  # not taken yet
    slots = user.press("bk:far:2027-11-01")
    assert "01.11.2027" in slots[0].text and "bk:slot:0900" in datas(slots)
    near = Chat(dialog, "2", "ru")
    near.to_day_step()
    assert "bk:slot:0900" in datas(near.say("03.12"))  # near dates are not asked about


@pytest.mark.parametrize(("typed", "day"), [
    ("следующий вторник", "08.12.2026"), ("во вторник на следующей неделе", "08.12.2026"),
    ("thứ ba tuần sau", "08.12.2026"), ("thu 3 tuan sau", "08.12.2026"), ("в пятницу", "04.12.2026"),
    ("послезавтра", "03.12.2026"), ("ngày mai", "02.12.2026"),
])
def test_relative_dates_in_the_chat(world: Any, typed: str, day: str) -> None:
    dialog, _, _ = world
    user = Chat(dialog, "1", "ru")
    user.to_day_step()
    replies = user.say(typed)
    assert day in replies[0].text or day in replies[-1].text


# ---- room names, slugs, one repeat limit ------------------------------------------------------
def test_rooms_by_any_name_and_ids_without_punctuation(world: Any) -> None:
    _, svc, _ = world
    svc.add_room("training-room", 20, name_ru="Тренинговый зал", name_vi="Phòng tập huấn")
    for typed in ("Тренинговый зал", "тренинговый ЗАЛ", "тренинговыи зал", "phong tap huan", "TRAINING-ROOM"):
        assert svc.get_room(typed).name == "training-room"
    assert svc.add_room("Test Room!", 5).name == "test-room"
    with pytest.raises(ValidationError):
        svc.add_room("!!!", 5)
    with pytest.raises(NotFound):
        svc.get_room("Нет такого")


def test_one_repeat_limit_from_the_room(world: Any) -> None:
    dialog, svc, _ = world
    with pytest.raises(ValidationError) as info:
        ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", repeat_weeks=13)  # the CLI allowed 52
    assert info.value.params["limit"] == 12
    svc.update_room("hall", max_repeat_weeks=3)
    with pytest.raises(ValidationError):
        ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", repeat_weeks=4)
    user = Chat(dialog, "1", "ru")
    user.to_day_step()
    user.say("03.12")
    user.press("bk:slot:1000")
    asked = user.press("bk:dur:60")
    assert "до 3" in asked[0].text and "bk:rep:4" not in datas(asked)
    assert "от 1 до 3" in user.say("4")[0].text


# ---- staff language, localized labels -------------------------------------------------------
def test_staff_write_in_their_own_language(world: Any) -> None:
    dialog, _, services = world
    services.settings["staff_lang"] = "ru"  # STAFF_LANG=ru while citizens default to Vietnamese
    card = _request_card(dialog, "1")
    assert "Новая заявка" in card.text and "проектор" in card.text
    services.settings["staff_lang"] = "vi"
    staff = Chat(dialog, "900", None, chat=STAFF.chat_id)
    staff.say("/lang")
    staff.press("lang:ru")  # a staff member's last /lang in the staff chat wins over the setting
    assert staff_lang(services) == "ru"
    assert "Новая заявка" in _request_card(dialog, "2").text
    visitor = Chat(dialog, "5", None, chat=STAFF.chat_id)
    visitor.press("lang:vi")  # not staff: does not change what staff get
    assert staff_lang(services) == "ru"


def test_staff_lang_setting_is_not_the_citizens_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.app import App
    from bot.settings import load_settings

    monkeypatch.setenv("CIVICBOT_DEFAULT_LANG", "vi")
    monkeypatch.setenv("STAFF_LANG", "ru")
    assert App(load_settings(data_dir=tmp_path)).flow_settings()["staff_lang"] == "ru"
    monkeypatch.delenv("STAFF_LANG")
    assert App(load_settings(data_dir=tmp_path)).flow_settings()["staff_lang"] == "vi"  # unset: as before
    monkeypatch.setenv("STAFF_LANG", "de")
    with pytest.raises(ValueError):
        load_settings(data_dir=tmp_path)


def _request_card(dialog: Dialog, user_id: str) -> Reply:
    user = Chat(dialog, user_id, "vi")
    user.to_day_step()
    user.say("03.12" if user_id == "1" else "04.12")
    user.press("bk:slot:1000")
    user.press("bk:dur:60")
    user.press("bk:rep:1")
    for answer in ("Quỹ", "Lan", "+84901234567", "5"):
        user.say(answer)
    user.press("bk:eq:0")
    user.press("bk:eq:done")
    user.say("Họp")
    sent = user.press("bk:ok")
    return next(r for r in sent if r.target == STAFF)


def test_stats_codes_are_localized() -> None:
    stats = {"days": 7, "from": "2026-11-25", "to": "2026-12-01", "per_day": [], "top_topics": [],
             "top_documents": [], "handoffs": {"open": 1},
             "questions": {"total": 0, "answered": 0, "abstained": 0, "answered_rate": None, "abstained_rate": None,
                           "by_lang": {}, "unanswered_open": 0},
             "feedback": {"up": 0, "down": 0, "ratio": None},
             "eligibility": {"total": 3, "by_outcome": {"eligible": 1, "poor": 2}},
             "bookings": {"total": 1, "by_status": {"pending": 1}}}
    ctx = Ctx(Incoming("telegram", "1", "1", text="/stats"), "ru", CATALOG, Services(), {}, None)  # type: ignore[arg-type]
    text = render_stats(ctx, stats)
    assert "бедные 2" in text and "имеют право 1" in text and "ждут решения 1" in text
    assert "eligible" not in text and "pending" not in text


def test_one_russian_name_for_the_house() -> None:
    ru = CATALOG.messages["ru"]
    assert not [k for k, v in ru.items() if "НКО" in v]
    assert "Дома НПО" in ru["booking.pick_room"]
