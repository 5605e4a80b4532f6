"""What staff do to bookings from the console, through the same services as the chat and the CLI.

Each action calls `BookingService` (approve, reject, cancel, close_day, open_day — the rules, the
request log and the locking live there), then tells the requester through the durable outbox with
`handlers.booking_notify` (the same message, language and once-only key as a decision taken from
the chat buttons or `civicbot bookings approve`), and writes one staff audit entry, `ok` or `failed`
with the refusal's code. A refusal (`CivicError`) is re-raised for the page to show, localized.
The role is checked by the console on every request before any of these runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handlers.booking_notify import notify_closures, notify_decision
from handlers.i18n import Catalog
from knowledge.errors import CivicError

AUDIT_CHANNEL = "web"
Audit = Callable[..., Any]
"""`StaffService.audit(actor, action, *, channel, target, outcome, **details)`."""


@dataclass(frozen=True)
class Deps:
    bookings: Any
    """bookings.service.BookingService"""
    outbox: Any
    """handlers.outbox.Outbox"""
    catalog: Catalog
    audit: Audit


@dataclass(frozen=True)
class Done:
    booking: Any = None
    notified: int = 0
    """Messages queued for requesters (0: nobody to tell, e.g. a booking made from the CLI)."""
    cancelled: list[Any] = field(default_factory=list)
    """For a closure: the bookings it cancelled."""


def _run(deps: Deps, actor: str, action: str, target: str, work: Callable[[], Done], **details: Any) -> Done:
    try:
        done = work()
    except CivicError as exc:
        deps.audit(actor, action, channel=AUDIT_CHANNEL, target=target, outcome="failed", code=exc.code, **details)
        raise
    extra: dict[str, Any] = {"notified": done.notified} if done.notified else {}
    if done.cancelled:
        extra["cancelled"] = [b.id for b in done.cancelled]
    deps.audit(actor, action, channel=AUDIT_CHANNEL, target=target, **details, **extra)
    return done


def approve(deps: Deps, actor: str, booking_id: int) -> Done:
    def work() -> Done:
        b = deps.bookings.approve(booking_id, actor)
        return Done(b, int(notify_decision(deps.outbox, deps.catalog, deps.bookings, b)))

    return _run(deps, actor, "booking_approve", f"booking:{booking_id}", work)


def reject(deps: Deps, actor: str, booking_id: int, reason: str | None) -> Done:
    """Reject with the reason the requester reads (none: the catalog's "not given", as in the chat)."""
    def work() -> Done:
        b = deps.bookings.reject(booking_id, actor, reason or None)
        return Done(b, int(notify_decision(deps.outbox, deps.catalog, deps.bookings, b, b.decision_reason)))

    return _run(deps, actor, "booking_reject", f"booking:{booking_id}", work)


def cancel(deps: Deps, actor: str, booking_id: int, reason: str | None) -> Done:
    def work() -> Done:
        b = deps.bookings.cancel(booking_id, actor, reason or None)
        return Done(b, int(notify_decision(deps.outbox, deps.catalog, deps.bookings, b)))

    return _run(deps, actor, "booking_cancel", f"booking:{booking_id}", work)


def close(deps: Deps, actor: str, room: str | int, day: date, reason: str | None, *,
          cancel_bookings: bool) -> Done:
    """Close the room on `day`. With bookings that day and not `cancel_bookings`, the service refuses
    (`booking.close_has_bookings`); with it, they are cancelled in the same transaction and each
    requester gets the closure notice in their language (`civicbot rooms close --cancel-bookings`)."""
    def work() -> Done:
        closure = deps.bookings.close_day(room, day, reason or None, cancel_bookings=cancel_bookings, actor=actor)
        sent = notify_closures(deps.outbox, deps.catalog, deps.bookings, closure.cancelled)
        return Done(closure.row, sent, list(closure.cancelled))

    return _run(deps, actor, "room_close", f"room:{room}", work, day=day.isoformat())


def reopen(deps: Deps, actor: str, room: str | int, day: date) -> bool:
    """Undo a closure (`civicbot rooms open`); False when the room was not closed that day."""
    found: list[bool] = []

    def work() -> Done:
        found.append(bool(deps.bookings.open_day(room, day)))
        return Done()

    _run(deps, actor, "room_open", f"room:{room}", work, day=day.isoformat())
    return found[0]


def export(deps: Deps, actor: str, fmt: str, start: Any = None, end: Any = None, lang: str = "ru") -> str:
    """The iCal feed of approved bookings (`ics`) or the CSV request log (`csv`), as
    `civicbot bookings export` writes them; the export is audited (the CSV holds phone numbers)."""
    if fmt not in ("ics", "csv"):
        raise ValueError(f"unknown export format {fmt!r}")
    svc = deps.bookings
    data: str = svc.export_ics(start, end, lang) if fmt == "ics" else svc.export_csv(start, end)
    deps.audit(actor, "booking_export", channel=AUDIT_CHANNEL, target=fmt,
               start=None if start is None else str(start), end=None if end is None else str(end))
    return data
