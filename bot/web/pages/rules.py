"""`/staff/rules`: the eligibility rule versions in force and the Kazakhstan poverty-line table
(region × quarter), edited row by row. Each edit is validated like `civicbot eligibility validate`
before anything is written; a refused value leaves the last good rules serving (bot/web/rules_data.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from aiohttp import web

from bot.web import rules_data
from bot.web.context import Console, Routes, lang_of, staff_of


def register(routes: Routes, ctx: Console) -> None:
    staff_dir = ctx.app.settings.data_dir / "rules"

    def today() -> date:
        registry = ctx.app.rules
        try:
            return registry.today(rules_data.PROGRAM, datetime.now(UTC))
        except Exception:  # the program is not loaded: the server's date
            return datetime.now(UTC).date()

    async def page(request: web.Request, *, status: int = 200, form: Mapping[str, str] | None = None,
                   **values: object) -> web.Response:
        registry = ctx.app.rules
        await ctx.run(registry.refresh)  # a file changed by hand or on the command line shows at once
        lang = lang_of(request)

        def t(key: str, /, **params: object) -> str:
            return ctx.catalog.t(lang, key, **params)

        view = await ctx.run(rules_data.rules_view, registry, staff_dir, lang, today(), t)
        shown = {"region": request.query.get("region", ""), "quarter": request.query.get("quarter", view.quarter),
                 "value": "", "note": ""}
        shown.update(form or {})
        return ctx.render(request, "rules/index.html", status=status, view=view, form=shown, **values)

    async def index(request: web.Request) -> web.StreamResponse:
        return await page(request)

    async def save(request: web.Request) -> web.StreamResponse:
        posted = await request.post()
        fields = {k: str(posted.get(k, ""))[:200] for k in ("region", "quarter", "value", "note")}
        remove = posted.get("action") == "remove"
        lang = lang_of(request)

        def t(key: str, /, **params: object) -> str:
            return ctx.catalog.t(lang, key, **params)

        done = await ctx.run(rules_data.edit_line, ctx.app, t, staff_of(request).user, fields["region"],
                             fields["quarter"], fields["value"], fields["note"], remove=remove)
        if done.ok:
            return await page(request, notice=done.message)
        return await page(request, status=400, failure=done.message, details=done.details, form=fields)

    routes.get("/rules", index)
    routes.post("/rules/poverty-line", save)
