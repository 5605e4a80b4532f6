"""The Numbers page in a real chromium shows the figures of `civicbot stats --json` (same data dir,
same moment): questions per day, answered and declined, bookings per room and occupancy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator
from sqlmodel import Session, select

from bookings.models import Booking, Room
from tests.browser.harness import Civicbot
from tests.browser.kb_shots import docs_shot
from tests.browser.pages import ConsolePage


def table(chart: Locator) -> list[list[str]]:
    rows = chart.locator("table tbody tr")
    return [[(c.text_content() or "").strip() for c in rows.nth(i).locator("th, td").all()]
            for i in range(rows.count())]


def held_yesterday(civicbot: Civicbot) -> None:
    """An approved 3-hour booking of the conference hall on the last open day before today (house time)."""
    tz = ZoneInfo("Asia/Almaty")
    day = datetime.now(tz).date() - timedelta(days=1)
    while day.weekday() == 6:  # the sample rooms are closed on Sundays
        day -= timedelta(days=1)
    start = datetime.combine(day, time(10), tz).astimezone(UTC)
    with Session(civicbot.db) as s:
        hall = s.exec(select(Room).where(Room.name == "conference-hall")).one()
        s.add(Booking(room_id=hall.id or 0, start_utc=start, end_utc=start + timedelta(hours=3), status="approved",
                      org="Hội Phụ nữ", contact_name="Lan", phone="+84 912 345 678", attendees=12, purpose="tập huấn"))
        s.commit()


def test_numbers_are_the_stats_figures(staff: ConsolePage, civicbot: Civicbot) -> None:
    held_yesterday(civicbot)
    civicbot.telegram.send(616161, "Chuẩn nghèo đa chiều giai đoạn 2022-2025 là gì?")
    civicbot.telegram.wait_text(616161, "", timeout=20)
    staff.goto("/numbers?days=7&lang=en")
    assert staff.h1() == "Numbers" and staff.refusal() is None
    stats = json.loads(civicbot.cli("stats", "--json", "--days", "7").stdout)
    figures = dict(zip(staff.page.locator("dl.figures dt").all_inner_texts(),
                       staff.page.locator("dl.figures dd").all_inner_texts(), strict=True))
    q = stats["questions"]
    assert q["total"] >= 1 and figures["Questions"] == str(q["total"])
    assert figures["Answered"].startswith(f"{q['answered']} (")
    assert figures["Declined"].startswith(f"{q['abstained']} (")
    assert figures["Open unanswered"] == str(q["unanswered_open"])
    per_day = staff.page.locator("#chart-per-day")
    assert per_day.locator("svg > title").first.text_content() == "Questions per day"
    days = {row[0]: sum(int(x) for x in row[1:]) for row in table(per_day)}
    assert days == {d["date"]: d["total"] for d in stats["per_day"]}
    rooms = staff.page.locator("#chart-rooms")
    expected = [[r["room"], str(r["requests"]), str(r["approved"])] for r in stats["booking_rooms"]]
    assert stats["booking_rooms"] and table(rooms) == expected  # the sample rooms
    hall = next(r for r in stats["booking_rooms"] if r["room"] == "conference-hall")
    assert hall["approved"] >= 1 and hall["booked_hours"] >= 3 and hall["occupancy"] > 0
    occupancy = [row[1] for row in table(staff.page.locator("#chart-occupancy"))]
    assert occupancy == ["—" if r["occupancy"] is None else f"{r['occupancy'] * 100:.0f} %"
                         for r in stats["booking_rooms"]]
    staff.shot("numbers")
    docs_shot(staff, "numbers")
    staff.goto("/numbers?days=30&lang=vi")
    assert staff.h1() == "Số liệu"
    assert staff.page.locator("dl.figures dd").first.inner_text() == str(
        json.loads(civicbot.cli("stats", "--json", "--days", "30").stdout)["questions"]["total"])
    bad = staff.goto("/numbers?days=0")
    assert bad is not None and bad.status == 400
