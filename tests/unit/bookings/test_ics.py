"""iCalendar output: CRLF, escaping, folding at 75 octets without splitting UTF-8, UTC times,
checked by hand and against the `icalendar` parser as an oracle."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bookings import ics
from bookings.service import BookingService
from knowledge.errors import Conflict
from tests.fakes.booking_support import ask


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_escape_and_fold() -> None:
    assert ics.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "Тренинг для волонтёров, đào tạo tình nguyện viên; " * 6
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts) and len(parts) > 3
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line  # lossless, no broken characters


def test_booking_ics_is_valid(svc: BookingService) -> None:
    long_purpose = "Семинар «Гранты для НКО», часть 1; обсуждение\nи вопросы — " * 3
    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:30", org="Зелёная степь, ОФ", purpose=long_purpose)
    with pytest.raises(Conflict):  # only approved bookings have a calendar file
        svc.booking_ics(b.id or 0)
    svc.approve(b.id or 0, "staff")
    text = svc.booking_ics(b.id or 0)
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert f"UID:booking-{b.id}@civicbot" in lines
    assert "DTSTART:20261203T050000Z" in lines and "DTEND:20261203T073000Z" in lines
    assert "DTSTAMP:20261201T060000Z" in lines
    assert "SUMMARY:Зелёная степь\\, ОФ — Большой зал" in lines

    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(raw)
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Зелёная степь, ОФ — Большой зал"
    assert str(event["DESCRIPTION"]).startswith(long_purpose.strip())


def test_feed_has_only_approved_in_range(svc: BookingService) -> None:
    [a] = ask(svc, "2026-12-03T10:00", "2026-12-03T11:00")
    [b] = ask(svc, "2026-12-10T10:00", "2026-12-10T11:00")
    ask(svc, "2026-12-04T10:00", "2026-12-04T11:00")  # stays pending
    svc.approve(a.id or 0, "s")
    svc.approve(b.id or 0, "s")
    feed = svc.export_ics()
    assert feed.count("BEGIN:VEVENT") == 2
    dec = svc.export_ics(datetime(2026, 12, 1), datetime(2026, 12, 5))
    assert dec.count("BEGIN:VEVENT") == 1 and f"UID:booking-{a.id}@civicbot" in dec
