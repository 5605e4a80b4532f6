"""iCalendar (RFC 5545) output: CRLF line ends, TEXT escaping, lines folded at 75 octets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//civicbot//House of NGOs bookings//EN"
FOLD_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    start_utc: datetime
    end_utc: datetime
    summary: str
    location: str = ""
    description: str = ""


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11: backslash, semicolon, comma escaped; newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (never inside a UTF-8 character);
    continuation lines start with one space (§3.1)."""
    out: list[str] = []
    chunk, size, limit = "", 0, FOLD_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(chunk)
            chunk, size, limit = "", 0, FOLD_OCTETS - 1
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n ".join(out)


def utc_stamp(value: datetime) -> str:
    """An aware (or naive-UTC) datetime as a UTC DATE-TIME: 20261225T050000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[Event], now_utc: datetime, name: str = "House of NGOs") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}"]
    for ev in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ev.uid}",
            f"DTSTAMP:{utc_stamp(now_utc)}",
            f"DTSTART:{utc_stamp(ev.start_utc)}",
            f"DTEND:{utc_stamp(ev.end_utc)}",
            f"SUMMARY:{escape_text(ev.summary)}",
        ]
        if ev.location:
            lines.append(f"LOCATION:{escape_text(ev.location)}")
        if ev.description:
            lines.append(f"DESCRIPTION:{escape_text(ev.description)}")
        lines += ["STATUS:CONFIRMED", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
