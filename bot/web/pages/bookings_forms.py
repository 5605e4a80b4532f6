"""The booking forms: approve, reject with a reason, cancel, close a day (cancelling its bookings
with a notice), reopen a day. The console's guard has checked the session, the role (now) and the
CSRF token before any of these runs; each acts through bookings_actions (audited) and redirects to
a page that shows the outcome, or shows the service's refusal, localized."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from aiohttp import web

from bot.web.context import Console, Routes, lang_of
from bot.web.pages import bookings_actions as act
from bot.web.pages.bookings_common import (
    MAX_REASON,
    BadInput,
    bad_input,
    desk,
    page,
    parse_day,
    parse_id,
    problem,
    redirect,
    refusal_status,
    refusal_text,
)
from bot.web.pages.bookings_data import closure_impact, details
from knowledge.errors import CivicError

BACK = {"queue": "/bookings/queue", "details": "/bookings/{id}"}
"""Where a decision returns to (the form's `back` field); anything else: the booking's page."""


def register(routes: Routes, ctx: Console) -> None:
    forms = _Forms(ctx)
    routes.post(r"/bookings/{id:\d{1,12}}/approve", forms.approve)
    routes.post(r"/bookings/{id:\d{1,12}}/reject", forms.reject)
    routes.post(r"/bookings/{id:\d{1,12}}/cancel", forms.cancel)
    routes.post("/bookings/closures", forms.close)
    routes.post("/bookings/closures/open", forms.reopen)


def _reason(form: Mapping[str, object]) -> str:
    """The reason as typed (the service trims it and refuses one that is too long)."""
    return str(form.get("reason", ""))[: MAX_REASON * 4]


class _Forms:
    def __init__(self, ctx: Console) -> None:
        self.ctx = ctx

    async def _decide(self, request: web.Request, done: str,
                      work: Callable[[act.Desk, int, Mapping[str, object]], act.Done]) -> web.StreamResponse:
        booking_id = int(request.match_info["id"])
        form = await request.post()
        try:
            result = await self.ctx.run(work, desk(self.ctx, request), booking_id, form)
        except CivicError as exc:
            return await self._refused(request, booking_id, exc)
        back = BACK.get(str(form.get("back", "")), BACK["details"]).format(id=booking_id)
        raise redirect(back, done=done, id=booking_id, n=result.notified)

    async def _refused(self, request: web.Request, booking_id: int, exc: CivicError) -> web.Response:
        """The refusal on the booking's own page (as it stands now), with the service's reason."""
        message = refusal_text(self.ctx, request, exc)
        try:
            found = await self.ctx.run(details, self.ctx.app.bookings, booking_id, lang_of(request))
        except CivicError:
            return problem(self.ctx, request, 404, message)
        return await page(self.ctx, request, "details.html", status=refusal_status(exc), d=found, refusal=message)

    async def approve(self, request: web.Request) -> web.StreamResponse:
        return await self._decide(request, "approved", lambda d, i, form: act.approve(d, i))

    async def reject(self, request: web.Request) -> web.StreamResponse:
        return await self._decide(request, "rejected", lambda d, i, form: act.reject(d, i, _reason(form)))

    async def cancel(self, request: web.Request) -> web.StreamResponse:
        return await self._decide(request, "cancelled", lambda d, i, form: act.cancel(d, i, _reason(form)))

    async def close(self, request: web.Request) -> web.StreamResponse:
        """Close a room on a day. The check page sends `cancel_bookings=1` with the ids of the bookings
        it showed (`seen`); when the day has a booking staff were not shown (made since), nothing is
        cancelled and the service refuses, listing them again."""
        form = await request.post()
        try:
            room = parse_id(str(form.get("room", "")))
            day = parse_day(str(form.get("day", "")))
            if day < self.ctx.app.bookings.local_now().date():
                raise BadInput("web_bookings.error.past_day")
        except BadInput as exc:
            return bad_input(self.ctx, request, exc)
        seen = {int(str(x)) for x in form.getall("seen", []) if str(x).isdigit()}
        reason = _reason(form)
        svc = self.ctx.app.bookings
        try:
            hits = await self.ctx.run(closure_impact, svc, room, day, lang_of(request))
            unseen = [e.id for e in hits.hits if e.id not in seen]
            cancel = form.get("cancel_bookings") == "1" and not unseen
            result = await self.ctx.run(act.close, desk(self.ctx, request), room, day, reason,
                                        cancel_bookings=cancel)
        except CivicError as exc:
            return await self._closure_refused(request, room, day, reason, exc)
        raise redirect("/bookings/closures", done="closed", c=len(result.cancelled), n=result.notified)

    async def _closure_refused(self, request: web.Request, room: int, day: date, reason: str,
                               exc: CivicError) -> web.Response:
        message = refusal_text(self.ctx, request, exc)
        try:
            impact = await self.ctx.run(closure_impact, self.ctx.app.bookings, room, day, lang_of(request))
        except CivicError:
            return problem(self.ctx, request, refusal_status(exc), message)
        return await page(self.ctx, request, "closure_check.html", status=refusal_status(exc), impact=impact,
                          reason=reason, past=False, refusal=message)

    async def reopen(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        try:
            room = parse_id(str(form.get("room", "")))
            day = parse_day(str(form.get("day", "")))
        except BadInput as exc:
            return bad_input(self.ctx, request, exc)
        try:
            found = await self.ctx.run(act.reopen, desk(self.ctx, request), room, day)
        except CivicError as exc:
            return problem(self.ctx, request, refusal_status(exc), refusal_text(self.ctx, request, exc))
        raise redirect("/bookings/closures", done="reopened" if found else "not_closed")
