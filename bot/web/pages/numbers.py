"""`/staff/numbers?days=N`: the figures of `civicbot stats --json --days N` as SVG charts with data
tables (bot/web/numbers_data.py arranges them, bot/web/charts.py draws them)."""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from bot.web import charts, numbers_data
from bot.web.context import Console, Routes, lang_of, staff_of


def register(routes: Routes, ctx: Console) -> None:
    async def index(request: web.Request) -> web.StreamResponse:
        raw = request.query.get("days", "7")
        days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 3660 else None
        if days is None:
            return ctx.render(request, "numbers/index.html", status=400, view=None, periods=numbers_data.PERIODS,
                              days=7, failure=ctx.t(request, "web_kb.numbers.bad_days"))
        stats = await ctx.run(ctx.app.staff.stats, days)
        await ctx.run(ctx.app.staff.audit, staff_of(request).user, "stats", channel="web", days=days)  # as /stats
        lang = lang_of(request)

        def t(key: str, /, **params: object) -> str:
            return ctx.catalog.t(lang, key, **params)

        def has(key: str) -> bool:
            return ctx.catalog.has(key, lang) or ctx.catalog.has(key)

        rooms = await ctx.run(ctx.app.bookings.list_rooms, True)
        names = {r.name: r.display_name(lang) if lang in ("vi", "ru") else r.name for r in rooms}
        view = numbers_data.numbers(stats, t, has, names)
        drawn = [(c, Markup(charts.svg(c)), charts.table(c)) for c in view.charts]
        return ctx.render(request, "numbers/index.html", view=view, drawn=drawn, periods=numbers_data.PERIODS,
                          days=days)

    routes.get("/numbers", index, bench=["/numbers?days=30"])
