"""Booking actions outside the wizard: staff approve / reject (with a reason) and `/pending`;
requesters `/mybookings`, cancel and the .ics file. Every staff action checks the role on the call."""

from __future__ import annotations

from collections.abc import Callable

from bookings.models import Booking
from bookings.rules import clean_text
from bookings.service import BookingService
from handlers.audit import audit_refusal
from handlers.booking import views
from handlers.flow import Ctx, Stale, need
from handlers.messages import Choice, Reply
from handlers.staff_chat import staff_lang
from knowledge.errors import Forbidden

LIST_LIMIT = 10


def bookings(ctx: Ctx) -> BookingService:
    """The booking service (the booking flow is hidden without one; an old button may still come)."""
    return need(ctx.services.bookings, "the booking service")


def _require_staff(ctx: Ctx, action: str, booking_id: int | None = None) -> None:
    """The role, checked on this call; a refusal is written to the staff audit log like every other."""
    if not ctx.is_staff():
        audit_refusal(ctx, f"booking_{action}", target=None if booking_id is None else f"booking:{booking_id}")
        raise Forbidden("booking.forbidden")


def _own_or_staff(ctx: Ctx, b: Booking, action: str) -> bool:
    """True when `b` is the caller's own request; otherwise the caller must be staff (checked and
    audited by `_require_staff`, which raises) and False is returned."""
    if (b.channel, b.requester_id) == (ctx.msg.channel, ctx.msg.user_id):
        return True
    _require_staff(ctx, action, b.id)
    return False


def _actor(ctx: Ctx) -> str:
    return f"{ctx.msg.channel}:{ctx.msg.user_id}"


def _who(ctx: Ctx) -> str:
    return ctx.msg.user_name or ctx.msg.user_id


def approve(ctx: Ctx, booking_id: int) -> list[Reply]:
    _require_staff(ctx, "approve", booking_id)
    svc = bookings(ctx)
    b = svc.approve(booking_id, _actor(ctx))
    replies = [Reply(ctx.t("booking.approved_staff", id=b.id, who=_who(ctx)))]
    target = views.requester_target(b)
    if target is not None:
        text = ctx.catalog.t(b.lang, "booking.approved_user", **views.facts(ctx.catalog, b.lang, svc, b))
        replies.append(Reply(text, target=target, choices=[[views.ics_choice(ctx.catalog, b.lang, b)]]))
    return replies


def ask_reject_reason(ctx: Ctx, booking_id: int) -> list[Reply]:
    _require_staff(ctx, "reject", booking_id)
    b = bookings(ctx).get(booking_id)
    if b.status != "pending":
        return [Reply(ctx.t("error.booking.bad_status", id=b.id, status=ctx.t(f"booking.status_{b.status}")))]
    ctx.enter("bk")
    ctx.data.update(step="reject_reason", booking=booking_id)
    rows = [[Choice(ctx.t("booking.no_reason"), f"bk:rjn:{booking_id}")], ctx.nav("bk", back=False)]
    return [Reply(ctx.t("booking.ask_reject_reason", id=booking_id), choices=rows, input="text")]


def reject_with_reason(ctx: Ctx, text: str) -> list[Reply]:
    booking_id = int(ctx.data.get("booking", 0))
    reason = clean_text("reason", text)
    ctx.finish()
    return _reject(ctx, booking_id, reason)


def reject_no_reason(ctx: Ctx, booking_id: int) -> list[Reply]:
    if ctx.flow == "bk" and ctx.data.get("step") == "reject_reason":
        ctx.finish()
    return _reject(ctx, booking_id, None)


