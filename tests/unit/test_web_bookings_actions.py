"""Console booking actions: the same services as the chat and the CLI, the requester told once in
their own language through the outbox, every action (and refusal) in the staff audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.web.pages import bookings_actions as act
from knowledge.errors import CivicError
from tests.unit.web_bookings_support import STAFF, World, make_world


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(tmp_path, monkeypatch)


def test_approve_tells_the_requester_in_their_language_once(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00", lang="ru")
    done = act.approve(world.desk, b.id)
    assert done.booking.status == "approved" and done.booking.decided_by == STAFF and done.notified == 1
    [(key, chat, text)] = world.outbox_texts()
    assert (key, chat) == (f"booking:{b.id}:approved", "telegram:4242")
    assert text == f"✅ Ваше бронирование №{b.id} одобрено: Большой зал, 03.12.2026, 10:00–12:00."
    [entry] = world.audits()
    assert (entry.actor, entry.channel, entry.action, entry.target, entry.outcome) == (
        "9001", "telegram", "booking_approve", f"booking:{b.id}", "ok")
    assert json.loads(entry.details) == {"via": "web", "notified": 1}

    with pytest.raises(CivicError) as info:
        act.approve(world.desk, b.id)
    assert info.value.code == "booking.bad_status"
    assert len(world.outbox_rows()) == 1  # nothing new to tell
    refused = world.audits()[-1]
    assert (refused.outcome, json.loads(refused.details)) == ("failed", {"via": "web", "code": "booking.bad_status"})


def test_reject_carries_the_reason_to_the_requester(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00", lang="vi", chat="55")
    done = act.reject(world.desk, b.id, "  Phòng đang sửa chữa  ")
    assert done.booking.status == "rejected" and done.booking.decision_reason == "Phòng đang sửa chữa"
    [(key, chat, text)] = world.outbox_texts()
    assert (key, chat) == (f"booking:{b.id}:rejected", "telegram:55")
    assert text.startswith(f"❌ Rất tiếc, yêu cầu đặt phòng #{b.id} (Phòng họp lớn, 03.12.2026)")
    assert text.endswith("Lý do: Phòng đang sửa chữa")


def test_reject_without_a_reason_says_so_and_bad_reason_is_refused(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00", lang="en")
    with pytest.raises(CivicError) as info:
        act.reject(world.desk, b.id, "x" * 1001)
    assert info.value.code == "booking.field_too_long"
    assert world.svc.get(b.id).status == "pending" and world.outbox_rows() == []
    act.reject(world.desk, b.id, "")
    [(_, _, text)] = world.outbox_texts()
    assert text.endswith("Reason: not given")


def test_a_booking_made_from_the_cli_has_nobody_to_tell(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00", chat=None)
    done = act.approve(world.desk, b.id)
    assert done.notified == 0 and world.outbox_rows() == []
    assert json.loads(world.audits()[0].details) == {"via": "web"}


def test_cancel_by_staff_tells_the_requester(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00", lang="en")
    act.approve(world.desk, b.id)
    act.cancel(world.desk, b.id, "Double booked by phone")
    texts = [t for _, _, t in world.outbox_texts()]
    # English has no room name of its own: the Russian one stands in, as in the chat
    assert texts[-1] == f"Your booking #{b.id} (Большой зал, 03.12.2026 10:00) was cancelled by staff."
    assert world.svc.get(b.id).cancel_reason == "Double booked by phone"


def test_closing_a_booked_day_is_refused_until_staff_cancel_the_bookings(world: World) -> None:
    ru = world.book("2026-12-03T10:00", "2026-12-03T11:00", lang="ru")
    vi = world.book("2026-12-03T12:00", "2026-12-03T13:00", lang="vi", chat="55")
    cli = world.book("2026-12-03T14:00", "2026-12-03T15:00", chat=None)
    act.approve(world.desk, vi.id)
    other_day = world.book("2026-12-04T10:00", "2026-12-04T11:00", chat="56")
    before = len(world.outbox_rows())

    with pytest.raises(CivicError) as info:
        act.close(world.desk, "hall", date(2026, 12, 3), "Ремонт", cancel_bookings=False)
    assert info.value.code == "booking.close_has_bookings"
    assert world.svc.closures(1, date(2026, 12, 3), date(2026, 12, 3)) == {}  # nothing half-written
    assert world.audits()[-1].outcome == "failed"

    done = act.close(world.desk, "hall", date(2026, 12, 3), "Ремонт", cancel_bookings=True)
    assert sorted(b.id for b in done.cancelled) == sorted([ru.id, vi.id, cli.id]) and done.notified == 2
    assert {world.svc.get(i).status for i in (ru.id, vi.id, cli.id)} == {"cancelled"}
    assert world.svc.get(other_day.id).status == "pending"
    notices = world.outbox_texts()[before:]
    assert [(k, c) for k, c, _ in notices] == [(f"booking:{ru.id}:closed", "telegram:4242"),
                                               (f"booking:{vi.id}:closed", "telegram:55")]
    assert "закрыто (Ремонт)" in notices[0][2] and "đóng cửa (Ремонт)" in notices[1][2]
    entry = world.audits()[-1]
    assert (entry.action, entry.target, entry.outcome) == ("room_close", "room:hall", "ok")
    assert json.loads(entry.details) == {"via": "web", "day": "2026-12-03", "notified": 2,
                                         "cancelled": [ru.id, vi.id, cli.id]}

    assert act.reopen(world.desk, "hall", date(2026, 12, 3)) is True
    assert act.reopen(world.desk, "hall", date(2026, 12, 3)) is False
    assert [(a.action, json.loads(a.details)["reopened"]) for a in world.audits()[-2:]] == [
        ("room_open", True), ("room_open", False)]


def test_exports_are_the_cli_exports_and_are_audited(world: World) -> None:
    a = world.book("2026-12-03T10:00", "2026-12-03T11:00")
    world.book("2026-12-04T10:00", "2026-12-04T11:00", chat="56")
    act.approve(world.desk, a.id)
    data = act.export(world.desk, "csv")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [(r["event"], r["booking_id"]) for r in rows] == [("request", str(a.id)), ("request", str(a.id + 1)),
                                                             ("approve", str(a.id))]
    assert data == world.svc.export_csv()
    ics = act.export(world.desk, "ics", lang="vi")
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"booking-{a.id}@civicbot"]
    assert "Phòng họp lớn" in str(events[0]["LOCATION"])
    assert [(x.action, x.target) for x in world.audits()[-2:]] == [("booking_export", "csv"), ("booking_export", "ics")]
    with pytest.raises(ValueError):
        act.export(world.desk, "xlsx")
