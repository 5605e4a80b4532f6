"""Closing a room on a date: the bookings it hits are listed, and closing is refused while any is
active unless staff ask to cancel them; then the closure and the cancellations are one transaction
(each cancellation in the request log), and the caller notifies each requester."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bookings.models import ACTIVE_STATUSES, Booking, BookingLog, Room, RoomClosure
from bookings.rules import clean_text, fail, fmt_date


@dataclass
class Closure:
    row: RoomClosure
    cancelled: list[Booking] = field(default_factory=list)
    """Bookings this closure cancelled (their requesters are to be told, in their language)."""


class ClosingMixin:
    engine: Engine
    get_room: Callable[[str | int], Room]
    to_utc: Callable[[datetime], datetime]
    now_utc: Callable[[], datetime]

    def active_on(self, room_ref: str | int, day: date) -> list[Booking]:
        """Pending and approved bookings of the room that touch `day` (house time), oldest first."""
        room = self.get_room(room_ref)
        with Session(self.engine) as s:
            return self._active_on(s, room.id or 0, day)

    def _active_on(self, session: Session, room_id: int, day: date) -> list[Booking]:
        first = datetime.combine(day, datetime.min.time())
        return list(session.exec(select(Booking).where(
            Booking.room_id == room_id, col(Booking.status).in_(ACTIVE_STATUSES),
            Booking.start_utc < self.to_utc(first + timedelta(days=1)), Booking.end_utc > self.to_utc(first),
        ).order_by(col(Booking.start_utc), col(Booking.id))).all())

    def close_day(self, ref: str | int, day: date, reason: str | None = None, *, cancel_bookings: bool = False,
                  actor: str = "cli") -> Closure:
        """Close the room on `day`. Active bookings that day refuse the closure
        (`booking.close_has_bookings`, listing them) unless `cancel_bookings`: then they are
        cancelled with the closure reason, in the same transaction."""
        room = self.get_room(ref)
        reason = clean_text("reason", reason, required=False) or None
        with Session(self.engine, expire_on_commit=False) as s:
            s.exec(select(Room).where(Room.id == room.id).with_for_update()).one()
            hit = self._active_on(s, room.id or 0, day)
            if hit and not cancel_bookings:
                raise fail("close_has_bookings", count=len(hit), date=fmt_date(day),
                           ids=", ".join(f"#{b.id}" for b in hit), bookings=[b.id for b in hit])
            row = s.exec(select(RoomClosure).where(RoomClosure.room_id == room.id, RoomClosure.day == day)).first()
            if row is None:
                row = RoomClosure(room_id=room.id or 0, day=day, reason=reason)
            else:
                row.reason = reason or row.reason
            s.add(row)
            now = self.now_utc()
            for b in hit:
                b.status, b.cancelled_by, b.cancelled_at = "cancelled", str(actor), now
                b.cancel_reason = row.reason
                s.add(b)
                s.add(BookingLog(event="cancel", outcome="done", booking_id=b.id, actor_id=str(actor),
                                 room_id=b.room_id, start_utc=b.start_utc, end_utc=b.end_utc, org=b.org,
                                 contact_name=b.contact_name, phone=b.phone, attendees=b.attendees,
                                 series_id=b.series_id, channel=b.channel, created_at=now,
                                 detail=f"room closed: {row.reason or ''}".strip()))
            s.commit()
            return Closure(row, hit)