def _reject(ctx: Ctx, booking_id: int, reason: str | None) -> list[Reply]:
    _require_staff(ctx, "reject", booking_id)
    svc = bookings(ctx)
    b = svc.reject(booking_id, _actor(ctx), reason)
    shown = reason or ctx.t("booking.no_reason_given")
    replies = [Reply(ctx.t("booking.rejected_staff", id=b.id, who=_who(ctx), reason=shown))]
    target = views.requester_target(b)
    if target is not None:
        user_reason = reason or ctx.catalog.t(b.lang, "booking.no_reason_given")
        text = ctx.catalog.t(b.lang, "booking.rejected_user", reason=user_reason,
                             **views.facts(ctx.catalog, b.lang, svc, b))
        replies.append(Reply(text, target=target))
    return replies


def ask_cancel(ctx: Ctx, booking_id: int) -> list[Reply]:
    """Cancelling asks first: the booking as it stands, then Yes, cancel / No, keep it."""
    svc = bookings(ctx)
    b = svc.get(booking_id)
    _own_or_staff(ctx, b, "cancel")
    if b.status not in ("pending", "approved"):
        return [Reply(ctx.t("error.booking.bad_status", id=b.id, status=ctx.t(f"booking.status_{b.status}")))]
    rows = [[Choice(ctx.t("booking.cancel_yes", id=b.id), f"bk:cxy:{b.id}"),
             Choice(ctx.t("booking.cancel_no"), f"bk:cxn:{b.id}")]]
    return [Reply(ctx.t("booking.cancel_confirm", **views.facts(ctx.catalog, ctx.lang, svc, b)), choices=rows)]


def keep(ctx: Ctx, booking_id: int) -> list[Reply]:
    return [Reply(ctx.t("booking.cancel_kept", id=booking_id))]


def cancel(ctx: Ctx, booking_id: int) -> list[Reply]:
    """The requester cancels their own booking (after confirming); staff may cancel any."""
    svc = bookings(ctx)
    b = svc.get(booking_id)
    own = _own_or_staff(ctx, b, "cancel")
    b = svc.cancel(booking_id, _actor(ctx), requester=(ctx.msg.channel, ctx.msg.user_id) if own else None)
    replies = [Reply(ctx.t("booking.cancelled_user", id=b.id))]
    lang = staff_lang(ctx.services)
    if own and ctx.staff_target is not None:
        text = ctx.catalog.t(lang, "booking.cancelled_staff", **views.facts(ctx.catalog, lang, svc, b))
        replies.append(Reply(text, target=ctx.staff_target))
    target = views.requester_target(b)
    if not own and target is not None:
        text = ctx.catalog.t(b.lang, "booking.cancelled_by_staff_user", **views.facts(ctx.catalog, b.lang, svc, b))
        replies.append(Reply(text, target=target))
    return replies


def send_ics(ctx: Ctx, booking_id: int) -> list[Reply]:
    svc = bookings(ctx)
    b = svc.get(booking_id)
    _own_or_staff(ctx, b, "ics")
    if b.status != "approved":
        raise Stale()
    return [views.ics_reply(ctx.catalog, ctx.lang, svc, b)]


def my_bookings(ctx: Ctx) -> list[Reply]:
    svc = bookings(ctx)
    mine = svc.list_bookings(requester=(ctx.msg.channel, ctx.msg.user_id), upcoming=True)[:LIST_LIMIT]
    reply = views.booking_lines(ctx.catalog, ctx.lang, svc, mine, owner=True)
    return [reply] if reply is not None else [Reply(ctx.t("booking.mine_empty"))]


def pending(ctx: Ctx) -> list[Reply]:
    _require_staff(ctx, "pending")
    svc = bookings(ctx)
    waiting = svc.list_bookings(status="pending", upcoming=True)
    if not waiting:
        return [Reply(ctx.t("booking.pending_empty"))]
    head = Reply(ctx.t("booking.pending_title", count=len(waiting)))
    return [head] + [views.staff_card(ctx.catalog, ctx.lang, svc, b) for b in waiting[:LIST_LIMIT]]


ACTIONS: dict[str, Callable[[Ctx, int], list[Reply]]] = {
    "ap": approve, "rj": ask_reject_reason, "rjn": reject_no_reason, "cx": ask_cancel, "cxy": cancel, "cxn": keep,
    "ics": send_ics,
}
