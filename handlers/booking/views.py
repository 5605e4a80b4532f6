"""How bookings look in the chat: labels, summaries, the staff request card, reminders, .ics replies.

Shared by the booking flow (handlers/booking/flow.py) and the reminder scheduler (bot/scheduler.py).
All text comes from the catalogs (`booking.*`); times are shown in the house time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bookings.models import WEEKDAYS, Booking, Room
from bookings.rooms import fold_name
from bookings.service import BookingService
from handlers.errors import error_text
from handlers.i18n import Catalog
from handlers.messages import Choice, OutgoingDocument, Reply, Target
from knowledge.errors import CivicError

PAGE_DAYS = 14


def stored_id(b: Booking) -> int:
    """The id of a booking the service returned (it stores every booking before returning it)."""
    if b.id is None:
        raise ValueError("a booking that was never stored")
    return b.id


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def fmt_hours(minutes: int, catalog: Catalog, lang: str) -> str:
    number = f"{minutes / 60:g}"
    return catalog.t(lang, "booking.hours_label", h=number.replace(".", ",") if lang in ("vi", "ru") else number)


def equipment_label(catalog: Catalog, lang: str, item: str) -> str:
    """An equipment name in `lang` (catalog `equipment.<name>`, e.g. `equipment.projector`), else as staff typed it."""
    key = "equipment." + "_".join(fold_name(item).split())
    return catalog.t(lang, key) if key.isascii() and catalog.has(key, lang) else item


def equipment_text(catalog: Catalog, lang: str, items: str | list[str]) -> str:
    """A comma-separated equipment list (as stored on a booking) with each item localized."""
    parts = items.split(",") if isinstance(items, str) else items
    return ", ".join(equipment_label(catalog, lang, p.strip()) for p in parts if p.strip())


def refusal_text(catalog: Catalog, lang: str, exc: CivicError) -> str:
    """A booking rule's refusal in `lang` (the dialog's `error.<code>` text, handlers/errors.py)."""
    return error_text(catalog, lang, exc)


def day_refusal_text(catalog: Catalog, lang: str, room: Room, day: date, exc: CivicError) -> str:
    """Why a day cannot be booked: the closure reason, or which weekdays the room is open."""
    if exc.code == "booking.closed_weekday":
        open_days: list[str] = [str(d) for d in exc.params.get("open_days") or ()]  # type: ignore[attr-defined]
        days = ", ".join(catalog.t(lang, f"booking.wd{WEEKDAYS.index(d)}") for d in open_days)
        return catalog.t(lang, "booking.weekday_closed", date=fmt_date(day),
                         weekday=catalog.t(lang, f"booking.wdname{day.weekday()}"), days=days or "—")
    if exc.code == "booking.closed_day":
        reason = exc.params.get("closure_reason") or catalog.t(lang, "booking.no_reason_given")
        return catalog.t(lang, "booking.day_closed_reason", date=fmt_date(day), reason=reason)
    return refusal_text(catalog, lang, exc)


def room_line(catalog: Catalog, lang: str, room: Room) -> str:
    items = room.equipment
    extra = catalog.t(lang, "booking.room_equipment", items=equipment_text(catalog, lang, items)) if items else ""
    return catalog.t(lang, "booking.room_line", name=room.display_name(lang), capacity=room.capacity,
                     equipment=extra)


def facts(catalog: Catalog, lang: str, svc: BookingService, b: Booking) -> dict[str, object]:
    """The message parameters of a booking, in house time."""
    start, end = svc.to_local(b.start_utc), svc.to_local(b.end_utc)
    room = svc.get_room(b.room_id)
    return {
        "id": b.id, "room": room.display_name(lang), "date": fmt_date(start.date()), "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}", "tz": svc.tz.key, "org": b.org, "contact": b.contact_name, "phone": b.phone,
        "attendees": b.attendees, "purpose": b.purpose, "channel": b.channel,
        "equipment": equipment_text(catalog, lang, b.equipment or "") or "—",
        "status": catalog.t(lang, f"booking.status_{b.status}"),
    }


def staff_card(catalog: Catalog, lang: str, svc: BookingService, b: Booking, target: Target | None = None) -> Reply:
    """A request as staff see it, with Approve / Reject buttons."""
    rows = [[Choice(catalog.t(lang, "booking.approve"), f"bk:ap:{b.id}"),
             Choice(catalog.t(lang, "booking.reject"), f"bk:rj:{b.id}")]]
    return Reply(catalog.t(lang, "booking.staff_new", **facts(catalog, lang, svc, b)), choices=rows, target=target)


def requester_target(b: Booking) -> Target | None:
    return Target(b.channel, b.chat_id) if b.chat_id else None


def ics_choice(catalog: Catalog, lang: str, b: Booking) -> Choice:
    return Choice(catalog.t(lang, "booking.ics_button", id=b.id), f"bk:ics:{b.id}")


def ics_reply(catalog: Catalog, lang: str, svc: BookingService, b: Booking) -> Reply:
    content = svc.booking_ics(stored_id(b), lang).encode("utf-8")
    doc = OutgoingDocument(f"booking-{b.id}.ics", content, "text/calendar")
    return Reply(catalog.t(lang, "booking.ics_caption", id=b.id), document=doc)


def reminder_replies(catalog: Catalog, svc: BookingService, b: Booking, offset_minutes: int,
                     now_utc: datetime) -> list[Reply]:
    """The reminder for one booking, in the requester's language, with its .ics button."""
    lang = b.lang
    left = max(0, int((b.start_utc - now_utc).total_seconds() // 60))
    left_text = (catalog.t(lang, "booking.left_hours", n=round(left / 60)) if left >= 120
                 else catalog.t(lang, "booking.left_minutes", n=left))
    text = catalog.t(lang, "booking.reminder", left=left_text, **facts(catalog, lang, svc, b))
    return [Reply(text, choices=[[ics_choice(catalog, lang, b)]], on_undelivered=f"#{b.id}")]


def booking_lines(catalog: Catalog, lang: str, svc: BookingService, bookings: list[Booking],
                  owner: bool) -> Reply | None:
    """`/mybookings`: one line per booking, a Cancel button (and .ics when approved)."""
    if not bookings:
        return None
    lines = [catalog.t(lang, "booking.mine_title")]
    rows: list[list[Choice]] = []
    for b in bookings:
        lines.append(catalog.t(lang, "booking.line", **facts(catalog, lang, svc, b)))
        row = []
        if b.status in ("pending", "approved") and owner:
            row.append(Choice(catalog.t(lang, "booking.cancel_button", id=b.id), f"bk:cx:{b.id}"))
        if b.status == "approved":
            row.append(ics_choice(catalog, lang, b))
        if row:
            rows.append(row)
    return Reply("\n".join(lines), choices=rows)


def calendar_rows(catalog: Catalog, lang: str, days: list[tuple[date, bool]], page: int) -> list[list[Choice]]:
    """Day buttons (✖ marks a closed day), four to a row, and Earlier / Later."""
    buttons = []
    for day, ok in days:
        label = f"{catalog.t(lang, f'booking.wd{day.weekday()}')} {day:%d.%m}"
        buttons.append(Choice(label if ok else f"✖ {label}", f"bk:day:{day.isoformat()}"))
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    paging = []
    if page > 0:
        paging.append(Choice(catalog.t(lang, "booking.earlier"), f"bk:cal:{page - 1}"))
    if page < 3:
        paging.append(Choice(catalog.t(lang, "booking.later"), f"bk:cal:{page + 1}"))
    return rows + [paging]


def equipment_reply(catalog: Catalog, lang: str, room: Room, chosen: list[str], nav: list[Choice]) -> Reply:
    """Toggle buttons for the room's equipment (☑ chosen, ☐ not) and Done."""
    rows = [[Choice(("☑ " if item in chosen else "☐ ") + equipment_label(catalog, lang, item), f"bk:eq:{i}")]
            for i, item in enumerate(room.equipment)]
    rows.append([Choice(catalog.t(lang, "booking.equipment_done"), "bk:eq:done")])
    return Reply(catalog.t(lang, "booking.ask_equipment"), choices=rows + [nav])


def duration_options(max_minutes: int) -> list[int]:
    """Durations to offer (minutes) up to the longest possible booking."""
    steps = [30, 60, 90, 120, 150, 180, 240, 300, 360, 420, 480, 600, 720]
    options = [m for m in steps if m <= max_minutes]
    if max_minutes not in options and max_minutes >= 30:
        options.append(max_minutes)
    return options


def slot_rows(starts: list[datetime]) -> list[list[Choice]]:
    buttons = [Choice(f"{t:%H:%M}", f"bk:slot:{t:%H%M}") for t in starts]
    return [buttons[i:i + 4] for i in range(0, len(buttons), 4)]


def page_start(today: date, page: int) -> date:
    return today + timedelta(days=PAGE_DAYS * page)
