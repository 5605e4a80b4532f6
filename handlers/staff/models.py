"""Tables of the staff tools: curated answers and answer opt-ins. The audit log (`AuditEntry`,
re-exported here) is shared by every flow: handlers/models.py, written by handlers/audit.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from handlers.models import AuditEntry
from knowledge.models import utcnow

__all__ = ["AnswerOptIn", "AuditEntry", "CuratedAnswer"]


class CuratedAnswer(SQLModel, table=True):
    """An answer written by staff for a group of unanswered questions; its text lives in the KB as kind `qa`."""

    __tablename__ = "staff_curated_answer"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    staff: str = Field(max_length=200)
    question: str
    answer: str
    lang: str = Field(max_length=8)
    doc_id: str | None = Field(default=None, max_length=200)
    query_ids: str = "[]"


class AnswerOptIn(SQLModel, table=True):
    """A user who asked for the answer to an unanswered question to be sent when staff write it.
    Operational (raw chat id, for delivery): purged after the retention period."""

    __tablename__ = "staff_answer_optin"
    __table_args__ = (UniqueConstraint("query_ref", "channel", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    query_ref: str = Field(max_length=64, index=True)
    """The question as a keyed ref (`Pseudonyms.ref("q", query_id)`): not joinable to the query log."""
    channel: str = Field(max_length=30)
    chat_id: str = Field(max_length=100)
    lang: str = Field(max_length=8)
    curated_id: int | None = Field(default=None, index=True)
    """Set when staff answered; the relay is then pending until `notified_at`."""
    notified_at: datetime | None = None
