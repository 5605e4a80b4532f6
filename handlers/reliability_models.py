"""Tables that keep accepted work from being lost: the reply outbox, the update inbox, background jobs.

* `outbox`: every reply or notification that leaves the bot, written before it is sent; a delivery
  worker (bot/outbox.py) claims the oldest unsent row of each chat with a lease, sends it and marks
  it `sent`, or `undeliverable` (bot blocked, chat deleted), or retries it later.
* `inbox`: updates received by polling (Telegram, Zalo Bot) or webhook, stored before they are
  confirmed to the platform; handled from here, so a crash loses none.
* `job`: slow work (a staff upload: download, parse, embed) that runs beside the chats and resumes
  after a restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from knowledge.models import utcnow


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_chat", "status", "chat_key", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    channel: str = Field(max_length=30)
    chat_id: str = Field(max_length=100)
    chat_key: str = Field(max_length=140)
    """`<channel>:<chat_id>`: rows of one chat are delivered one at a time, in id order."""
    payload: str = Field(sa_column=Column(Text, nullable=False))
    """The Reply as JSON (handlers/outbox.py)."""
    status: str = Field(default="pending", max_length=20)
    """pending | sent | undeliverable | expired."""
    attempts: int = 0
    next_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    owner: str | None = Field(default=None, max_length=100)
    dedup_key: str | None = Field(default=None, max_length=200, unique=True)
    """Set for notifications that must go out once (e.g. `booking:12:approved`)."""
    sent_at: datetime | None = None
    message_id: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=300)


class InboxRow(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    """`<stream>:<platform update id>`: a re-delivered update is stored once."""
    stream: str = Field(max_length=60)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=20)
    """pending | done."""
    attempts: int = 0
    lease_until: datetime | None = None
    owner: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class JobRow(SQLModel, table=True):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="queued", max_length=20)
    """queued | running | done | failed."""
    attempts: int = 0
    progress: str = Field(default="", max_length=200)
    lease_until: datetime | None = None
    owner: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
