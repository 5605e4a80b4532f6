"""Tables of the House of NGOs: rooms, closed dates, bookings, the request log, sent reminders.

All datetimes are aware UTC (SQLModel's UTCDateTime: timestamptz on PostgreSQL, UTC text on
SQLite); `bookings.service` converts to house time at the boundary. Opening hours are house-local
wall-clock times.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.jsontypes import as_object
from knowledge.models import utcnow

STATUSES = ("pending", "approved", "rejected", "cancelled")
ACTIVE_STATUSES = ("pending", "approved")
"""A booking in one of these states holds its slot."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Room(SQLModel, table=True):
    __tablename__ = "bk_room"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    """The short name staff type in the CLI (unique)."""
    name_vi: str | None = Field(default=None, max_length=200)
    name_ru: str | None = Field(default=None, max_length=200)
    capacity: int
    equipment_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    hours_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    """{"mon": ["09:00", "18:00"], ...}; a weekday missing here is a closed day."""
    max_hours: float = 4.0
    min_notice_hours: float = 24.0
    max_repeat_weeks: int = Field(default=12, sa_column=Column(Integer, nullable=False, server_default="12"))
    """The most weekly occurrences one request may ask for (chat and CLI alike)."""
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def equipment(self) -> list[str]:
        return list(json.loads(self.equipment_json or "[]"))

    @property
    def hours(self) -> dict[str, tuple[str, str]]:
        raw = as_object(json.loads(self.hours_json or "{}"), "hours")
        return {day: (str(v[0]), str(v[1])) for day, v in raw.items() if isinstance(v, list) and len(v) == 2}

    def display_name(self, lang: str) -> str:
        local = {"vi": self.name_vi, "ru": self.name_ru}.get(lang)
        return local or self.name_ru or self.name_vi or self.name


class RoomClosure(SQLModel, table=True):
    """A date when a room is closed (holiday, maintenance)."""

    __tablename__ = "bk_room_closure"
    __table_args__ = (UniqueConstraint("room_id", "day", name="uq_bk_closure_room_day"),)

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(sa_column=Column(Integer, ForeignKey("bk_room.id", ondelete="CASCADE"), nullable=False))
    day: date
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Booking(SQLModel, table=True):
    __tablename__ = "bk_booking"

    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(
        sa_column=Column(Integer, ForeignKey("bk_room.id"), nullable=False, index=True)
    )
    start_utc: datetime = Field(index=True)
    end_utc: datetime
    status: str = Field(default="pending", max_length=20, index=True)
    org: str = Field(max_length=300)
    contact_name: str = Field(max_length=200)
    phone: str = Field(max_length=30)
    attendees: int
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    equipment: str = Field(default="", max_length=500)
    channel: str = Field(default="cli", max_length=30)
    requester_id: str = Field(default="", max_length=100, index=True)
    chat_id: str = Field(default="", max_length=100)
    lang: str = Field(default="ru", max_length=8)
    """The requester's language: reminders and notifications are written in it."""
    series_id: str | None = Field(default=None, max_length=40, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    decision_reason: str | None = Field(default=None, max_length=1000)
    cancelled_by: str | None = Field(default=None, max_length=100)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(default=None, max_length=1000)


class BookingLog(SQLModel, table=True):
    """The request log the House must keep: every request (created or refused) and every decision."""

    __tablename__ = "bk_request_log"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(max_length=20)
    """`request`, `approve`, `reject`, `cancel`."""
    outcome: str = Field(max_length=20)
    """`created` / `done` or `refused`."""
    error_code: str | None = Field(default=None, max_length=100)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    booking_id: int | None = Field(default=None, index=True)
    series_id: str | None = Field(default=None, max_length=40)
    room_id: int | None = None
    room_ref: str = Field(default="", max_length=200)
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    occurrences: int = 1
    org: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    attendees: int | None = None
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    channel: str = Field(default="", max_length=30)
    actor_id: str = Field(default="", max_length=100)
    """The requester for `request`, the staff member (or requester) for decisions."""


class SentReminder(SQLModel, table=True):
    """A reminder claimed (then sent) for one booking and offset: the unique key stops doubles."""

    __tablename__ = "bk_sent_reminder"
    __table_args__ = (UniqueConstraint("booking_id", "offset_minutes", name="uq_bk_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(index=True)
    offset_minutes: int
    status: str = Field(default="claimed", max_length=20)
    """`claimed` (being sent), `sent`, `skipped` (superseded by a closer reminder) or `undelivered`
    (the messenger refused it for good; not retried)."""
    claimed_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None

