"""The console's booking calendars and exports in a real chromium: a week per room (a table on a
desktop, a list of days on a phone), every room side by side for a day, week/day navigation, bad
input refused clearly, CSV and iCal downloads equal to the CLI's export and audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from tests.browser.bookings_kit import audits, book, day_ahead, next_user, room_id, service
from tests.browser.harness import Civicbot
from tests.browser.pages import ConsolePage

PHONE = {"width": 360, "height": 780}


def test_week_of_one_room_on_a_desktop_and_on_a_phone(civicbot: Civicbot, staff: ConsolePage) -> None:
    day = day_ahead(5, 3)  # a Thursday
    room = room_id(civicbot, "meeting-room")
    approved = book(civicbot, "meeting-room", day, "10:00", "11:30", chat=next_user(), lang="ru", org="Alpha NGO")
    service(civicbot).approve(approved, "telegram:9999")
    pending = book(civicbot, "meeting-room", day + timedelta(days=1), "14:30", "16:00", chat=next_user(), lang="vi",
                   org="Beta Club")

    staff.goto(f"/bookings?room={room}&week={day.isoformat()}&lang=en")
    monday = day - timedelta(days=3)
    assert staff.h1() == f"Переговорная: week {monday:%d.%m.%Y} – {monday + timedelta(days=6):%d.%m.%Y}"
    table = staff.page.locator("table.bk-grid")
    assert table.is_visible() and table.locator("caption").inner_text().startswith("Bookings of Переговорная from")
    heads = table.locator("thead th[scope=col]").all_inner_texts()
    assert heads[0] == "Time" and heads[4] == f"Th {day:%d.%m}" and len(heads) == 8
    assert table.locator("tbody th[scope=row]").first.inner_text() == "09:00"
    cell = table.locator("td.booked", has=staff.page.locator(f"a[href='/staff/bookings/{approved}']"))
    assert cell.get_attribute("rowspan") == "3" and "10:00–11:30" in cell.inner_text()
    assert "approved" in cell.inner_text()
    other = table.locator("td.booked", has=staff.page.locator(f"a[href='/staff/bookings/{pending}']"))
    assert other.get_attribute("rowspan") == "3" and "waiting for a decision" in other.inner_text()
    assert table.locator("td.shut").last.inner_text() == "Not open"  # Sunday
    assert not staff.page.locator(".bk-narrow").is_visible()
    staff.shot("week")

    staff.page.set_viewport_size(PHONE)
    assert not table.is_visible()
    days = staff.page.locator(".bk-narrow section")
    assert days.count() == 7 and days.nth(3).locator("h2").inner_text() == f"Th {day:%d.%m}"
    assert "10:00–11:30" in days.nth(3).inner_text() and "Alpha NGO" in days.nth(3).inner_text()
    width = staff.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"
    staff.shot("week-phone")

    with staff.page.expect_navigation():
        staff.page.get_by_role("link", name="Next week ▶").click()
    assert f"week {monday + timedelta(days=7):%d.%m.%Y}" in staff.h1()
    with staff.page.expect_navigation():
        staff.page.get_by_role("link", name="◀ Previous week").click()
    with staff.page.expect_navigation():
        days.nth(3).locator(f"a[href='/staff/bookings/{approved}']").click()
    assert staff.h1() == f"Booking #{approved}"


def test_every_room_side_by_side_for_a_day(civicbot: Civicbot, staff: ConsolePage) -> None:
    day = day_ahead(5, 4)
    hall = book(civicbot, "conference-hall", day, "09:00", "13:00", chat=next_user(), lang="ru", org="Forum")
    cowork = book(civicbot, "coworking", day, "12:00", "12:30", chat=next_user(), lang="vi", org="Solo")
    staff.goto(f"/bookings/day?day={day.isoformat()}")  # Vietnamese, the staff language by default
    assert staff.h1() == f"Mọi phòng: thứ Sáu, {day:%d.%m.%Y}"
    heads = staff.page.locator("table.bk-grid thead th[scope=col]").all_inner_texts()
    assert heads == ["Giờ", "Hội trường", "Phòng tập huấn", "Phòng họp nhỏ", "Không gian làm việc chung"]
    columns = staff.page.locator("table.bk-grid tbody tr").first.locator("td")
    assert columns.first.get_attribute("rowspan") == "8"  # the hall, 09:00-13:00
    assert f"/staff/bookings/{hall}" in (columns.first.locator("a").get_attribute("href") or "")
    assert staff.page.locator(f"td.booked a[href='/staff/bookings/{cowork}']").inner_text().startswith("12:00–12:30")
    staff.shot("day")
    with staff.page.expect_navigation():
        staff.page.get_by_role("link", name="Ngày sau ▶").click()
    assert f"{day + timedelta(days=1):%d.%m.%Y}" in staff.h1()
    staff.page.set_viewport_size(PHONE)
    assert staff.page.locator(".bk-narrow section h2").all_inner_texts()[0] == "Hội trường"
    staff.shot("day-phone")


def test_bad_addresses_get_a_clear_page(staff: ConsolePage) -> None:
    response = staff.goto("/bookings?week=31.02.2026&lang=en")
    assert response is not None and response.status == 400
    assert staff.page.locator("main .refusal").inner_text() == (
        "“31.02.2026” is not a date. Use the date picker or write YYYY-MM-DD.")
    response = staff.goto("/bookings?room=999999")
    assert response is not None and response.status == 404
    assert staff.page.locator("main .refusal").inner_text() == "There is no such room."
    response = staff.goto("/bookings/999999")
    assert response is not None and response.status == 404
    assert staff.page.locator("main .refusal").inner_text() == "Booking #999999 was not found."
    staff.shot("not-found")


def test_csv_and_ical_exports(civicbot: Civicbot, staff: ConsolePage, tmp_path: Path) -> None:
    day = day_ahead(6, 1)
    booking = book(civicbot, "training-room", day, "10:00", "12:00", chat=next_user(), lang="ru", org="Export Org")
    service(civicbot).approve(booking, "telegram:9999")
    staff.goto("/bookings/export?lang=en")
    assert staff.h1() == "Export"
    staff.shot("export")

    with staff.page.expect_download() as got:
        staff.page.get_by_role("button", name="Download the CSV request log").click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name == "bookings.csv"
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    mine = [(r["event"], r["outcome"], r["org"]) for r in rows if r["booking_id"] == str(booking)]
    assert mine == [("request", "created", "Export Org"), ("approve", "done", "Export Org")]
    assert saved.read_text(encoding="utf-8") == civicbot.cli("bookings", "export", "--format", "csv").stdout

    staff.page.get_by_label("From (optional)").fill(day.isoformat())
    staff.page.get_by_label("To, inclusive (optional)").fill(day.isoformat())
    with staff.page.expect_download() as got:
        staff.page.get_by_role("button", name="Download the iCal calendar").click()
    assert got.value.suggested_filename == f"bookings-{day:%Y%m%d}-{day:%Y%m%d}.ics"
    calendar = Calendar.from_ical(Path(got.value.path()).read_bytes())
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert f"booking-{booking}@civicbot" in uids
    assert all(e["DTSTART"].dt.date() == day for e in calendar.walk("VEVENT"))  # house day = UTC day here

    exports = audits(civicbot, "booking_export", "csv") + audits(civicbot, "booking_export", "ics")
    assert {(e["actor"], e["via"]) for e in exports} == {(str(civicbot.admin), "web")}

    staff.goto("/bookings/export?lang=en")
    staff.page.get_by_label("From (optional)").fill(day.isoformat())
    staff.page.get_by_label("To, inclusive (optional)").fill((day - timedelta(days=1)).isoformat())
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Download the iCal calendar").click()
    assert staff.page.locator("main .refusal").inner_text() == "The end date is before the start date."
