"""Tables of the staff tools: the audit log, curated answers and answer opt-ins.

The audit log is append-only: no chat or CLI command edits it, and on SQLite and PostgreSQL
database triggers refuse UPDATE and DELETE on it, so a mistake in code cannot rewrite history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from knowledge.models import utcnow


class AuditEntry(SQLModel, table=True):
    """One staff action or refusal: who (channel user id; `u:<hash>` for refused non-staff), what, when."""

    __tablename__ = "staff_audit"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200, index=True)
    channel: str = Field(default="", max_length=30)
    action: str = Field(max_length=40, index=True)
    """`upload`, `remove`, `reindex`, `answer`, `role_add`, `role_remove`, `stats`, ..."""
    target: str | None = Field(default=None, max_length=300)
    outcome: str = Field(default="ok", max_length=20)
    """`ok`, `refused` (no role) or `failed` (bad input, error)."""
    details: str = "{}"
    """JSON with the action's details (file name, chunks, error code...)."""


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


_NO_EDIT = "staff_audit is append-only"
for _op in ("UPDATE", "DELETE"):
    event.listen(
        AuditEntry.__table__,  # type: ignore[attr-defined]
        "after_create",
        DDL(  # type: ignore[no-untyped-call]  # SQLAlchemy's DDL is untyped
            f"CREATE TRIGGER IF NOT EXISTS staff_audit_no_{_op.lower()} BEFORE {_op} ON staff_audit "
            f"BEGIN SELECT RAISE(ABORT, '{_NO_EDIT}'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    AuditEntry.__table__,  # type: ignore[attr-defined]
    "after_create",
    DDL(  # type: ignore[no-untyped-call]
        "CREATE OR REPLACE FUNCTION staff_audit_no_edit() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{_NO_EDIT}'; END $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER staff_audit_no_edit BEFORE UPDATE OR DELETE ON staff_audit "
        "FOR EACH ROW EXECUTE FUNCTION staff_audit_no_edit()"
    ).execute_if(dialect="postgresql"),
)
