"""Console uploads and removals run the staff chat's code (real SQLite, knowledge base, search,
audit log, outbox): inline under `civicbot web`, as a background job under `civicbot run`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.hub import Hub
from bot.jobs import JobWorker
from bot.web.kb_actions import remove, upload, upload_status
from bot.web.staff_ctx import StaffActions
from handlers.i18n import Catalog
from handlers.outbox import TABLE as OUTBOX
from tests.unit.web_kb_support import NOTICE, STAFF_ACTOR, STAFF_CHAT, make_app


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return make_app(tmp_path, monkeypatch, max_upload_mb=1)


def outbox_rows(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as conn:
        rows = conn.execute(select(OUTBOX.c.channel, OUTBOX.c.chat_id, OUTBOX.c.payload)).all()
    return [(c, chat, json.loads(p)["text"]) for c, chat, p in rows]


def test_an_upload_is_the_chats_upload_inline(app) -> None:  # type: ignore[no-untyped-def]
    actions = StaffActions(app, None, Catalog.load())
    status = upload(actions, STAFF_ACTOR, "en", "tien-dien.md", "text/markdown", NOTICE.encode())
    assert status.finished and status.state == "done"
    assert len(status.messages) == 1 and status.messages[0].startswith("✅ Added «Hỗ trợ tiền điện")
    doc = next(d for d in app.kb.list_documents() if d.source == "web:tien-dien.md")
    assert (doc.lang, doc.added_by, doc.chunks > 0) == ("vi", f"web:{STAFF_ACTOR}", True)
    entry = app.staff.audit_entries(1)[0]
    assert (entry.actor, entry.channel, entry.action, entry.outcome, entry.target) == (
        STAFF_ACTOR, "web", "upload", "ok", doc.doc_id)
    alerts = [t for c, chat, t in outbox_rows(app) if (c, chat) == ("telegram", STAFF_CHAT)]
    assert len(alerts) == 1 and STAFF_ACTOR in alerts[0]  # the staff chat is told, as from the chat
    staged = actions.staging.get(status.token)
    assert staged is not None and staged.finished
    with pytest.raises(LookupError):
        actions.staging.content(status.token)  # the bytes are not kept once read
    assert upload_status(actions, status.token, "telegram:902") is None  # only the uploader follows it


@pytest.mark.parametrize(("name", "mime", "content", "words"), [
    ("photo.jpg", "image/jpeg", b"\xff\xd8\xff", "file type is not accepted"),
    ("big.txt", "text/plain", b"x" * (1024 * 1024 + 10), "too large"),
    ("empty.txt", "text/plain", b"", ""),
])
def test_a_refused_upload_changes_nothing_and_says_why(app, name: str, mime: str, content: bytes,  # type: ignore[no-untyped-def]
                                                       words: str) -> None:
    actions = StaffActions(app, None, Catalog.load())
    before = (app.kb.count_documents(), app.kb.corpus_version())
    status = upload(actions, STAFF_ACTOR, "en", name, mime, content)
    assert status.state == "done" and len(status.messages) == 1
    assert words in status.messages[0] and not status.messages[0].startswith("✅")
    assert (app.kb.count_documents(), app.kb.corpus_version()) == before
    entry = app.staff.audit_entries(1)[0]
    assert (entry.action, entry.outcome, entry.channel) == ("upload", "failed", "web")


def test_removal_is_the_chats_confirmed_removal(app) -> None:  # type: ignore[no-untyped-def]
    actions = StaffActions(app, None, Catalog.load())
    upload(actions, STAFF_ACTOR, "ru", "tien-dien.md", "text/markdown", NOTICE.encode())
    doc_id = app.kb.list_documents()[0].doc_id
    done = remove(actions, STAFF_ACTOR, "ru", doc_id)
    assert done.removed and "удалён" in done.message
    assert app.kb.get(doc_id) is None and app.kb.history(doc_id)[0].status == "removed"
    assert all(h.doc_id != doc_id for h in app.search.search("tiền điện hộ nghèo", k=3))
    entry = app.staff.audit_entries(1)[0]
    assert (entry.actor, entry.channel, entry.action, entry.target) == (STAFF_ACTOR, "web", "remove", doc_id)
    again = remove(actions, STAFF_ACTOR, "en", doc_id)
    assert not again.removed and doc_id in again.message


async def test_under_civicbot_run_an_upload_is_a_background_job(app) -> None:  # type: ignore[no-untyped-def]
    hub = Hub(app.dialog, workers=2, outbox=app.outbox)
    app.dialog.services.jobs = app.jobs  # as bot/runner.py's make_durable does with a messenger
    actions = StaffActions(app, hub, Catalog.load())
    actions.install()
    status = await asyncio.to_thread(upload, actions, STAFF_ACTOR, "en", "tien-dien.md", "text/markdown",
                                     NOTICE.encode())
    assert status.state == "queued" and "received" in status.messages[0]
    assert app.kb.count_documents() == 0
    stop = asyncio.Event()
    worker = asyncio.create_task(JobWorker(app.jobs, hub, app.outbox, poll_s=0.05).run(stop))
    try:
        deadline = time.monotonic() + 60
        while not status.finished and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            found = await asyncio.to_thread(upload_status, actions, status.token, STAFF_ACTOR)
            assert found is not None
            status = found
    finally:
        stop.set()
        await worker
    assert status.state == "done"
    assert status.messages[-1].startswith("✅ Added «Hỗ trợ tiền điện")
    assert [d.source for d in app.kb.list_documents()] == ["web:tien-dien.md"]
    pending_web = [t for c, chat, t in outbox_rows(app) if c == "web"]
    assert pending_web and all(t in status.messages for t in pending_web)  # taken, not left pending
    with app.engine.connect() as conn:
        statuses = conn.execute(select(OUTBOX.c.status).where(OUTBOX.c.channel == "web")).scalars().all()
    assert set(statuses) == {"sent"}
