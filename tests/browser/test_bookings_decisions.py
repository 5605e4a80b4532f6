"""Deciding booking requests in the console, in a real chromium against a running civicbot: the
requester hears the decision in their own Telegram chat and language (through the fake Bot API),
the decision is in the request log, the booking's history and the staff audit log."""

from __future__ import annotations

from tests.browser.bookings_kit import audits, book, day_ahead, next_user, status
from tests.browser.harness import Civicbot
from tests.browser.pages import ConsolePage


def test_approve_from_the_queue_tells_the_requester_in_russian(civicbot: Civicbot, staff: ConsolePage) -> None:
    user = next_user()
    day = day_ahead(2, 1)
    booking = book(civicbot, "meeting-room", day, "10:00", "11:30", chat=user, lang="ru", org="Гражданский альянс")
    staff.goto("/bookings/queue?lang=en")
    assert staff.h1() == "Requests to decide"
    card = staff.page.locator("li.card", has=staff.page.locator(f"a[href='/staff/bookings/{booking}']"))
    assert "Гражданский альянс" in card.inner_text() and "waiting for a decision" not in card.inner_text()
    staff.shot("queue")
    with staff.page.expect_navigation():
        card.get_by_role("button", name=f"Approve #{booking}").click()

    assert staff.page.url.endswith(f"/staff/bookings/queue?done=approved&id={booking}&n=1")
    notice = staff.page.locator("main .notice[role=status]").inner_text()
    assert f"Booking #{booking} is approved." in notice and "Messages to requesters queued: 1." in notice
    assert staff.page.locator(f"a[href='/staff/bookings/{booking}']").count() == 0  # left the queue
    staff.shot("approved")

    text = civicbot.telegram.wait_text(user, f"№{booking} одобрено")
    assert text.startswith(f"✅ Ваше бронирование №{booking} одобрено: Переговорная, {day:%d.%m.%Y}, 10:00–11:30")
    assert status(civicbot, booking) == "approved"
    [entry] = audits(civicbot, "booking_approve", f"booking:{booking}")
    assert (entry["actor"], entry["channel"], entry["outcome"], entry["via"], entry["notified"]) == (
        str(civicbot.admin), "telegram", "ok", "web", 1)

    staff.goto(f"/bookings/{booking}")
    history = staff.page.locator("table.bk-history tbody tr")
    rows = [" | ".join(history.nth(i).locator("td").all_inner_texts()) for i in range(history.count())]
    assert rows[0].split(" | ")[1:3] == ["Request", "created"]
    assert any(r.split(" | ")[1:4] == ["Approval", "done", f"telegram:{civicbot.admin}"] for r in rows)
    assert any(r.split(" | ")[1:3] == ["Message to the requester: approved", "sent"] for r in rows), rows
    staff.shot("details")


def test_reject_with_a_reason_reaches_the_requester_in_vietnamese(civicbot: Civicbot, staff: ConsolePage) -> None:
    user = next_user()
    booking = book(civicbot, "meeting-room", day_ahead(2, 2), "14:00", "15:00", chat=user, lang="vi",
                   org="Hội Phụ nữ xã")
    staff.goto(f"/bookings/{booking}?lang=en")
    assert staff.h1() == f"Booking #{booking}"
    staff.page.get_by_label(f"Reason for rejecting #{booking}").fill("Phòng đang sửa chữa điện")
    staff.shot("reject-reason")
    with staff.page.expect_navigation():
        staff.page.get_by_role("button", name=f"Reject #{booking}").click()
    assert f"Booking #{booking} is rejected." in staff.page.locator("main .notice").inner_text()
    assert "Reason: Phòng đang sửa chữa điện" in staff.page.locator("main").inner_text()

    text = civicbot.telegram.wait_text(user, f"#{booking}")
    assert text.startswith(f"❌ Rất tiếc, yêu cầu đặt phòng #{booking} (Phòng họp nhỏ")
    assert text.endswith("Lý do: Phòng đang sửa chữa điện")
    assert status(civicbot, booking) == "rejected"
    assert [a["outcome"] for a in audits(civicbot, "booking_reject", f"booking:{booking}")] == ["ok"]


def test_a_decision_taken_meanwhile_elsewhere_is_refused_clearly(civicbot: Civicbot, staff: ConsolePage) -> None:
    """The queue page was open while someone approved the booking from the CLI: pressing Reject
    shows the service's refusal, in the page language, and tells the requester nothing more."""
    user = next_user()
    booking = book(civicbot, "meeting-room", day_ahead(2, 3), "09:00", "10:00", chat=user, lang="ru", org="НКО Степь")
    staff.goto("/bookings/queue?lang=ru")
    civicbot.cli("bookings", "approve", str(booking), "--by", "telegram:9999")
    civicbot.telegram.wait_text(user, f"№{booking} одобрено")
    card = staff.page.locator("li.card", has=staff.page.locator(f"a[href='/staff/bookings/{booking}']"))
    card.get_by_label(f"Причина отказа по заявке №{booking}").fill("Поздно")
    with staff.page.expect_navigation():
        card.get_by_role("button", name=f"Отклонить №{booking}").click()
    assert staff.page.locator("main .refusal[role=alert]").inner_text() == (
        f"Бронирование №{booking} уже нельзя изменить.")
    assert staff.h1() == f"Бронирование №{booking}"
    staff.shot("refused")
    assert status(civicbot, booking) == "approved"
    assert [a["outcome"] for a in audits(civicbot, "booking_reject", f"booking:{booking}")] == ["failed"]
    assert not any("Поздно" in t for t in civicbot.telegram.texts(user))
