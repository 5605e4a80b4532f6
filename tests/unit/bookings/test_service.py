"""Time zones, recurring requests, the staff round trip, the request log and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bookings.service import BookingService, Requester
from knowledge.errors import CivicError, Conflict, Forbidden, ValidationError
from tests.fakes.booking_support import FakeClock, ask


def test_device_in_another_zone_is_converted_to_house_time(svc: BookingService) -> None:
    # 10:00 in Hanoi (UTC+7) is 08:00 in Almaty: before opening.
    with pytest.raises(CivicError) as info:
        ask(svc, "2026-12-03T10:00+07:00", "2026-12-03T11:00+07:00")
    assert info.value.code == "booking.outside_hours"
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    [b] = ask(svc, datetime(2026, 12, 3, 14, tzinfo=hanoi), datetime(2026, 12, 3, 16, tzinfo=hanoi))
    assert b.start_utc == datetime(2026, 12, 3, 7, tzinfo=UTC)
    assert svc.to_local(b.start_utc) == datetime(2026, 12, 3, 12, 0)


def test_almaty_has_no_dst_and_other_house_zones_work(engine: Engine, clock: FakeClock) -> None:
    almaty = BookingService(engine, house_tz="Asia/Almaty", clock=clock)
    assert almaty.to_utc(datetime(2026, 7, 1, 10)).hour == almaty.to_utc(datetime(2026, 12, 1, 10)).hour == 5
    hcm = BookingService(engine, house_tz="Asia/Ho_Chi_Minh", clock=clock)
    assert hcm.to_utc(datetime(2026, 12, 1, 10)).hour == 3
    with pytest.raises(ValidationError):
        BookingService(engine, house_tz="Mars/Olympus")


def test_recurring_all_or_nothing_names_conflicting_dates(svc: BookingService) -> None:
    ask(svc, "2026-12-17T11:00", "2026-12-17T12:00")  # the 3rd Thursday is taken
    svc.close_day("hall", date(2026, 12, 10), "Holiday")  # the 2nd is closed
    with pytest.raises(Conflict) as info:
        ask(svc, "2026-12-03T10:00", "2026-12-03T12:00", repeat_weeks=4)
    assert info.value.code == "booking.series_conflict"
    assert info.value.params["dates"] == "10.12.2026, 17.12.2026"
    assert len(svc.list_bookings()) == 1  # nothing of the series was written
    with pytest.raises(Conflict) as again:
        ask(svc, "2026-12-03T13:00", "2026-12-03T15:00", repeat_weeks=4)
    assert again.value.params["dates"] == "10.12.2026"
    svc.open_day("hall", date(2026, 12, 10))
    made = ask(svc, "2026-12-03T13:00", "2026-12-03T15:00", repeat_weeks=4)
    assert [svc.to_local(b.start_utc).day for b in made] == [3, 10, 17, 24]


def test_recurring_success_shares_a_series(svc: BookingService) -> None:
    made = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00", repeat_weeks=3)
    assert [svc.to_local(b.start_utc) for b in made] == [
        datetime(2026, 12, 3, 10), datetime(2026, 12, 10, 10), datetime(2026, 12, 17, 10)]
    assert len({b.series_id for b in made}) == 1 and made[0].series_id
    with pytest.raises(ValidationError):
        ask(svc, "2026-12-03T13:00", "2026-12-03T14:00", repeat_weeks=53)


def test_staff_approval_round_trip(svc: BookingService) -> None:
    who = Requester("telegram", "42", "42", "vi")
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00", requester=who)
    assert [x.id for x in svc.list_bookings(status="pending")] == [b.id]
    done = svc.approve(b.id or 0, "staff-900")
    assert (done.status, done.decided_by) == ("approved", "staff-900") and done.decided_at is not None
    with pytest.raises(Conflict):
        svc.reject(b.id or 0, "staff-900", "too late")  # only pending can be rejected
    with pytest.raises(Forbidden):
        svc.cancel(b.id or 0, "7", requester=("telegram", "7"))
    gone = svc.cancel(b.id or 0, "42", "plans changed", requester=("telegram", "42"))
    assert gone.status == "cancelled" and gone.cancel_reason == "plans changed"
    mine = svc.list_bookings(requester=("telegram", "42"))
    assert [x.status for x in mine] == ["cancelled"]


def test_request_log_and_csv_include_refused_requests(svc: BookingService) -> None:
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    for kw in ({"attendees": 99}, {"phone": "nope"}, {"room": "attic"}):
        with pytest.raises(CivicError):
            ask(svc, "2026-12-03T13:00", "2026-12-03T14:00", **kw)
    svc.reject(b.id or 0, "staff-1", "no, sorry")
    rows = list(csv.DictReader(io.StringIO(svc.export_csv())))
    assert [(r["event"], r["outcome"], r["error_code"]) for r in rows] == [
        ("request", "created", ""),
        ("request", "refused", "booking.over_capacity"),
        ("request", "refused", "booking.bad_phone"),
        ("request", "refused", "booking.room_not_found"),
        ("reject", "done", ""),
    ]
    assert rows[0]["start_local"] == "2026-12-03T10:00" and rows[3]["room"] == "attic"
    assert all(r["logged_at_utc"].endswith("Z") for r in rows)


def test_free_starts_and_max_duration(svc: BookingService, clock: FakeClock) -> None:
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    starts = svc.free_starts("hall", date(2026, 12, 3), step_minutes=60)
    assert [s.hour for s in starts] == [9, 12, 13, 14, 15, 16, 17]
    assert svc.max_minutes("hall", datetime(2026, 12, 3, 9)) == 60
    assert svc.max_minutes("hall", datetime(2026, 12, 3, 16)) == 120
    days = dict(svc.open_days("hall", date(2026, 12, 1), 7))
    assert days[date(2026, 12, 1)] is False  # too soon (24 h notice)
    assert days[date(2026, 12, 3)] is True and days[date(2026, 12, 6)] is False  # Sunday


def test_inactive_room_and_late_decisions(svc: BookingService, clock: FakeClock) -> None:
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    clock.now = b.start_utc  # the booking time has come while it was still pending
    with pytest.raises(Conflict):
        svc.approve(b.id or 0, "staff")
    assert svc.reject(b.id or 0, "staff", "expired").status == "rejected"  # cleanup stays possible
    clock.advance(days=-1)
    svc.update_room("hall", active=False)
    with pytest.raises(CivicError) as info:
        ask(svc, "2026-12-05T10:00", "2026-12-05T11:00")
    assert info.value.code == "booking.room_not_found"
    assert svc.list_rooms() == [] and len(svc.list_rooms(include_inactive=True)) == 1


def test_room_updates(svc: BookingService) -> None:
    svc.add_room("small", 8)
    with pytest.raises(Conflict):
        svc.update_room("small", name="HALL")
    room = svc.update_room("small", name="Small-2", hours="10:00-14:00", per_day=["sat=closed"], equipment=["tv"])
    assert room.name == "small-2" and room.equipment == ["tv"]
    assert room.hours == {d: ("10:00", "14:00") for d in ("mon", "tue", "wed", "thu", "fri")}
    with pytest.raises(ValidationError):
        svc.update_room("small-2", capacity=0)
    with pytest.raises(ValidationError):
        svc.update_room("small-2", days="mon-funday")
