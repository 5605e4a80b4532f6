"""A booking decision told to its requester, once, through the outbox — from the chat or the console.

`notify_decision(outbox, catalog, svc, booking, reason)` writes the requester's message (in their
language, to the chat they booked from) with the idempotency key `booking:<id>:<status>`: whoever
records the decision (a staff button, `civicbot bookings approve|reject|cancel`, later the web),
the requester hears about it exactly once, delivered by a running `civicbot run` on any replica.
`closure_notices` are the messages for bookings a room closure cancelled (`rooms close
--cancel-bookings`), queued the same way by `notify_closures`.
"""

from __future__ import annotations

from bookings.models import Booking
from bookings.service import BookingService
from handlers.booking import views
from handlers.i18n import Catalog
from handlers.messages import Reply
from handlers.outbox import Outbox

DECISIONS = {"approved": "booking.approved_user", "rejected": "booking.rejected_user",
             "cancelled": "booking.cancelled_by_staff_user"}


def decision_reply(catalog: Catalog, svc: BookingService, b: Booking, reason: str | None = None) -> Reply | None:
    """The requester's message about booking `b`'s current status (None: nobody to tell)."""
    target = views.requester_target(b)
    key = DECISIONS.get(b.status)
    if target is None or key is None:
        return None
    params = views.facts(catalog, b.lang, svc, b)
    if b.status == "rejected":
        params["reason"] = reason or catalog.t(b.lang, "booking.no_reason_given")
    choices = [[views.ics_choice(catalog, b.lang, b)]] if b.status == "approved" else []
    return Reply(catalog.t(b.lang, key, **params), target=target, choices=choices)


def dedup_key(b: Booking) -> str:
    return f"booking:{b.id}:{b.status}"


def notify_decision(outbox: Outbox, catalog: Catalog, svc: BookingService, b: Booking,
                    reason: str | None = None) -> bool:
    """Queue the requester's notification once; False when there is nobody to tell or it was queued."""
    reply = decision_reply(catalog, svc, b, reason)
    if reply is None:
        return False
    return outbox.enqueue([reply], dedup_key=dedup_key(b)) > 0


def closure_notice(catalog: Catalog, svc: BookingService, b: Booking) -> Reply | None:
    """The notice for one booking a room closure cancelled, in the requester's language, to their
    chat; None for a booking made without a chat (from the CLI)."""
    target = views.requester_target(b)
    if target is None:
        return None
    reason = b.cancel_reason or catalog.t(b.lang, "booking.closed_no_reason")
    text = catalog.t(b.lang, "booking.closed_cancelled_user", reason=reason, **views.facts(catalog, b.lang, svc, b))
    return Reply(text, target=target)


def closure_notices(catalog: Catalog, svc: BookingService, bookings: list[Booking]) -> list[Reply]:
    """The notices for every booking a room closure cancelled that has a chat to tell."""
    return [n for b in bookings if (n := closure_notice(catalog, svc, b)) is not None]


def notify_closures(outbox: Outbox, catalog: Catalog, svc: BookingService, bookings: list[Booking]) -> int:
    """Queue each closure notice once (keyed by booking); returns how many were queued."""
    queued = 0
    for b in bookings:
        notice = closure_notice(catalog, svc, b)
        if notice is not None:
            queued += outbox.enqueue([notice], dedup_key=f"booking:{b.id}:closed") > 0
    return queued
