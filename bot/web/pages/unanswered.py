"""`/staff/unanswered`: the groups of questions the bot could not answer (as the chat's /unanswered),
answered (a curated staff answer, relayed to the users who asked to be told) or dismissed (as
`civicbot unanswered dismiss GROUP`). The work is bot/web/unanswered_data.py's, i.e. the chat's."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.web import unanswered_data
from bot.web.context import Console, Routes, lang_of, staff_of
from bot.web.staff_ctx import actions_of


def _group_id(form: Mapping[str, object]) -> int | None:
    raw = str(form.get("group", "")).strip().lstrip("Gg#")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def register(routes: Routes, ctx: Console) -> None:
    actions = actions_of(ctx)
    tz = ctx.app.settings.timezone

    async def page(request: web.Request, *, status: int = 200, **values: object) -> web.Response:
        groups = await ctx.run(unanswered_data.groups, ctx.app.staff, tz)
        return ctx.render(request, "unanswered/index.html", status=status, groups=groups,
                          total=sum(g.count for g in groups), **values)

    async def index(request: web.Request) -> web.StreamResponse:
        return await page(request)

    async def answer(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        group_id = _group_id(form)
        text = str(form.get("answer", ""))
        if group_id is None:
            return await page(request, status=400, failure=ctx.t(request, "web_kb.unanswered.bad_group"))
        done = await ctx.run(unanswered_data.answer_group, actions, staff_of(request).user, lang_of(request),
                             group_id, text)
        if done.ok:
            return await page(request, notice=done.message)
        status = 404 if done.code == "staff.no_group" else 400
        return await page(request, status=status, failure=done.message, failed_group=group_id, draft=text)

    async def dismiss(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        group_id = _group_id(form)
        if group_id is None:
            return await page(request, status=400, failure=ctx.t(request, "web_kb.unanswered.bad_group"))
        done = await ctx.run(unanswered_data.dismiss_group, actions, staff_of(request).user, lang_of(request),
                             group_id)
        return await page(request, status=200 if done.ok else 404,
                          **({"notice": done.message} if done.ok else {"failure": done.message}))

    routes.get("/unanswered", index)
    routes.post("/unanswered/answer", answer)
    routes.post("/unanswered/dismiss", dismiss)
