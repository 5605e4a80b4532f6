"""Closing a room on a booked day from the console, in a real chromium: the check page lists the
bookings it hits before anything changes; confirming closes the day, cancels them and each requester
with a chat gets the closure notice in their own language; the day can be reopened."""

from __future__ import annotations

from sqlalchemy import text

from tests.browser.bookings_kit import audits, book, day_ahead, next_user, room_id, status
from tests.browser.harness import Civicbot
from tests.browser.pages import ConsolePage


def _closed(civicbot: Civicbot, room: int, day: str) -> list[str | None]:
    with civicbot.db.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT reason FROM bk_room_closure WHERE room_id = :r AND day = :d"),
                                           {"r": room, "d": day}).all()]


def test_close_a_booked_day_and_cancel_its_bookings_with_a_notice(civicbot: Civicbot, staff: ConsolePage) -> None:
    day = day_ahead(3, 2)
    room = room_id(civicbot, "training-room")
    ru_user, vi_user = next_user(), next_user()
    ru = book(civicbot, "training-room", day, "10:00", "12:00", chat=ru_user, lang="ru", org="Молодёжный центр")
    vi = book(civicbot, "training-room", day, "13:00", "14:00", chat=vi_user, lang="vi", org="Hội Nông dân")
    civicbot.cli("bookings", "approve", str(vi), "--by", "telegram:9999")
    by_phone = book(civicbot, "training-room", day, "15:00", "16:00", chat=None, lang="ru", org="Phoned in")
    other_day = book(civicbot, "training-room", day_ahead(3, 3), "10:00", "11:00", chat=next_user(), lang="ru",
                     org="Another day")

    staff.goto("/bookings/closures?lang=en")
    assert staff.h1() == "Closures"
    staff.page.get_by_label("Room").select_option(str(room))
    staff.page.get_by_label("Date").fill(day.isoformat())
    staff.page.get_by_label("Reason (told to the requesters)").fill("Ремонт / sửa chữa")
    staff.shot("closures-form")
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Check the day").click()

    assert staff.h1() == f"Close Тренинговый зал on {day:%d.%m.%Y}?"
    listed = staff.page.locator("main table tbody tr").all_inner_texts()
    assert [line.split("\t")[0] for line in listed] == [f"#{ru}", f"#{vi}", f"#{by_phone}"]
    assert "no chat: call the contact" in listed[2] and "told in Telegram, Vietnamese" in listed[1]
    assert _closed(civicbot, room, day.isoformat()) == []  # nothing changed yet
    staff.shot("closure-check")
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Close the room and cancel the bookings (3)").click()

    notice = staff.page.locator("main .notice[role=status]").inner_text()
    assert "The room is closed on that day. Bookings cancelled: 3." in notice
    assert "Messages to requesters queued: 2." in notice
    assert _closed(civicbot, room, day.isoformat()) == ["Ремонт / sửa chữa"]
    assert [status(civicbot, b) for b in (ru, vi, by_phone, other_day)] == ["cancelled"] * 3 + ["pending"]
    ru_text = civicbot.telegram.wait_text(ru_user, f"№{ru}")
    assert f"{day:%d.%m.%Y} помещение «Тренинговый зал» в Доме НПО закрыто (Ремонт / sửa chữa)" in ru_text
    vi_text = civicbot.telegram.wait_text(vi_user, "đóng cửa")  # after the approval it got first
    assert "phòng «Phòng tập huấn» của Nhà các tổ chức phi chính phủ đóng cửa (Ремонт / sửa chữa)" in vi_text
    [entry] = audits(civicbot, "room_close", f"room:{room}")
    assert (entry["outcome"], entry["day"], sorted(entry["cancelled"]), entry["notified"]) == (
        "ok", day.isoformat(), sorted([ru, vi, by_phone]), 2)

    row = staff.page.locator("main table tbody tr", has_text=f"{day:%d.%m.%Y}")
    assert "Ремонт / sửa chữa" in row.inner_text()
    staff.shot("closed")
    staff.goto(f"/bookings?room={room}&week={day.isoformat()}")
    assert staff.page.locator("table.bk-grid td.closed").inner_text() == "Closed: Ремонт / sửa chữa"
    staff.shot("week-closed")

    staff.goto("/bookings/closures")
    reopen = staff.page.get_by_role("button", name=f"Reopen Тренинговый зал on {day:%d.%m.%Y}")
    with staff.page.expect_navigation():
        reopen.click()
    assert "The room is open again on that day." in staff.page.locator("main .notice").inner_text()
    assert _closed(civicbot, room, day.isoformat()) == []
    assert status(civicbot, ru) == "cancelled"  # reopening does not bring bookings back


def test_a_booking_made_after_the_check_is_not_cancelled_unseen(civicbot: Civicbot, staff: ConsolePage) -> None:
    day = day_ahead(4, 1)
    room = room_id(civicbot, "meeting-room")
    seen = book(civicbot, "meeting-room", day, "10:00", "11:00", chat=next_user(), lang="ru", org="Seen")
    staff.goto(f"/bookings/closures?room={room}&day={day.isoformat()}&reason=Holiday&lang=en")
    assert staff.page.locator("main table tbody tr").count() == 1
    late = book(civicbot, "meeting-room", day, "15:00", "16:00", chat=next_user(), lang="ru", org="Came later")
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name="Close the room and cancel the bookings (1)").click()
    assert staff.page.locator("main .refusal[role=alert]").inner_text().startswith("There are bookings on that day")
    assert staff.page.locator("main table tbody tr").count() == 2  # listed again, the new one included
    staff.shot("refused-unseen")
    assert [status(civicbot, b) for b in (seen, late)] == ["pending", "pending"]
    assert _closed(civicbot, room, day.isoformat()) == []
    assert audits(civicbot, "room_close", f"room:{room}")[-1]["outcome"] == "failed"


def test_a_past_day_cannot_be_closed(civicbot: Civicbot, staff: ConsolePage) -> None:
    room = room_id(civicbot, "coworking")
    staff.goto(f"/bookings/closures?room={room}&day=2020-01-06&lang=en")
    past = "That date is in the past: a room cannot be closed on it."
    assert staff.page.locator("main .refusal").inner_text() == past
    assert staff.page.get_by_role("button", name="Close the room on that day").count() == 0
    response = staff.goto(f"/bookings/closures?room={room}&day=someday&lang=en")
    assert response is not None and response.status == 400
    assert "“someday” is not a date" in staff.page.locator("main .refusal").inner_text()
