"""Knowledge-base actions of the console: upload (several files, followed to the end) and removal.

Both run the staff chat's code through `StaffActions` (bot/web/staff_ctx.py): an upload is the
chat's upload (handlers/staff_upload.py — type and size checks, the sandboxed and capped parser,
one transaction, indexing, audit, the staff chat's note; a background job under `civicbot run`),
a removal is the chat's removal (handlers/staff_views.py — the document kept in history, its
chunks out of every index, audited). These functions are blocking: pages call them off the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.staff_ctx import StaffActions
from handlers.flow import need
from handlers.messages import Attachment
from handlers.staff.flow import service_of
from handlers.staff.upload import submit_upload
from handlers.staff.views import DocViews

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class UploadStatus:
    token: str
    file_name: str
    size: int
    state: str
    """`queued`, `running` (a background job), `done` (its messages say how it went) or `failed`."""
    progress: str
    """`done/total` passages embedded, when the job reported it."""
    messages: list[str]
    """What the upload path told the uploader, in order (the result last)."""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def upload(actions: StaffActions, actor: str, lang: str, file_name: str, mime_type: str | None, content: bytes,
           caption: str | None = None, *, size: int | None = None) -> UploadStatus:  # fmt: skip
    """Stage the file and hand it to the upload path; queued (a job) or done (inline). `size`: the
    size received when it differs from the content kept (a file over the limit is not kept)."""
    staging = actions.staging
    token = staging.stage(actor, file_name, mime_type, content, size)
    att = Attachment(token, file_name, mime_type, len(content) if size is None else size)
    ctx = actions.ctx(actor, lang, chat_id=token, attachment=att, caption=caption)
    submitted = submit_upload(ctx, service_of(ctx))
    mine = actions.send_targeted(submitted.replies)
    staging.set_job(token, submitted.job_id)
    staging.add_messages(token, [r.text for r in mine], finished=submitted.job_id is None)
    status = upload_status(actions, token, actor)
    assert status is not None
    return status


def upload_status(actions: StaffActions, token: str, actor: str) -> UploadStatus | None:
    """Where an upload of `actor` stands (None: no such upload, or someone else's)."""
    staging = actions.staging
    staged = staging.get(token)
    if staged is None or staged.actor != actor:
        return None
    if staged.finished:
        return UploadStatus(token, staged.file_name, staged.size, "done", "", staged.messages)
    job = actions.app.jobs.get(staged.job_id) if staged.job_id is not None else None
    state = str(job["status"]) if job is not None else "done"
    staging.take_messages(token)  # after reading the state: a finished job's last messages are in
    if state in ("done", "failed"):
        staging.finish(token)
    staged = staging.get(token)
    assert staged is not None
    progress = str(job.get("progress") or "") if job is not None else ""
    return UploadStatus(token, staged.file_name, staged.size, state if state in STATES else "queued", progress,
                        staged.messages)


@dataclass(frozen=True)
class Removal:
    removed: bool
    message: str


def remove(actions: StaffActions, actor: str, lang: str, doc_id: str) -> Removal:
    """Remove the active document `doc_id` as the chat's confirmed removal does."""
    ctx = actions.ctx(actor, lang)
    existed = need(ctx.services.kb, "the knowledge base").get(doc_id) is not None
    replies = actions.send_targeted(DocViews(ctx, service_of(ctx)).remove(doc_id))
    return Removal(existed, "\n".join(r.text for r in replies))
