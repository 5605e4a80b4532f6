"""What is free: open days for a calendar, free start times of a day, the longest possible booking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bookings.models import ACTIVE_STATUSES, WEEKDAYS, Booking, Room
from bookings.rules import check_slot, fail, fmt_date, fmt_hours, opening_hours, overlaps
from knowledge.errors import CivicError


class AvailabilityMixin:
    engine: Engine
    get_room: Callable[[str | int], Room]
    closures: Callable[..., dict[date, str | None]]
    to_utc: Callable[[datetime], datetime]
    to_local: Callable[[datetime], datetime]
    now_utc: Callable[[], datetime]

    def busy(self, room_id: int, day: date) -> list[tuple[datetime, datetime]]:
        """Active bookings of the room touching `day`, as naive house-local spans."""
        first = datetime.combine(day, datetime.min.time())
        with Session(self.engine) as s:
            rows = s.exec(select(Booking).where(
                Booking.room_id == room_id, col(Booking.status).in_(ACTIVE_STATUSES),
                Booking.start_utc < self.to_utc(first + timedelta(days=1)), Booking.end_utc > self.to_utc(first),
            ).order_by(col(Booking.start_utc))).all()
        return [(self.to_local(b.start_utc), self.to_local(b.end_utc)) for b in rows]

    def local_now(self) -> datetime:
        return self.to_local(self.now_utc())

    def open_days(self, room_ref: str | int, first: date, count: int) -> list[tuple[date, bool]]:
        """(day, bookable) for `count` days from `first`: False for closed dates, closed weekdays
        and days whose last possible start is already too soon (minimum notice)."""
        room = self.get_room(room_ref)
        closed = self.closures(room.id or 0, first, first + timedelta(days=count))
        now = self.local_now()
        out: list[tuple[date, bool]] = []
        for i in range(count):
            day = first + timedelta(days=i)
            hours = opening_hours(room, day)
            ok = day not in closed and hours is not None
            if ok and hours is not None:
                ok = hours[1] - now >= timedelta(hours=room.min_notice_hours, minutes=30)
            out.append((day, ok))
        return out

    def day_refusal(self, room_ref: str | int, day: date) -> CivicError | None:
        """Why `day` cannot be booked at all, or None: a closed date (with its reason), a closed
        weekday, a past day, or too short notice for the last start of the day."""
        room = self.get_room(room_ref)
        now = self.local_now()
        if day < now.date():
            return fail("past", start=day.strftime("%d.%m.%Y"))
        closed = self.closures(room.id or 0, day, day)
        if day in closed:
            reason = closed[day]
            return fail("closed_day", date=fmt_date(day), reason=f" ({reason})" if reason else "",
                        closure_reason=reason or "")
        hours = opening_hours(room, day)
        if hours is None:
            return fail("closed_weekday", weekday=WEEKDAYS[day.weekday()], date=fmt_date(day),
                        open_days=[d for d in WEEKDAYS if d in room.hours])
        if hours[1] - now < timedelta(hours=room.min_notice_hours, minutes=30):
            return fail("short_notice", min_notice_hours=fmt_hours(room.min_notice_hours))
        return None

    def slot_refusal(self, room_ref: str | int, start: datetime, minutes: int = 30) -> CivicError | None:
        """Why a start at naive local `start` is not offered (outside hours: with the hours), or None."""
        room = self.get_room(room_ref)
        end = start + timedelta(minutes=minutes)
        try:
            check_slot(room, start, end, self.local_now(), self.closures(room.id or 0, start.date(), start.date()), 1)
        except CivicError as exc:
            return exc
        busy = [(a, b) for a, b in self.busy(room.id or 0, start.date()) if a < end and start < b]
        if busy:
            return fail("overlap", busy=", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in busy))
        return None

    def free_starts(self, room_ref: str | int, day: date, step_minutes: int = 30) -> list[datetime]:
        """Start times (naive house-local) on `day` where at least `step_minutes` are free."""
        room = self.get_room(room_ref)
        hours = opening_hours(room, day)
        if hours is None:
            return []
        closed = self.closures(room.id or 0, day, day)
        busy = self.busy(room.id or 0, day)
        now = self.local_now()
        step = timedelta(minutes=step_minutes)
        starts: list[datetime] = []
        t = hours[0]
        while t + step <= hours[1]:
            try:
                check_slot(room, t, t + step, now, closed, 1)
                if not overlaps(t, t + step, busy):
                    starts.append(t)
            except CivicError:
                pass
            t += step
        return starts

    def max_minutes(self, room_ref: str | int, start: datetime) -> int:
        """The longest booking from naive local `start`: room maximum, closing time, next booking."""
        room = self.get_room(room_ref)
        hours = opening_hours(room, start.date())
        if hours is None:
            return 0
        limit = min(start + timedelta(hours=room.max_hours), hours[1])
        for a, b in self.busy(room.id or 0, start.date()):
            if b > start and a < limit:
                limit = max(start, a)
        return max(0, int((limit - start).total_seconds() // 60))
