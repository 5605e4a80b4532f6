"""Bookings per room and occupancy over the statistics period (`booking_rooms` in `civicbot stats --json`).

For each room (active rooms, and inactive ones that had bookings in the period):
- `requests`: booking requests made in the period (any status; the same count as `bookings.total`);
- `approved`: approved bookings taking place in the period;
- `booked_hours`: their hours; `open_hours`: the room's opening hours over the period's days
  (weekly hours, closed dates excluded);
- `occupancy`: booked_hours / open_hours (null when the room was never open).

The period's days are the statistics' days (`from` .. `to`), taken as house-local dates
(`HOUSE_TIMEZONE`): opening hours are wall-clock times of the house.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from bookings.models import Booking, Room, RoomClosure
from bookings.rules import opening_hours


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 3600


class RoomUse(TypedDict):
    """One room's requests and occupancy over the period (`booking_rooms` in `civicbot stats --json`)."""

    room_id: int
    room: str
    requests: int
    approved: int
    booked_hours: float
    open_hours: float
    occupancy: float | None


def booking_rooms(engine: Engine, first_day: date, last_day: date, *, since: datetime,
                  house_timezone: str) -> list[RoomUse]:  # fmt: skip
    """One entry per room, in room order; [] when the bookings tables are not there."""
    tz = ZoneInfo(house_timezone)
    start = datetime.combine(first_day, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)
    try:
        with Session(engine) as s:
            rooms = list(s.exec(select(Room).order_by(col(Room.id))).all())
            requests = Counter(s.exec(select(Booking.room_id).where(col(Booking.created_at) >= since)).all())
            approved = s.exec(select(Booking).where(
                Booking.status == "approved", col(Booking.start_utc) < end, col(Booking.end_utc) > start)).all()
            closed = {(c.room_id, c.day) for c in s.exec(select(RoomClosure).where(
                col(RoomClosure.day) >= first_day, col(RoomClosure.day) <= last_day)).all()}
    except SQLAlchemyError:  # the bookings area's tables are not in this database
        return []
    booked: dict[int, list[float]] = {}
    for b in approved:
        b_start, b_end = max(_aware(b.start_utc), start), min(_aware(b.end_utc), end)
        booked.setdefault(b.room_id, []).append(_hours(b_start, b_end))
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    out: list[RoomUse] = []
    for room in rooms:
        rid = room.id or 0
        if not room.active and not requests.get(rid) and not booked.get(rid):
            continue
        open_h = 0.0
        for day in days:
            span = opening_hours(room, day)
            if span is not None and (rid, day) not in closed:
                open_h += _hours(*span)
        hours = sum(booked.get(rid, []))
        out.append({
            "room_id": rid,
            "room": room.name,
            "requests": int(requests.get(rid, 0)),
            "approved": len(booked.get(rid, [])),
            "booked_hours": round(hours, 2),
            "open_hours": round(open_h, 2),
            "occupancy": round(hours / open_h, 4) if open_h else None,
        })
    return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
