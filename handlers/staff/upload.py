"""Staff uploads: a document sent to the bot is checked, downloaded, ingested and made searchable.

Order of checks (cheap first, nothing downloaded for a file that will be refused): role → type
(extension, else MIME) → declared size ≤ `max_upload_mb` → caption → download → actual size →
ingest (the knowledge base writes a document and its chunks in one transaction, or nothing) →
search refresh (embedding the new chunks). `ctx.services.fetch_file` is SYNC and thread-safe:
`(channel, file_ref) -> bytes`.

With a job store (`ctx.services.jobs`, set by `civicbot run`) only the cheap checks run in the chat:
the rest is a background job (kind `upload`, run by bot/jobs.py through `StaffFlow.run_job`) that
tells the uploader its progress and result, so nobody else waits for it. Without one (the terminal,
tests, tools) the rest is slow work returned as a `Later` (handlers/slow.py): the hub runs it outside
its dialog workers, `Dialog.handle` at once. Either way no dialog worker waits for a download.

A refused step raises `handlers.errors.Refusal` (its text key, the audit code); errors of the
knowledge base are shown in the upload area (`staff.upload.err.<code>`) by handlers/errors.py.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.errors import UPLOAD, Refusal, explain
from handlers.flow import Ctx, Services, need
from handlers.i18n import Catalog
from handlers.jsondata import JsonObject
from handlers.messages import Attachment, Incoming, Reply
from handlers.slow import later
from handlers.staff.alerts import staff_alert
from knowledge.errors import CivicError, IngestError
from knowledge.ingest.meta import meta_from_mapping
from knowledge.types import SUPPORTED_LANGS, AddResult, DocMeta

if TYPE_CHECKING:
    from handlers.staff.service import StaffService

log = logging.getLogger(__name__)

EXTENSIONS = (".pdf", ".docx", ".txt", ".md", ".html", ".htm")
MIME_EXT = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/html": ".html",
}
REFUSED_MIME_FAMILIES = ("image/", "audio/", "video/")
CAPTION_KEYS = {
    "title": "title", "tiêu đề": "title", "tieu de": "title", "название": "title", "заголовок": "title",
    "region": "region", "vùng": "region", "tỉnh": "region", "регион": "region", "область": "region",
    "program": "program", "chương trình": "program", "программа": "program",
    "url": "url", "link": "url", "nguồn": "url", "ссылка": "url",
    "lang": "lang", "ngôn ngữ": "lang", "язык": "lang",
    "published": "published", "date": "published", "ngày": "published", "дата": "published",
    "effective": "effective", "hiệu lực": "effective", "действует с": "effective",
}
_PAIR = re.compile(r"^\s*([^=:]{1,20}?)\s*[=:]\s*(.*?)\s*$", re.DOTALL)
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def file_extension(file_name: str | None, mime_type: str | None) -> str | None:
    """The document type as an allowed extension, or None when it is not accepted."""
    mime = (mime_type or "").lower().split(";", 1)[0].strip()
    if mime.startswith(REFUSED_MIME_FAMILIES):
        return None
    suffix = Path(file_name or "").suffix.lower()
    if suffix:
        return suffix if suffix in EXTENSIONS else None
    return MIME_EXT.get(mime)


def parse_caption(caption: str | None) -> dict[str, str]:
    """`title=...; region=...; program=...; url=...` (also `:` and localized keys) or a plain title."""
    text = (caption or "").strip()
    if not text:
        return {}
    parts = [p for p in re.split(r"[;\n]", text) if p.strip()]
    fields: dict[str, str] = {}
    for part in parts:
        m = _PAIR.match(part)
        key = CAPTION_KEYS.get(m.group(1).strip().lower()) if m else None
        if m is None or key is None:
            break
        fields[key] = m.group(2).strip()
    else:
        return {k: v for k, v in fields.items() if v}
    return {"title": " ".join(text.split())[:300]}


def safe_name(file_name: str | None, ext: str) -> str:
    stem = _UNSAFE.sub("_", Path(file_name or "document").stem).strip(" ._") or "document"
    return stem[:80] + ext


UPLOAD_JOB = "upload"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Submitted:
    replies: list[Reply]
    job_id: int | None = None
    """The background job it became (None: it ran inline, or was refused before queueing)."""


def handle_upload(ctx: Ctx, service: StaffService) -> list[Reply]:
    """Reply to a document a staff member sent (the role was checked by the caller): the cheap checks
    now; download, ingestion and indexing as a background job, else as slow work."""
    return _submit(ctx, service, inline=False).replies


def submit_upload(ctx: Ctx, service: StaffService) -> Submitted:
    """`handle_upload` for the staff console, which runs off the event loop already: without a job
    worker the file is read here; with one, the job it became is returned (its progress is followed)."""
    return _submit(ctx, service, inline=True)


def _submit(ctx: Ctx, service: StaffService, *, inline: bool) -> Submitted:
    att = ctx.msg.attachment
    name = (att.file_name if att else None) or "?"
    limit_mb = int(ctx.services.settings.get("max_upload_mb", 20))
    try:
        if att is None:
            raise Refusal("staff.upload.no_file", "no_file")
        _check(ctx, att, name, limit_mb)
    except Refusal as refused:
        return Submitted(_refusal(ctx, service, refused, name, limit_mb))
    if ctx.services.jobs is None:
        if inline:
            return Submitted(_process(ctx, service, None))
        return Submitted([later(ctx, Reply(""), lambda: _process(ctx, service, None))])
    m = ctx.msg
    job_id = need(ctx.services.jobs, "the job store").enqueue(UPLOAD_JOB, {
        "channel": m.channel, "chat_id": m.chat_id, "user_id": m.user_id, "user_name": m.user_name,
        "lang": ctx.lang, "caption": m.caption, "is_group": m.is_group, "file_ref": att.file_ref,
        "file_name": att.file_name, "mime_type": att.mime_type, "size": att.size,
    })
    log.info("upload job %s queued", job_id)
    return Submitted([Reply(ctx.t("reliability.upload.queued", file=name))], job_id)


def upload_job_ctx(catalog: Catalog, services: Services, payload: JsonObject) -> Ctx:
    """The context of the chat an upload job came from (for its texts, audit and alerts)."""
    att = Attachment(str(payload["file_ref"]), payload.get("file_name"), payload.get("mime_type"), payload.get("size"))
    msg = Incoming(channel=str(payload["channel"]), chat_id=str(payload["chat_id"]), user_id=str(payload["user_id"]),
                   kind="document", user_name=payload.get("user_name"), attachment=att,
                   caption=payload.get("caption"), is_group=bool(payload.get("is_group")))
    return Ctx(msg, str(payload.get("lang") or "vi"), catalog, services, {}, datetime.now(UTC))


def upload_subject(payload: JsonObject) -> str:
    """The file's name, as the job's messages call it."""
    return str(payload.get("file_name") or "?")


def run_upload_job(ctx: Ctx, service: StaffService, progress: Progress | None, *,
                   resumed: bool = False) -> list[Reply]:
    """For the job worker: download, ingest and index one upload; the replies to send (to the
    uploader's chat unless they carry a target). `resumed`: an earlier run was cut short (after
    its commit the document is "unchanged", but nobody was told it was added)."""
    return _process(ctx, service, progress, resumed=resumed)


def _refusal(ctx: Ctx, service: StaffService, refused: CivicError, name: str, limit_mb: int) -> list[Reply]:
    """Audited; the text by handlers/errors.py (a Refusal's own key, else the upload area's)."""
    service.audit(ctx.msg.user_id, "upload", channel=ctx.msg.channel, target=name, outcome="failed",
                  code=refused.code)
    found = explain(refused, ctx.catalog, ctx.lang, UPLOAD)
    params = {"file": name, "limit_mb": limit_mb, "detail": "", "lang": "", **found.params}
    params["file"] = name  # our name for it, not the temporary path
    return [Reply(ctx.t(found.key, **params))]


def _process(ctx: Ctx, service: StaffService, progress: Progress | None, *, resumed: bool = False) -> list[Reply]:
    att = ctx.msg.attachment
    name = (att.file_name if att else None) or "?"
    limit_mb = int(ctx.services.settings.get("max_upload_mb", 20))
    try:
        if att is None:
            raise Refusal("staff.upload.no_file", "no_file")
        ext, meta = _check(ctx, att, name, limit_mb)
        content = _download(ctx, att, name, limit_mb)
        result = _ingest(ctx, content, att.file_name or safe_name(None, ext), ext, meta)
    except CivicError as refused:  # a Refusal of a step, or the knowledge base's (nothing written)
        return _refusal(ctx, service, refused, name, limit_mb)
    if ctx.services.search is not None and progress is not None:
        ctx.services.search.refresh(progress)  # new chunks embedded, the running indexes swapped
    elif ctx.services.search is not None:
        ctx.services.search.refresh()  # answerable at once
    service.audit(ctx.msg.user_id, "upload", channel=ctx.msg.channel, target=result.doc_id, file=name,
                  title=result.title, lang=result.lang, chunks=result.chunks, version=result.version,
                  action=result.action)
    action = result.action if result.action in ("added", "replaced", "unchanged") else "added"
    if resumed and action == "unchanged":
        action = "added"
    params = {"title": result.title, "lang": result.lang, "chunks": result.chunks, "doc_id": result.doc_id,
              "version": result.version, "file": name}
    replies = [Reply(ctx.t(f"staff.upload.done_{action}", **params))]
    if action != "unchanged":
        replies += staff_alert(ctx, f"staff.alert.{action}", **params)
    return replies


def _check(ctx: Ctx, att: Attachment, name: str, limit_mb: int) -> tuple[str, DocMeta]:
    """Type, declared size and caption — all before downloading anything."""
    ext = file_extension(att.file_name, att.mime_type)
    if ext is None:
        raise Refusal("staff.upload.bad_type", "ingest.unsupported_type")
    if att.size is not None and att.size > limit_mb * 1024 * 1024:
        raise Refusal("staff.upload.too_large", "ingest.too_large", size_mb=_mb(att.size))
    try:
        meta = meta_from_mapping(parse_caption(ctx.msg.caption), file=name)
    except IngestError as exc:
        raise Refusal("staff.upload.bad_caption", exc.code, detail=exc.params.get("detail", "")) from exc
    if meta.lang is not None and meta.lang not in SUPPORTED_LANGS:
        raise Refusal("staff.upload.bad_lang", "ingest.bad_language", lang=meta.lang)
    if ctx.services.fetch_file is None or ctx.services.kb is None:
        raise Refusal("staff.upload.unavailable", "unavailable")
    return ext, meta


def _download(ctx: Ctx, att: Attachment, name: str, limit_mb: int) -> bytes:
    try:
        content = need(ctx.services.fetch_file, "file downloads")(ctx.msg.channel, att.file_ref)
    except Exception as exc:  # network or platform error: say so, keep nothing
        log.warning("download of %s failed: %s", name, exc)
        raise Refusal("staff.upload.download_failed", "download_failed") from exc
    if len(content) > limit_mb * 1024 * 1024:
        raise Refusal("staff.upload.too_large", "ingest.too_large", size_mb=_mb(len(content)))
    return content


def _ingest(ctx: Ctx, content: bytes, original: str, ext: str, meta: DocMeta) -> AddResult:
    """Write the bytes to a temporary file (with its extension: it selects the parser) and ingest.
    The document is identified by `<channel>:<original file name>`, so sending a file again
    replaces it; a caption title equal to an active document's title replaces that document."""
    kb = need(ctx.services.kb, "the knowledge base")
    if meta.title and not meta.doc_id:
        wanted = " ".join(meta.title.split()).casefold()
        same = next((d for d in kb.list_documents() if d.kind == "document"
                     and " ".join(d.title.split()).casefold() == wanted), None)
        if same is not None:
            meta = meta.with_(doc_id=same.doc_id)
    with tempfile.TemporaryDirectory(prefix="civicbot-upload-") as tmp:
        path = Path(tmp) / safe_name(original, ext)
        path.write_bytes(content)
        return kb.add_file(path, meta, added_by=f"{ctx.msg.channel}:{ctx.msg.user_id}",
                           source=f"{ctx.msg.channel}:{original}"[:1000])


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"
