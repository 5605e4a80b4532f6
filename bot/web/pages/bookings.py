"""`/staff/bookings`: the House of NGOs in the console — a week per room, every room for a day,
the queue of requests, a booking with its history, closures, exports.

Pages only read (bot/web/pages/bookings_grid.py, bookings_data.py); the forms are in
bookings_forms.py and act through bookings_actions.py (the chat's and the CLI's services). Every
time shown is house time (HOUSE_TIMEZONE). The console's guard has checked the session and the
role before any handler here runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.web.context import Console, Routes, lang_of
from bot.web.pages import bookings_export, bookings_forms
from bot.web.pages.bookings_common import BadInput, bad_input, page, parse_day, parse_id, problem, refusal_text
from bot.web.pages.bookings_data import closure_impact, closures_ahead, details, queue
from bot.web.pages.bookings_grid import day_view, week_view
from knowledge.errors import CivicError

if TYPE_CHECKING:
    from bookings.service import BookingService


def register(routes: Routes, ctx: Console) -> None:
    pages = _Pages(ctx)
    routes.get("/bookings", pages.week,
               bench=["/bookings?room=1", "/bookings/1", "/bookings/closures?room=1&day=2030-01-07"])
    routes.get("/bookings/day", pages.day)
    routes.get("/bookings/queue", pages.queue)
    routes.get(r"/bookings/{id:\d{1,12}}", pages.details)
    routes.get("/bookings/closures", pages.closures)
    bookings_export.register(routes, ctx)
    bookings_forms.register(routes, ctx)


class _Pages:
    def __init__(self, ctx: Console) -> None:
        self.ctx = ctx

    @property
    def svc(self) -> BookingService:
        return self.ctx.app.bookings

    async def _page(self, request: web.Request, template: str, *, status: int = 200,
                    **values: object) -> web.Response:
        return await page(self.ctx, request, template, status=status, **values)

    async def week(self, request: web.Request) -> web.StreamResponse:
        lang = lang_of(request)
        try:
            raw = request.query.get("room", "").strip()
            room = parse_id(raw) if raw else None
            day = parse_day(request.query.get("week"), self.svc.local_now().date())
        except BadInput as exc:
            return bad_input(self.ctx, request, exc)
        try:
            view = await self.ctx.run(week_view, self.svc, room, day, lang)
        except CivicError as exc:
            key = "web_bookings.error.no_rooms" if room is None else "web_bookings.error.no_room"
            message = self.ctx.t(request, key) if exc.code == "booking.room_not_found" else refusal_text(
                self.ctx, request, exc)
            return problem(self.ctx, request, 404, message)
        return await self._page(request, "week.html", view=view)

    async def day(self, request: web.Request) -> web.StreamResponse:
        try:
            day = parse_day(request.query.get("day"), self.svc.local_now().date())
        except BadInput as exc:
            return bad_input(self.ctx, request, exc)
        view = await self.ctx.run(day_view, self.svc, day, lang_of(request))
        return await self._page(request, "day.html", view=view)

    async def queue(self, request: web.Request) -> web.StreamResponse:
        raw = request.query.get("page", "1")
        number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
        found = await self.ctx.run(queue, self.svc, lang_of(request), number)
        return await self._page(request, "queue.html", queue=found)

    async def details(self, request: web.Request) -> web.StreamResponse:
        booking_id = int(request.match_info["id"])
        try:
            found = await self.ctx.run(details, self.svc, booking_id, lang_of(request))
        except CivicError as exc:
            return problem(self.ctx, request, 404, refusal_text(self.ctx, request, exc))
        return await self._page(request, "details.html", d=found)

    async def closures(self, request: web.Request) -> web.StreamResponse:
        """The closures ahead and the form; with `room` and `day` (the form sent), what that closure would do."""
        if "room" in request.query or "day" in request.query:
            return await self.closure_check(request)
        lang = lang_of(request)
        rows = await self.ctx.run(closures_ahead, self.svc, lang)
        rooms = await self.ctx.run(self.svc.list_rooms)
        tomorrow = self.svc.local_now().date() + timedelta(days=1)
        return await self._page(request, "closures.html", rows=rows, rooms=rooms, day=tomorrow)

    async def closure_check(self, request: web.Request) -> web.StreamResponse:
        """What a closure would do, before anything changes: the bookings it hits."""
        try:
            room = parse_id(request.query.get("room"))
            day = parse_day(request.query.get("day"))
        except BadInput as exc:
            return bad_input(self.ctx, request, exc)
        reason = request.query.get("reason", "").strip()
        try:
            impact = await self.ctx.run(closure_impact, self.svc, room, day, lang_of(request))
        except CivicError as exc:
            return problem(self.ctx, request, 404, refusal_text(self.ctx, request, exc))
        return await self._page(request, "closure_check.html", impact=impact, reason=reason,
                                past=day < self.svc.local_now().date())
