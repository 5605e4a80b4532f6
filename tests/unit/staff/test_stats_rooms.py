"""Bookings per room and occupancy in the statistics (`booking_rooms`), on real SQLite."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from bookings.models import Booking, Room, RoomClosure
from handlers.staff.service import StaffService
from tests.unit.staff.helpers import make_env

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 15:00 in Almaty
HOURS = json.dumps({d: ["09:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")})


@pytest.fixture()
def svc(tmp_path: Path) -> StaffService:
    env = make_env(tmp_path)
    return StaffService(env.engine, kb=env.kb, clock=lambda: NOW, house_timezone="Asia/Almaty")


def booking(room_id: int, start: datetime, hours: float, status: str, created: datetime = NOW) -> Booking:
    from datetime import timedelta

    return Booking(room_id=room_id, start_utc=start, end_utc=start + timedelta(hours=hours), status=status,
                   org="NGO", contact_name="A", phone="1", attendees=5, purpose="x", created_at=created)


def test_requests_per_room_and_occupancy_of_open_hours(svc: StaffService) -> None:
    with Session(svc.engine) as s:
        hall, small, old = Room(name="hall", capacity=30, hours_json=HOURS), Room(name="small", capacity=6,
                                                                                  hours_json=HOURS), \
            Room(name="old", capacity=3, active=False)
        s.add_all([hall, small, old])
        s.flush()
        assert hall.id and small.id
        # Monday 23 Nov 2026 10:00-13:00 Almaty (05:00 UTC): approved, 3 h; a pending one does not count
        s.add(booking(hall.id, datetime(2026, 11, 23, 5, 0, tzinfo=UTC), 3, "approved"))
        s.add(booking(hall.id, datetime(2026, 11, 24, 5, 0, tzinfo=UTC), 2, "pending"))
        s.add(booking(small.id, datetime(2026, 11, 24, 5, 0, tzinfo=UTC), 4.5, "approved"))
        s.add(booking(small.id, datetime(2026, 11, 10, 5, 0, tzinfo=UTC), 1, "approved",  # before the period
                      created=datetime(2026, 11, 1, tzinfo=UTC)))
        s.add(RoomClosure(room_id=small.id, day=date(2026, 11, 23), reason="holiday"))
        s.commit()
    rooms = svc.stats(3)["booking_rooms"]  # 23, 24 and 25 November (Mon-Wed): 27 open hours a room
    assert [r["room"] for r in rooms] == ["hall", "small"]  # the inactive room without bookings is left out
    hall_row, small_row = rooms
    assert (hall_row["requests"], hall_row["approved"], hall_row["booked_hours"], hall_row["open_hours"]) == \
        (2, 1, 3.0, 27.0)
    assert hall_row["occupancy"] == round(3 / 27, 4)
    assert (small_row["requests"], small_row["approved"], small_row["open_hours"]) == (1, 1, 18.0)  # closed on 23rd
    assert small_row["occupancy"] == 0.25


def test_a_room_never_open_has_no_occupancy_and_bookings_total_is_unchanged(svc: StaffService) -> None:
    with Session(svc.engine) as s:
        room = Room(name="attic", capacity=2, hours_json="{}")
        s.add(room)
        s.flush()
        room_id = room.id or 0
        s.add(booking(room_id, NOW, 1, "pending"))
        s.commit()
    st = svc.stats(7)
    assert st["booking_rooms"] == [{"room_id": room_id, "room": "attic", "requests": 1, "approved": 0,
                                    "booked_hours": 0.0, "open_hours": 0.0, "occupancy": None}]
    assert st["bookings"] == {"total": 1, "by_status": {"pending": 1}}
