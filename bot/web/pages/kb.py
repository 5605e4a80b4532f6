"""`/staff/kb`: the knowledge base — documents, a document's chunks, removal with a confirmation
step, and "what would the bot answer?". Uploads: bot/web/pages/kb_upload.py.

Removal is the chat's removal (bot/web/kb_actions.py), the preview is `civicbot ask --json`
(bot/web/kb_data.py). A document's pages are `/kb/doc/<id>` and `/kb/remove/<id>` (the id URL-quoted).
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.web import kb_actions, kb_data
from bot.web.context import Console, Routes, lang_of, staff_of
from bot.web.pages import kb_upload
from bot.web.staff_ctx import actions_of

KINDS = ("document", "qa")


def _doc_id(request: web.Request) -> str:
    doc_id = request.match_info.get("doc_id", "").strip()
    if not doc_id or len(doc_id) > 200:
        raise web.HTTPNotFound()
    return doc_id


def register(routes: Routes, ctx: Console) -> None:
    actions = actions_of(ctx)
    actions.install()  # this replica's upload jobs can read files staged by any console
    tz = ctx.app.settings.timezone

    async def index_page(request: web.Request, *, status: int = 200, **values: object) -> web.Response:
        docs = await ctx.run(kb_data.documents, ctx.app.kb, tz)
        return ctx.render(request, "kb/index.html", status=status, docs=docs, langs=kb_data.ASK_LANGS,
                          countries=kb_data.COUNTRIES, max_mb=ctx.app.settings.max_upload_mb,
                          accept=kb_upload.ACCEPT, **values)

    async def index(request: web.Request) -> web.StreamResponse:
        return await index_page(request)

    async def docs_fragment(request: web.Request) -> web.StreamResponse:
        docs = await ctx.run(kb_data.documents, ctx.app.kb, tz)
        return ctx.render(request, "kb/_docs.html", docs=docs)

    async def document(request: web.Request) -> web.StreamResponse:
        page = await ctx.run(kb_data.document, ctx.app.kb, _doc_id(request), tz)
        if page is None:
            raise web.HTTPNotFound()
        return ctx.render(request, "kb/doc.html", page=page)

    async def confirm_remove(request: web.Request) -> web.StreamResponse:
        page = await ctx.run(kb_data.document, ctx.app.kb, _doc_id(request), tz)
        if page is None or page.doc.status != "active":
            raise web.HTTPNotFound()
        return ctx.render(request, "kb/remove.html", doc=page.doc)

    async def remove(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        doc_id = str(form.get("id", "")).strip()
        staff = staff_of(request)
        if form.get("confirm") != "yes" or not doc_id:  # only the confirmation page's button removes
            return await index_page(request, status=400, failure=ctx.t(request, "web_kb.kb.not_confirmed"))
        done = await ctx.run(kb_actions.remove, actions, staff.user, lang_of(request), doc_id)
        if done.removed:
            return await index_page(request, notice=done.message)
        return await index_page(request, status=404, failure=done.message)

    async def ask(request: web.Request) -> web.StreamResponse:
        question = " ".join(request.query.get("q", "").split())
        lang = request.query.get("lang", "")
        country = request.query.get("country", "") or None
        values: dict[str, object] = {"question": question, "ask_lang": lang, "country": country or "",
                                  "langs": kb_data.ASK_LANGS, "countries": kb_data.COUNTRIES}
        if not question:  # the form alone (a question sent empty is refused by the form itself)
            return ctx.render(request, "kb/ask.html", status=200, **values)
        if len(question) > kb_data.MAX_QUESTION_CHARS or lang not in ("", *kb_data.ASK_LANGS) or \
                country not in (None, *kb_data.COUNTRIES):
            values["failure"] = ctx.t(request, "web_kb.ask.bad", limit=kb_data.MAX_QUESTION_CHARS)
            return ctx.render(request, "kb/ask.html", status=400, **values)
        handoff = ctx.app.staff_target is not None
        preview = await ctx.run(kb_data.ask_preview, ctx.app, ctx.catalog, question, lang or None, country,
                                handoff=handoff)
        return ctx.render(request, "kb/ask.html", status=200, preview=preview,
                          json_text=json.dumps(preview.data, ensure_ascii=False, indent=2), **values)

    routes.get("/kb", index)
    routes.get("/kb/docs", docs_fragment)
    routes.get("/kb/doc/{doc_id:.+}", document, bench=["/kb/doc/vn-poverty-standard-vi"])
    routes.get("/kb/remove/{doc_id:.+}", confirm_remove)
    routes.post("/kb/remove", remove)
    routes.get("/kb/ask", ask, bench=["/kb/ask?q=chu%E1%BA%A9n+ngh%C3%A8o+2026"])
    kb_upload.register(routes, ctx, actions)
