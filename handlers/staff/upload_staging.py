"""Files staff upload over HTTP (the web console), kept in SQL until the upload path has read them.

A messenger keeps an uploaded file on its servers and the upload job downloads it by reference
(`fetch_file(channel, file_ref)`). A file sent to the console has no such home, so it is staged
here, in the shared database (a job may run on another replica), under a random token; the
channel `web` then downloads it from here like any other channel. Nothing else changes: the same
upload path (handlers/staff_upload.py) checks, ingests in the sandbox, indexes, audits and, under
`civicbot run`, runs it as a background job (bot/jobs.py).

The job's messages to the uploader (queued, progress, the result) are written to the outbox for
the chat `web:<token>`; no delivery worker claims channel `web`: the console reads them
(`take_messages`) and marks them delivered. Staged bytes are dropped once the upload is finished
and rows are deleted after `KEEP`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, LargeBinary, Text, delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from handlers.outbox import TABLE as OUTBOX
from handlers.outbox import reply_from_json
from knowledge.models import utcnow

WEB_CHANNEL = "web"
KEEP = timedelta(days=2)
Fetch = Callable[[str, str], bytes]


class StagedUpload(SQLModel, table=True):
    """One file sent to the console: who, what, the bytes until read, the job, the messages shown."""

    __tablename__ = "upload_staged"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    """The file's reference (`file_ref`) and its chat id on channel `web`: random, unguessable."""
    actor: str = Field(max_length=200, index=True)
    """The staff member as CHANNEL:ID (only they see the upload's progress)."""
    file_name: str = Field(max_length=300)
    mime_type: str | None = Field(default=None, max_length=200)
    size: int = 0
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    job_id: int | None = None
    messages: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    """JSON list of the texts the upload path sent to the uploader, in order."""
    finished: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)


TABLE = StagedUpload.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Staged:
    token: str
    actor: str
    file_name: str
    mime_type: str | None
    size: int
    job_id: int | None
    messages: list[str]
    finished: bool


class UploadStaging:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    def stage(self, actor: str, file_name: str, mime_type: str | None, content: bytes, size: int | None = None) -> str:
        """Keep the bytes under a new token (and drop uploads older than KEEP). `size`: the size
        received, when the content is not kept (a file over the limit)."""
        token = secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            old = self.clock() - KEEP
            conn.execute(delete(TABLE).where(TABLE.c.created_at < old))
            conn.execute(update(OUTBOX).where(OUTBOX.c.channel == WEB_CHANNEL, OUTBOX.c.status == "pending",
                                              OUTBOX.c.created_at < old).values(status="expired"))
            conn.execute(TABLE.insert().values(
                token=token, actor=actor[:200], file_name=file_name[:300], mime_type=mime_type,
                size=len(content) if size is None else size, content=content, messages="[]", finished=False,
                created_at=self.clock()))
        return token

    def content(self, token: str) -> bytes:
        """The staged bytes (raises LookupError once dropped or unknown: the upload path says so)."""
        with self.engine.connect() as conn:
            data = conn.execute(select(TABLE.c.content).where(TABLE.c.token == token)).scalar()
        if data is None:
            raise LookupError("no staged file for this reference")
        return bytes(data)

    def set_job(self, token: str, job_id: int | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.token == token).values(job_id=job_id))

    def add_messages(self, token: str, texts: list[str], *, finished: bool = False) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(TABLE.c.messages).where(TABLE.c.token == token)).scalar()
            if row is None:
                return
            values: dict[str, str | bool | None] = {"messages": json.dumps(json.loads(row) + texts, ensure_ascii=False)}
            if finished:
                values.update(finished=True, content=None)
            conn.execute(update(TABLE).where(TABLE.c.token == token).values(**values))

    def take_messages(self, token: str) -> list[str]:
        """The outbox's pending messages for `web:<token>`, marked delivered and kept on the upload
        (each taken once, even by two requests at the same moment)."""
        texts: list[str] = []
        with self.engine.begin() as conn:
            rows = conn.execute(select(OUTBOX.c.id, OUTBOX.c.payload).where(
                OUTBOX.c.channel == WEB_CHANNEL, OUTBOX.c.chat_id == token, OUTBOX.c.status == "pending",
            ).order_by(OUTBOX.c.id)).all()
            for row_id, payload in rows:
                got = conn.execute(update(OUTBOX).where(OUTBOX.c.id == row_id, OUTBOX.c.status == "pending").values(
                    status="sent", sent_at=self.clock(), lease_until=None)).rowcount
                if got:
                    texts.append(reply_from_json(payload).text)
        if texts:
            self.add_messages(token, texts)
        return texts

    def finish(self, token: str) -> None:
        """The upload is over (done or failed): the bytes are no longer needed."""
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.token == token).values(finished=True, content=None))

    def get(self, token: str) -> Staged | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE.c.token, TABLE.c.actor, TABLE.c.file_name, TABLE.c.mime_type,
                                      TABLE.c.size, TABLE.c.job_id, TABLE.c.messages, TABLE.c.finished)
                               .where(TABLE.c.token == token)).first()
        if row is None:
            return None
        return Staged(row.token, row.actor, row.file_name, row.mime_type, int(row.size), row.job_id,
                      list(json.loads(row.messages or "[]")), bool(row.finished))

    def fetcher(self, fallback: Fetch | None) -> StagedFetch:
        """`fetch_file` for the services: channel `web` reads from here, every other channel as before."""
        return StagedFetch(self, fallback)


class StagedFetch:
    """`fetch_file` wrapped by `UploadStaging.fetcher`: channel `web` from the staging, the rest from `fallback`."""

    def __init__(self, web_staging: UploadStaging, fallback: Fetch | None) -> None:
        self.web_staging = web_staging
        self.fallback = fallback

    def __call__(self, channel: str, file_ref: str) -> bytes:
        if channel == WEB_CHANNEL:
            return self.web_staging.content(file_ref)
        if self.fallback is None:
            raise LookupError(f"channel {channel} cannot download files")
        return self.fallback(channel, file_ref)
