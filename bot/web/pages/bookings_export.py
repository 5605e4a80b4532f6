"""`/staff/bookings/export`: the CSV request log and the iCal feed of approved bookings, for a date
range, as `civicbot bookings export` writes them (audited: the CSV holds phone numbers)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from aiohttp import web

from bot.web.context import Console, Routes, lang_of
from bot.web.pages import bookings_actions as act
from bot.web.pages.bookings_common import BadInput, bad_input, desk, page, parse_day

TYPES = {"csv": "text/csv", "ics": "text/calendar"}


def register(routes: Routes, ctx: Console) -> None:
    async def export_page(request: web.Request) -> web.StreamResponse:
        return await page(ctx, request, "export.html")

    async def export_file(request: web.Request) -> web.StreamResponse:
        fmt = request.match_info["fmt"]
        try:
            first = _day(request.query.get("from"))
            last = _day(request.query.get("to"))
            if first and last and last < first:
                raise BadInput("web_bookings.error.bad_range")
        except BadInput as exc:
            return bad_input(ctx, request, exc)
        start = datetime.combine(first, time(0)) if first else None
        end = datetime.combine(last + timedelta(days=1), time(0)) if last else None  # the last day included
        data = await ctx.run(act.export, desk(ctx, request), fmt, start, end, lang_of(request))
        name = "bookings-" + "-".join(d.strftime("%Y%m%d") for d in (first, last) if d) if first or last else "bookings"
        return web.Response(body=data.encode("utf-8"), content_type=TYPES[fmt], charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})

    routes.get("/bookings/export", export_page)
    routes.get("/bookings/export/{fmt:csv|ics}", export_file)


def _day(value: str | None) -> date | None:
    text = (value or "").strip()
    return parse_day(text) if text else None
