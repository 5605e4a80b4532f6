"""CSV of the request log (every request, created or refused, and every decision)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime

from bookings.models import BookingLog

COLUMNS = [
    "log_id", "logged_at_utc", "event", "outcome", "error_code", "detail", "booking_id", "series_id",
    "room", "start_local", "end_local", "occurrences", "org", "contact_name", "phone", "attendees",
    "purpose", "channel", "actor_id",
]


def log_csv(rows: Iterable[BookingLog], room_names: dict[int, str],
            to_local: Callable[[datetime], datetime]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        room = room_names.get(r.room_id or -1, r.room_ref)
        writer.writerow([
            r.id, r.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.event, r.outcome, r.error_code or "",
            r.detail or "", r.booking_id or "", r.series_id or "", room,
            _local(r.start_utc, to_local), _local(r.end_utc, to_local), r.occurrences, r.org, r.contact_name,
            r.phone, "" if r.attendees is None else r.attendees, r.purpose, r.channel, r.actor_id,
        ])
    return buf.getvalue()


def _local(value: datetime | None, to_local: Callable[[datetime], datetime]) -> str:
    return to_local(value).isoformat(timespec="minutes") if value is not None else ""
