"""BookingService: rooms, requests with their rules, staff decisions, the request log, exports.

Synchronous SQLModel. Every request, created or refused, is written to the request log.
Booking writes are serialized per room inside one transaction (see bookings/guards.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from bookings import ics
from bookings.availability import AvailabilityMixin
from bookings.closing import ClosingMixin
from bookings.export import log_csv
from bookings.guards import install_guards, is_overlap_violation
from bookings.models import ACTIVE_STATUSES, Booking, BookingLog, Room
from bookings.recurrence import weekly
from bookings.reminders import RemindersMixin
from bookings.rooms import RoomsMixin
from bookings.rules import (
    check_slot,
    clean_text,
    fail,
    fmt_date,
    overlaps,
    parse_attendees,
    parse_phone,
)
from knowledge.errors import CivicError


class _Fields(TypedDict):
    """A request's cleaned form fields, as the Booking row takes them."""

    org: str
    contact_name: str
    phone: str
    attendees: int
    purpose: str
    equipment: str


@dataclass(frozen=True)
class Requester:
    channel: str = "cli"
    user_id: str = ""
    chat_id: str = ""
    lang: str = "ru"


class BookingService(ClosingMixin, RoomsMixin, AvailabilityMixin, RemindersMixin):
    def __init__(self, engine: Engine, house_tz: str = "Asia/Almaty",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        try:
            self.tz = ZoneInfo(house_tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail("bad_timezone", value=house_tz) from None
        self.clock = clock
        self.guard = install_guards(engine)

    # ---- time ---------------------------------------------------------------------------
    def now_utc(self) -> datetime:
        return self.clock().astimezone(UTC)

    def to_utc(self, value: datetime) -> datetime:
        """Aware UTC from an aware datetime, or from a naive one taken as house-local time."""
        aware = value if value.tzinfo else value.replace(tzinfo=self.tz)
        return aware.astimezone(UTC)

    def to_local(self, value: datetime) -> datetime:
        """Naive house-local wall-clock time of an aware (or naive-UTC) datetime."""
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(self.tz).replace(tzinfo=None)

    def parse_when(self, value: str | datetime) -> datetime:
        """ISO text (no offset = house time) or a datetime → aware UTC."""
        if isinstance(value, datetime):
            return self.to_utc(value)
        try:
            parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            raise fail("bad_datetime", value=value) from None
        return self.to_utc(parsed)

    # ---- requests -----------------------------------------------------------------------
    def request(self, *, room: str | int, start: str | datetime, end: str | datetime, org: str, contact: str,
                phone: str, attendees: int | str, purpose: str, equipment: str = "",
                requester: Requester | None = None, repeat_weeks: int = 1) -> list[Booking]:
        """Create one booking (or `repeat_weeks` weekly ones, all or nothing) in status `pending`.
        Raises a `booking.*` CivicError (already logged as refused) when a rule is broken."""
        who = requester or Requester()
        log = BookingLog(event="request", outcome="refused", room_ref=str(room), org=str(org or "")[:300],
                         contact_name=str(contact or "")[:200], phone=str(phone or "")[:30], purpose=str(purpose or ""),
                         channel=who.channel, actor_id=who.user_id, occurrences=repeat_weeks,
                         created_at=self.now_utc())
        try:
            fields = self._clean_fields(org, contact, phone, attendees, purpose, equipment)
            log.attendees = fields["attendees"]
            start_utc, end_utc = self.parse_when(start), self.parse_when(end)
            log.start_utc, log.end_utc = start_utc, end_utc
            target = self.get_room(room)
            log.room_id = target.id
            if not target.active:
                raise fail("room_not_found", room=target.name)
            if not 1 <= int(repeat_weeks) <= target.max_repeat_weeks:
                raise fail("bad_repeat", value=repeat_weeks, limit=target.max_repeat_weeks)
            spans = weekly(self.to_local(start_utc), self.to_local(end_utc), int(repeat_weeks))
            return self._insert(target, spans, fields, who, log)
        except CivicError as exc:
            log.id = None  # a flush inside the failed transaction may have given it an id
            log.outcome, log.booking_id, log.series_id = "refused", None, None
            log.error_code, log.detail = exc.code, json.dumps(exc.params, ensure_ascii=False, default=str)
            self._write_log(log)
            raise

    def _clean_fields(self, org: str, contact: str, phone: str, attendees: int | str, purpose: str,
                      equipment: str) -> _Fields:
        return {
            "org": clean_text("org", org), "contact_name": clean_text("contact", contact),
            "phone": parse_phone(phone), "attendees": parse_attendees(attendees),
            "purpose": clean_text("purpose", purpose), "equipment": clean_text("equipment", equipment, required=False),
        }

    def _insert(self, room: Room, spans: list[tuple[datetime, datetime]], fields: _Fields, who: Requester,
                log: BookingLog) -> list[Booking]:
        series = uuid.uuid4().hex[:12] if len(spans) > 1 else None
        try:
            with Session(self.engine, expire_on_commit=False) as s:
                locked = s.exec(select(Room).where(Room.id == room.id).with_for_update()).one()
                self._check_all(s, locked, spans, fields["attendees"])
                made = [Booking(room_id=locked.id or 0, start_utc=self.to_utc(a), end_utc=self.to_utc(b),
                                series_id=series, channel=who.channel, requester_id=who.user_id,
                                chat_id=who.chat_id, lang=who.lang,
                                created_at=log.created_at, **fields) for a, b in spans]
                s.add_all(made)
                s.flush()
                log.outcome, log.series_id = "created", series
                log.booking_id = made[0].id
                log.detail = json.dumps({"booking_ids": [b.id for b in made]}) if series else None
                s.add(log)
                s.commit()
                return made
        except (IntegrityError, OperationalError) as exc:
            if isinstance(exc, IntegrityError) or is_overlap_violation(exc):
                raise fail("overlap", busy="") from exc
            raise

    def _check_all(self, s: Session, room: Room, spans: list[tuple[datetime, datetime]], attendees: int) -> None:
        now = self.to_local(self.now_utc())
        first, last = spans[0][0].date(), spans[-1][0].date()
        closed = self.closures(room.id or 0, first, last, s)
        busy = [(self.to_local(b.start_utc), self.to_local(b.end_utc)) for b in s.exec(
            select(Booking).where(Booking.room_id == room.id, col(Booking.status).in_(ACTIVE_STATUSES),
                                  Booking.start_utc < self.to_utc(spans[-1][1]),
                                  Booking.end_utc > self.to_utc(spans[0][0]))
        ).all()]
        refused: list[tuple[date, CivicError]] = []
        for start, end in spans:
            try:
                check_slot(room, start, end, now, closed, attendees)
                if overlaps(start, end, busy):
                    hit = next((a, b) for a, b in busy if a < end and start < b)
                    raise fail("overlap", busy=f"{fmt_date(hit[0].date())} {hit[0]:%H:%M}-{hit[1]:%H:%M}")
            except CivicError as exc:
                if len(spans) == 1:
                    raise
                refused.append((start.date(), exc))
        if refused:
            raise fail("series_conflict", dates=", ".join(fmt_date(d) for d, _ in refused),
                       codes=[e.code for _, e in refused])

    def _write_log(self, log: BookingLog) -> None:
        with Session(self.engine) as s:
            s.add(log)
            s.commit()

    # ---- decisions ----------------------------------------------------------------------
    def approve(self, booking_id: int, actor: str, reason: str | None = None) -> Booking:
        return self._decide(booking_id, "approve", actor, reason)

    def reject(self, booking_id: int, actor: str, reason: str | None = None) -> Booking:
        return self._decide(booking_id, "reject", actor, reason)

    def cancel(self, booking_id: int, actor: str, reason: str | None = None,
               requester: tuple[str, str] | None = None) -> Booking:
        """Cancel; with `requester` = (channel, user_id) only that requester's own booking."""
        return self._decide(booking_id, "cancel", actor, reason, requester)

    def _decide(self, booking_id: int, action: str, actor: str, reason: str | None,
                requester: tuple[str, str] | None = None) -> Booking:
        allowed = {"approve": ("pending",), "reject": ("pending",), "cancel": ACTIVE_STATUSES}[action]
        new_status = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}[action]
        log = BookingLog(event=action, outcome="refused", booking_id=booking_id, actor_id=str(actor),
                         channel=requester[0] if requester else "", created_at=self.now_utc())
        try:
            reason = clean_text("reason", reason, required=False) or None
            with Session(self.engine, expire_on_commit=False) as s:
                b = s.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()
                if b is None:
                    raise fail("not_found", id=booking_id)
                if requester is not None and (b.channel, b.requester_id) != requester:
                    raise fail("not_yours", id=booking_id)
                now = self.now_utc()
                too_late = {"approve": b.start_utc <= now, "cancel": b.end_utc <= now}.get(action, False)
                if b.status not in allowed or too_late:
                    raise fail("bad_status", id=booking_id, status=b.status, action=new_status)
                log.created_at = now
                b.status = new_status
                if action == "cancel":
                    b.cancelled_by, b.cancelled_at, b.cancel_reason = str(actor), now, reason
                else:
                    b.decided_by, b.decided_at, b.decision_reason = str(actor), now, reason
                _fill_log(log, b)
                log.outcome, log.detail = "done", reason
                s.add(b)
                s.add(log)
                s.commit()
                return b
        except CivicError as exc:
            log.error_code, log.detail = exc.code, json.dumps(exc.params, ensure_ascii=False, default=str)
            self._write_log(log)
            raise

    # ---- queries ------------------------------------------------------------------------
    def get(self, booking_id: int) -> Booking:
        with Session(self.engine) as s:
            b = s.get(Booking, booking_id)
        if b is None:
            raise fail("not_found", id=booking_id)
        return b

    def list_bookings(self, *, status: str | None = None, start: datetime | None = None, end: datetime | None = None,
                      requester: tuple[str, str] | None = None, upcoming: bool = False,
                      limit: int = 500) -> list[Booking]:
        """Bookings overlapping [start, end) (aware, or naive = house time), oldest first."""
        query = select(Booking)
        if status:
            query = query.where(col(Booking.status).in_(status.split(",")))
        if start is not None:
            query = query.where(Booking.end_utc > self.to_utc(start))
        if end is not None:
            query = query.where(Booking.start_utc < self.to_utc(end))
        if requester is not None:
            query = query.where(Booking.channel == requester[0], Booking.requester_id == requester[1])
        if upcoming:
            query = query.where(Booking.end_utc > self.now_utc())
        with Session(self.engine) as s:
            return list(s.exec(query.order_by(col(Booking.start_utc), col(Booking.id)).limit(limit)).all())

    def request_log(self, start: datetime | None = None, end: datetime | None = None) -> list[BookingLog]:
        query = select(BookingLog)
        if start is not None:
            query = query.where(BookingLog.created_at >= self.to_utc(start))
        if end is not None:
            query = query.where(BookingLog.created_at < self.to_utc(end))
        with Session(self.engine) as s:
            return list(s.exec(query.order_by(col(BookingLog.id))).all())

    def room_names(self) -> dict[int, str]:
        return {r.id or 0: r.name for r in self.list_rooms(include_inactive=True)}

    # ---- exports ------------------------------------------------------------------------
    def booking_ics(self, booking_id: int, lang: str = "ru") -> str:
        b = self.get(booking_id)
        if b.status != "approved":
            raise fail("bad_status", id=booking_id, status=b.status, action="exported")
        return ics.calendar([self._event(b, lang)], self.now_utc())

    def export_ics(self, start: datetime | None = None, end: datetime | None = None, lang: str = "ru") -> str:
        events = [self._event(b, lang) for b in self.list_bookings(status="approved", start=start, end=end)]
        return ics.calendar(events, self.now_utc())

    def _event(self, b: Booking, lang: str) -> ics.Event:
        room = self.get_room(b.room_id)
        return ics.Event(uid=f"booking-{b.id}@civicbot", start_utc=b.start_utc, end_utc=b.end_utc,
                         summary=f"{b.org} — {room.display_name(lang)}", location=room.display_name(lang),
                         description=f"{b.purpose}\n{b.contact_name}, {b.phone}, {b.attendees}")

    def export_csv(self, start: datetime | None = None, end: datetime | None = None) -> str:
        return log_csv(self.request_log(start, end), self.room_names(), self.to_local)


def _fill_log(log: BookingLog, b: Booking) -> None:
    log.room_id, log.start_utc, log.end_utc = b.room_id, b.start_utc, b.end_utc
    log.org, log.contact_name, log.phone, log.attendees = b.org, b.contact_name, b.phone, b.attendees
    log.series_id, log.channel = b.series_id, log.channel or b.channel
