"""`/staff/`: the console's home — the sections, with what each is for."""

from __future__ import annotations

from aiohttp import web

from bot.web.context import Console, Routes


def register(routes: Routes, ctx: Console) -> None:
    async def home(request: web.Request) -> web.StreamResponse:
        return ctx.render(request, "home.html")

    routes.get("/", home)
