"""Which reminders are due, and claiming them exactly once (the scheduler lives in bot/scheduler.py).

A reminder is identified by (booking, offset). Before sending, the scheduler *claims* it by
inserting a `bk_sent_reminder` row: the unique constraint lets exactly one claimer win, across
restarts and across several bot processes. After delivery the row is marked `sent`; when delivery
fails the claim is released so a later tick retries. A claim left by a crash between claim and
delivery is taken over after `lease` (at-most-once within the lease, never lost for good).

Reminders are only for approved bookings, only if their time came after the approval (a booking
approved 3 h before it starts gets the 2 h reminder, not the 24 h one), and when several came due
at once (the bot was down), only the closest one is sent; the others are recorded as `skipped`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bookings.models import Booking, SentReminder

LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class DueReminder:
    booking: Booking
    offset_minutes: int


def offsets_to_minutes(offsets_h: Iterable[float]) -> list[int]:
    return sorted({round(float(h) * 60) for h in offsets_h if float(h) > 0}, reverse=True)


class RemindersMixin:
    engine: Engine
    now_utc: Callable[[], datetime]

    def due_reminders(self, now_utc: datetime, offsets_h: Iterable[float]) -> list[DueReminder]:
        """Reminders to send at aware `now_utc`; marks superseded ones `skipped`."""
        offsets = offsets_to_minutes(offsets_h)
        if not offsets:
            return []
        horizon = now_utc + timedelta(minutes=offsets[0])
        with Session(self.engine) as s:
            bookings = s.exec(select(Booking).where(
                Booking.status == "approved", Booking.start_utc > now_utc, Booking.start_utc <= horizon,
                Booking.chat_id != "",
            ).order_by(col(Booking.start_utc))).all()
            ids = [b.id for b in bookings]
            rows = s.exec(select(SentReminder).where(col(SentReminder.booking_id).in_(ids))).all() if ids else []
        recorded = {(r.booking_id, r.offset_minutes): r for r in rows}
        due: list[DueReminder] = []
        for b in bookings:
            since = b.decided_at or b.created_at
            ready = [o for o in offsets
                     if since <= b.start_utc - timedelta(minutes=o) <= now_utc
                     and self._open_slot(recorded.get((b.id or 0, o)), now_utc)]
            if not ready:
                continue
            closest = min(ready)
            due.append(DueReminder(b, closest))
            for o in ready:
                if o != closest and (b.id or 0, o) not in recorded:
                    self._record(b.id or 0, o, "skipped", now_utc)
        return due

    @staticmethod
    def _open_slot(row: SentReminder | None, now_utc: datetime) -> bool:
        return row is None or (row.status == "claimed" and row.claimed_at < now_utc - LEASE)

    def _record(self, booking_id: int, offset: int, status: str, now_utc: datetime) -> bool:
        try:
            with Session(self.engine) as s:
                s.add(SentReminder(booking_id=booking_id, offset_minutes=offset, status=status, claimed_at=now_utc))
                s.commit()
            return True
        except IntegrityError:
            return False

    def claim_reminder(self, booking_id: int, offset_minutes: int, now_utc: datetime) -> bool:
        """True for exactly one caller per (booking, offset), while the booking is still approved."""
        with Session(self.engine) as s:
            b = s.get(Booking, booking_id)
            if b is None or b.status != "approved":
                return False
        if self._record(booking_id, offset_minutes, "claimed", now_utc):
            return True
        with Session(self.engine) as s:  # take over a claim abandoned by a crash
            result = s.execute(update(SentReminder).where(
                col(SentReminder.booking_id) == booking_id, col(SentReminder.offset_minutes) == offset_minutes,
                col(SentReminder.status) == "claimed", col(SentReminder.claimed_at) < now_utc - LEASE,
            ).values(claimed_at=now_utc))
            s.commit()
            return isinstance(result, CursorResult) and result.rowcount == 1

    def mark_reminder_sent(self, booking_id: int, offset_minutes: int, now_utc: datetime) -> None:
        with Session(self.engine) as s:
            s.execute(update(SentReminder).where(
                col(SentReminder.booking_id) == booking_id, col(SentReminder.offset_minutes) == offset_minutes,
            ).values(status="sent", sent_at=now_utc))
            s.commit()

    def mark_reminder_undelivered(self, booking_id: int, offset_minutes: int, now_utc: datetime) -> None:
        """The messenger refused for good (blocked, no recent interaction, quota spent): never retried."""
        with Session(self.engine) as s:
            s.execute(update(SentReminder).where(
                col(SentReminder.booking_id) == booking_id, col(SentReminder.offset_minutes) == offset_minutes,
            ).values(status="undelivered", sent_at=now_utc))
            s.commit()

    def release_reminder(self, booking_id: int, offset_minutes: int) -> None:
        """Delivery failed: forget the claim so that a later tick tries again."""
        with Session(self.engine) as s:
            row = s.exec(select(SentReminder).where(
                SentReminder.booking_id == booking_id, SentReminder.offset_minutes == offset_minutes,
                SentReminder.status == "claimed",
            )).first()
            if row is not None:
                s.delete(row)
                s.commit()

    def reminder_rows(self, booking_id: int) -> list[SentReminder]:
        with Session(self.engine) as s:
            return list(s.exec(select(SentReminder).where(SentReminder.booking_id == booking_id)).all())
