"""What staff do to bookings from the console, through the same services as the chat and the CLI.

Each action calls `BookingService` (approve, reject, cancel, close_day, open_day — the rules, the
request log and the locking live there), then tells the requester through the durable outbox with
`handlers.booking.notify` (the same message, language and once-only key as a decision taken from
the chat buttons or `civicbot bookings approve`), and writes one staff audit entry, `ok` or `failed`
with the refusal's code. A refusal (`CivicError`) is re-raised for the page to show, localized.
The role is checked by the console on every request before any of these runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING

from handlers.booking.notify import notify_closures, notify_decision
from handlers.i18n import Catalog
from knowledge.errors import CivicError

if TYPE_CHECKING:
    from bookings.models import Booking, RoomClosure
    from bookings.service import BookingService
    from handlers.outbox import Outbox
    from handlers.staff.service import StaffService

Audit = Callable[..., object]
"""Writes one staff audit entry as the acting staff member: `audit(action, *, target, outcome, **details)`."""


def audit_as(staff_service: StaffService, channel: str, user_id: str) -> Audit:
    """The audit writer of one staff member in the console: the same log (and the same actor and
    channel columns) as their actions in the chat, marked `via: web`."""
    return partial(staff_service.audit, user_id, channel=channel, via="web")


@dataclass(frozen=True)
class Desk:
    """Who acts and with which services: one per request."""

    bookings: BookingService
    outbox: Outbox
    catalog: Catalog
    actor: str
    """`CHANNEL:ID` of the staff member, recorded on the booking and in the request log (as the chat does)."""
    audit: Audit


@dataclass(frozen=True)
class Done:
    booking: Booking | RoomClosure | None = None
    notified: int = 0
    """Messages queued for requesters (0: nobody to tell, e.g. a booking made from the CLI)."""
    cancelled: list[Booking] = field(default_factory=list)
    """For a closure: the bookings it cancelled."""


def _run(desk: Desk, action: str, target: str, work: Callable[[], Done], **details: object) -> Done:
    try:
        done = work()
    except CivicError as exc:
        desk.audit(action, target=target, outcome="failed", code=exc.code, **details)
        raise
    extra: dict[str, object] = {"notified": done.notified} if done.notified else {}
    if done.cancelled:
        extra["cancelled"] = [b.id for b in done.cancelled]
    desk.audit(action, target=target, outcome="ok", **details, **extra)
    return done


def approve(desk: Desk, booking_id: int) -> Done:
    def work() -> Done:
        b = desk.bookings.approve(booking_id, desk.actor)
        return Done(b, int(notify_decision(desk.outbox, desk.catalog, desk.bookings, b)))

    return _run(desk, "booking_approve", f"booking:{booking_id}", work)


def reject(desk: Desk, booking_id: int, reason: str | None) -> Done:
    """Reject with the reason the requester reads (none: the catalog's "not given", as in the chat)."""
    def work() -> Done:
        b = desk.bookings.reject(booking_id, desk.actor, reason or None)
        return Done(b, int(notify_decision(desk.outbox, desk.catalog, desk.bookings, b, b.decision_reason)))

    return _run(desk, "booking_reject", f"booking:{booking_id}", work)


def cancel(desk: Desk, booking_id: int, reason: str | None) -> Done:
    def work() -> Done:
        b = desk.bookings.cancel(booking_id, desk.actor, reason or None)
        return Done(b, int(notify_decision(desk.outbox, desk.catalog, desk.bookings, b)))

    return _run(desk, "booking_cancel", f"booking:{booking_id}", work)


def close(desk: Desk, room: str | int, day: date, reason: str | None, *,
          cancel_bookings: bool) -> Done:
    """Close the room on `day`. With bookings that day and not `cancel_bookings`, the service refuses
    (`booking.close_has_bookings`); with it, they are cancelled in the same transaction and each
    requester gets the closure notice in their language (`civicbot rooms close --cancel-bookings`)."""
    def work() -> Done:
        closure = desk.bookings.close_day(room, day, reason or None, cancel_bookings=cancel_bookings,
                                          actor=desk.actor)
        sent = notify_closures(desk.outbox, desk.catalog, desk.bookings, closure.cancelled)
        return Done(closure.row, sent, list(closure.cancelled))

    return _run(desk, "room_close", f"room:{room}", work, day=day.isoformat())


def reopen(desk: Desk, room: str | int, day: date) -> bool:
    """Undo a closure (`civicbot rooms open`); False when the room was not closed that day."""
    target = f"room:{room}"
    try:
        found = bool(desk.bookings.open_day(room, day))
    except CivicError as exc:
        desk.audit("room_open", target=target, outcome="failed", code=exc.code, day=day.isoformat())
        raise
    desk.audit("room_open", target=target, outcome="ok", day=day.isoformat(), reopened=found)
    return found


def export(desk: Desk, fmt: str, start: datetime | None = None, end: datetime | None = None, lang: str = "ru") -> str:
    """The iCal feed of approved bookings (`ics`) or the CSV request log (`csv`), as
    `civicbot bookings export` writes them; the export is audited (the CSV holds phone numbers)."""
    if fmt not in ("ics", "csv"):
        raise ValueError(f"unknown export format {fmt!r}")
    svc = desk.bookings
    data: str = svc.export_ics(start, end, lang) if fmt == "ics" else svc.export_csv(start, end)
    desk.audit("booking_export", target=fmt, outcome="ok", start=None if start is None else str(start),
               end=None if end is None else str(end))
    return data
