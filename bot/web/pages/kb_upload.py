"""`POST /staff/kb/upload` (several files) and `GET /staff/kb/uploads/{token}` (one upload's state).

The body is read as a stream, file by file, never more than `MAX_UPLOAD_MB` of one file: a larger
file is not kept, only its size, and the upload path refuses it as too large (as in the chat).
Each file then goes the chat's upload path (bot/web/kb_actions.py). With JavaScript
(static/kb-upload.js) the files are sent one request each, with a progress bar, and followed
until the bot answers from them; without it, one form post sends them all and the page lists
the outcome (a background job's page can be reloaded).
"""

from __future__ import annotations

import re

from aiohttp import BodyPartReader, web

from bot.web import kb_actions
from bot.web.context import Console, Routes, lang_of, staff_of, url
from bot.web.staff_ctx import StaffActions
from handlers.staff.upload import EXTENSIONS
from knowledge.jsontypes import JSONDict

ACCEPT = ",".join(EXTENSIONS)
MAX_FILES = 20
CHUNK = 64 * 1024
_CAPTION_UNSAFE = re.compile(r"[;=\n\r]+")


def _caption(fields: dict[str, str]) -> str | None:
    """The chat's caption syntax (`region=…; program=…; title=…`) from the form's optional fields."""
    parts = [f"{key}={' '.join(_CAPTION_UNSAFE.sub(' ', value).split())[:200]}" for key, value in fields.items()
             if value.strip()]
    return "; ".join(parts) or None


async def _read_file(part: BodyPartReader, limit: int) -> tuple[bytes, int]:
    """(content, size); content is empty when the file is over `limit` bytes (the rest is skipped)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await part.read_chunk(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif chunks:
            chunks = []  # over the limit: nothing kept, only counted
    return (b"".join(chunks) if size <= limit else b""), size


def _json(status: kb_actions.UploadStatus) -> JSONDict:
    return {"token": status.token, "file": status.file_name, "size": status.size, "state": status.state,
            "progress": status.progress, "messages": status.messages, "finished": status.finished,
            "status_url": url(f"/kb/uploads/{status.token}")}


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def register(routes: Routes, ctx: Console, actions: StaffActions) -> None:
    async def upload(request: web.Request) -> web.StreamResponse:
        staff = staff_of(request)
        lang = lang_of(request)
        limit = int(ctx.app.settings.max_upload_mb) * 1024 * 1024
        if not request.content_type.startswith("multipart/"):
            return _bad(request, ctx.t(request, "web_kb.upload.no_files"))
        reader = await request.multipart()
        fields: dict[str, str] = {}
        files: list[tuple[str, str | None, bytes, int]] = []
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.filename is not None:
                if len(files) >= MAX_FILES:
                    return _bad(request, ctx.t(request, "web_kb.upload.too_many", limit=MAX_FILES))
                content, size = await _read_file(part, limit)
                if part.filename or size:
                    files.append((part.filename or "document", part.headers.get("Content-Type"), content, size))
            elif part.name in ("region", "program", "title"):
                fields[part.name] = (await part.text())[:300]
        if not files:
            return _bad(request, ctx.t(request, "web_kb.upload.no_files"))
        caption = _caption({k: v for k, v in fields.items() if k != "title" or len(files) == 1})
        done = [await ctx.run(kb_actions.upload, actions, staff.user, lang, name, mime, content, caption, size=size)
                for name, mime, content, size in files]
        if _wants_json(request):
            return web.json_response({"uploads": [_json(s) for s in done]})
        return ctx.render(request, "kb/uploads.html", uploads=done)

    def _bad(request: web.Request, message: str) -> web.Response:
        if _wants_json(request):
            return web.json_response({"error": message}, status=400)
        return ctx.render(request, "kb/uploads.html", status=400, uploads=[], failure=message)

    async def status(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        found = await ctx.run(kb_actions.upload_status, actions, token, staff_of(request).user)
        if found is None:
            raise web.HTTPNotFound()
        if _wants_json(request):
            return web.json_response(_json(found))
        return ctx.render(request, "kb/uploads.html", uploads=[found])

    routes.post("/kb/upload", upload)
    routes.get("/kb/uploads/{token}", status)
