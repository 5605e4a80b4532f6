"""Every booking rule at its boundary. Now = Tue 1 Dec 2026 11:00 Almaty; room `hall`:
Mon-Sat 09:00-18:00, capacity 20, at most 4 h, at least 24 h notice."""

from __future__ import annotations

from datetime import date

import pytest

from bookings.service import BookingService
from knowledge.errors import CivicError, Conflict, NotFound, ValidationError
from tests.fakes.booking_support import ask


def refused(svc: BookingService, start: str, end: str, **kw: object) -> CivicError:
    with pytest.raises(CivicError) as info:
        ask(svc, start, end, **kw)
    return info.value


def test_created_pending_and_stored_in_utc(svc: BookingService) -> None:
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    assert b.id and b.status == "pending"
    assert (b.start_utc.hour, b.end_utc.hour) == (5, 7)
    assert b.phone == "+77011234567"


def test_not_in_the_past(svc: BookingService) -> None:
    err = refused(svc, "2026-11-30T10:00", "2026-11-30T11:00")
    assert err.code == "booking.past" and isinstance(err, ValidationError)


def test_minimum_notice_boundary(svc: BookingService) -> None:
    assert refused(svc, "2026-12-02T10:59", "2026-12-02T11:30").code == "booking.short_notice"
    [ok] = ask(svc, "2026-12-02T11:00", "2026-12-02T12:00")  # exactly 24 h ahead
    assert ok.status == "pending"


def test_opening_hours_boundaries(svc: BookingService) -> None:
    assert refused(svc, "2026-12-03T08:59", "2026-12-03T10:00").code == "booking.outside_hours"
    assert refused(svc, "2026-12-03T17:00", "2026-12-03T18:01").code == "booking.outside_hours"
    ask(svc, "2026-12-03T09:00", "2026-12-03T10:00")
    ask(svc, "2026-12-03T17:00", "2026-12-03T18:00")


def test_closed_weekday(svc: BookingService) -> None:
    err = refused(svc, "2026-12-06T10:00", "2026-12-06T11:00")  # a Sunday
    assert err.code == "booking.closed_weekday" and err.params["weekday"] == "sun"


def test_closed_date_and_reopened(svc: BookingService) -> None:
    svc.close_day("hall", date(2026, 12, 4), "Repairs")
    err = refused(svc, "2026-12-04T10:00", "2026-12-04T11:00")
    assert err.code == "booking.closed_day" and "Repairs" in str(err)
    assert svc.open_day("hall", date(2026, 12, 4))
    ask(svc, "2026-12-04T10:00", "2026-12-04T11:00")


def test_capacity_boundary(svc: BookingService) -> None:
    assert refused(svc, "2026-12-03T10:00", "2026-12-03T11:00", attendees=21).code == "booking.over_capacity"
    ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", attendees=20)


def test_max_duration_boundary(svc: BookingService) -> None:
    assert refused(svc, "2026-12-03T10:00", "2026-12-03T14:01").code == "booking.too_long"
    ask(svc, "2026-12-03T10:00", "2026-12-03T14:00")


def test_no_overlap_with_pending_or_approved(svc: BookingService) -> None:
    [first] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    err = refused(svc, "2026-12-03T11:59", "2026-12-03T13:00")
    assert isinstance(err, Conflict) and err.code == "booking.overlap" and "10:00-12:00" in str(err)
    ask(svc, "2026-12-03T12:00", "2026-12-03T13:00")  # touching is fine
    svc.approve(first.id or 0, "staff-1")
    assert refused(svc, "2026-12-03T09:00", "2026-12-03T10:30").code == "booking.overlap"


def test_rejected_and_cancelled_free_the_slot(svc: BookingService) -> None:
    [a] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    svc.reject(a.id or 0, "staff-1", "Closed event")
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    svc.cancel(b.id or 0, "staff-1")
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")


def test_other_room_does_not_conflict(svc: BookingService) -> None:
    svc.add_room("small", 8, min_notice_hours=0)
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00", room="small", attendees=8)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"phone": "12345"}, "booking.bad_phone"),
        ({"phone": "call me"}, "booking.bad_phone"),
        ({"attendees": 0}, "booking.bad_attendees"),
        ({"attendees": "ten"}, "booking.bad_attendees"),
        ({"org": "  "}, "booking.field_required"),
        ({"purpose": "x" * 1001}, "booking.field_too_long"),
    ],
)
def test_field_validation(svc: BookingService, fields: dict[str, object], code: str) -> None:
    assert refused(svc, "2026-12-03T10:00", "2026-12-03T11:00", **fields).code == code


def test_bad_times(svc: BookingService) -> None:
    assert refused(svc, "2026-12-03T10:00", "2026-12-03T10:00").code == "booking.bad_range"
    assert refused(svc, "tomorrow", "2026-12-03T10:00").code == "booking.bad_datetime"
    assert refused(svc, "2026-12-03T17:00", "2026-12-04T10:00").code == "booking.multi_day"


def test_room_by_id_or_name(svc: BookingService) -> None:
    room = svc.get_room("HALL")
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", room=str(room.id))
    assert b.room_id == room.id
    with pytest.raises(NotFound):
        ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", room="attic")


def test_phone_formats_accepted(svc: BookingService) -> None:
    for i, phone in enumerate(["+7 (701) 123-45-67", "8 701 123 45 67", "0912 345 678", "+84 912.345.678"]):
        [b] = ask(svc, f"2026-12-03T{10 + i}:00", f"2026-12-03T{10 + i}:30", phone=phone)
        assert b.phone.lstrip("+").isdigit()


def test_database_guard_refuses_when_the_python_check_is_bypassed(
    svc: BookingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    monkeypatch.setattr(svc, "_check_all", lambda *a, **k: None)  # pretend the check missed the overlap
    err = refused(svc, "2026-12-03T11:00", "2026-12-03T13:00")
    assert err.code == "booking.overlap" and isinstance(err, Conflict)
    assert len(svc.list_bookings()) == 1
    assert [(r.outcome, r.error_code) for r in svc.request_log()] == [
        ("created", None), ("refused", "booking.overlap")]
