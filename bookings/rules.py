"""Booking rules as pure functions, and the parsing of staff/user input they rely on.

Every refusal is a `knowledge.errors` error with a stable code `booking.*`; the chat shows the
catalog text `error.booking.*`, the CLI prints the English message given here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bookings.models import WEEKDAYS, Room
from knowledge.errors import CivicError, Conflict, Forbidden, NotFound, ValidationError

MESSAGES: dict[str, str] = {
    "booking.past": "the start time {start} is in the past",
    "booking.bad_range": "the end must be after the start",
    "booking.multi_day": "a booking must start and end on the same day (house time)",
    "booking.closed_weekday": "the room is closed on {weekday}",
    "booking.closed_day": "the room is closed on {date}{reason}",
    "booking.outside_hours": "outside opening hours ({open}-{close} on that day)",
    "booking.over_capacity": "{attendees} attendees exceed the room capacity of {capacity}",
    "booking.too_long": "the booking is longer than the maximum of {max_hours} h",
    "booking.short_notice": "too short notice: book at least {min_notice_hours} h in advance",
    "booking.overlap": "the room is already booked {busy}",
    "booking.series_conflict": "these dates cannot be booked: {dates}",
    "booking.bad_phone": "invalid phone number {phone!s} (use digits, e.g. +7 701 123 45 67)",
    "booking.bad_attendees": "attendees must be a whole number from 1 ({value!s} given)",
    "booking.bad_datetime": "not a date-time: {value!s} (use ISO, e.g. 2026-12-25T10:00)",
    "booking.bad_date": "not a date: {value!s}",
    "booking.bad_hours": "bad opening hours {value!s} (use HH:MM-HH:MM, e.g. 09:00-18:00)",
    "booking.bad_days": "bad days {value!s} (use e.g. mon-sat or mon,wed,fri)",
    "booking.bad_number": "{field} must be a positive number ({value!s} given)",
    "booking.field_required": "{field} is required",
    "booking.field_too_long": "{field} is too long (at most {limit} characters)",
    "booking.bad_repeat": "repeat count must be 1..{limit} ({value!s} given)",
    "booking.room_not_found": "no room {room!s}",
    "booking.room_exists": "a room named {room!s} already exists",
    "booking.room_ambiguous": "{room!s} matches several rooms: {matches!s}; use the id",
    "booking.bad_room_name": "{value!s} is not a usable room id (use letters, digits and dashes)",
    "booking.close_has_bookings": (
        "the room has {count} active booking(s) on {date}: {ids!s}; "
        "use --cancel-bookings to cancel them and notify the requesters"
    ),
    "booking.not_found": "no booking #{id}",
    "booking.bad_status": "booking #{id} is {status}; it cannot be {action}",
    "booking.not_yours": "booking #{id} belongs to someone else",
    "booking.bad_timezone": "unknown time zone {value!s}",
}

TEXT_LIMITS = {"org": 300, "contact": 200, "purpose": 1000, "equipment": 500, "reason": 1000}
MAX_REPEAT = 52
"""The highest `max_repeat_weeks` staff may give a room."""
_KINDS: dict[str, type[CivicError]] = {
    "overlap": Conflict, "series_conflict": Conflict, "bad_status": Conflict, "room_exists": Conflict,
    "close_has_bookings": Conflict,
    "room_not_found": NotFound, "not_found": NotFound, "not_yours": Forbidden,
}


def fail(code: str, **params: object) -> CivicError:
    """The error for `booking.<code>` (returned, so callers write `raise fail(...)`)."""
    full = f"booking.{code}"
    cls = _KINDS.get(code, ValidationError)
    return cls(full, message=MESSAGES.get(full), **params)


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def fmt_hours(h: float) -> str:
    return f"{h:g}"


# ---- parsing ----------------------------------------------------------------------------
def parse_hhmm(value: str) -> time:
    m = re.fullmatch(r"\s*(\d{1,2})[:.h](\d{2})\s*", value)
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise fail("bad_hours", value=value)
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour == 24 and minute == 0:
        return time(23, 59, 59)
    if hour == 24:
        raise fail("bad_hours", value=value)
    return time(hour, minute)


def parse_hours(value: str) -> tuple[str, str]:
    """`09:00-18:00` → ("09:00", "18:00"), opening before closing."""
    parts = value.replace("–", "-").split("-")
    if len(parts) != 2:
        raise fail("bad_hours", value=value)
    start, end = parse_hhmm(parts[0]), parse_hhmm(parts[1])
    if end <= start:
        raise fail("bad_hours", value=value)
    return start.strftime("%H:%M"), ("24:00" if end == time(23, 59, 59) else end.strftime("%H:%M"))


def parse_days(value: str) -> list[str]:
    """`mon-sat`, `mon,wed,fri`, `sat-mon` (wraps), `all` → weekday keys in week order."""
    text = value.strip().lower()
    if text in ("all", "daily", "*"):
        return list(WEEKDAYS)
    found: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        ends = [p.strip()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in WEEKDAYS for e in ends):
            raise fail("bad_days", value=value)
        a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        found.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    if not found:
        raise fail("bad_days", value=value)
    return [WEEKDAYS[i] for i in sorted(found)]


def parse_phone(value: str) -> str:
    """Digits with an optional leading +, 9 to 15 digits; spaces, dashes, dots, brackets ignored."""
    cleaned = re.sub(r"[\s\-().]", "", value or "")
    if not re.fullmatch(r"\+?\d{9,15}", cleaned):
        raise fail("bad_phone", phone=value)
    return cleaned


def parse_attendees(value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise fail("bad_attendees", value=value) from None
    if number < 1:
        raise fail("bad_attendees", value=value)
    return number


def clean_text(field: str, value: str | None, *, required: bool = True) -> str:
    text = " ".join((value or "").split()) if field != "purpose" else (value or "").strip()
    if required and not text:
        raise fail("field_required", field=field)
    limit = TEXT_LIMITS.get(field, 300)
    if len(text) > limit:
        raise fail("field_too_long", field=field, limit=limit)
    return text


# ---- the rules ---------------------------------------------------------------------------
def opening_hours(room: Room, day: date) -> tuple[datetime, datetime] | None:
    """Naive house-local opening and closing of `room` on `day`, or None when closed that weekday."""
    hours = room.hours.get(WEEKDAYS[day.weekday()])
    if hours is None:
        return None
    start = datetime.combine(day, parse_hhmm(hours[0]))
    end = datetime.combine(day, time(0)) + timedelta(days=1) if hours[1] == "24:00" else (
        datetime.combine(day, parse_hhmm(hours[1]))
    )
    return start, end


def check_slot(
    room: Room,
    start: datetime,
    end: datetime,
    now: datetime,
    closed: dict[date, str | None],
    attendees: int,
) -> None:
    """Raise the first rule `start`–`end` breaks. All datetimes naive house-local."""
    if end <= start:
        raise fail("bad_range")
    if start < now:
        raise fail("past", start=start.strftime("%d.%m.%Y %H:%M"))
    day = start.date()
    if end.date() != day and end != datetime.combine(day + timedelta(days=1), time(0)):
        raise fail("multi_day")
    if day in closed:
        reason = closed[day]
        raise fail("closed_day", date=fmt_date(day), reason=f" ({reason})" if reason else "")
    hours = opening_hours(room, day)
    if hours is None:
        raise fail("closed_weekday", weekday=WEEKDAYS[day.weekday()], date=fmt_date(day))
    if start < hours[0] or end > hours[1]:
        raise fail("outside_hours", open=hours[0].strftime("%H:%M"), close=_hhmm_end(hours[1], day))
    if attendees > room.capacity:
        raise fail("over_capacity", attendees=attendees, capacity=room.capacity)
    if (end - start) > timedelta(hours=room.max_hours):
        raise fail("too_long", max_hours=fmt_hours(room.max_hours))
    if (start - now) < timedelta(hours=room.min_notice_hours):
        raise fail("short_notice", min_notice_hours=fmt_hours(room.min_notice_hours))


def _hhmm_end(value: datetime, day: date) -> str:
    return "24:00" if value.date() != day else value.strftime("%H:%M")


def overlaps(a_start: datetime, a_end: datetime, spans: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(s < a_end and a_start < e for s, e in spans)
