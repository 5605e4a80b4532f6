"""Tables of the conversation layer: dialog state, processed updates, the query log, handoffs, roles,
and the audit log of staff actions and refusals.

The audit log is append-only: no chat or CLI command edits it, and on SQLite and PostgreSQL
database triggers refuse UPDATE and DELETE on it, so a mistake in code cannot rewrite history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import DDL, event
from sqlmodel import Field, SQLModel

from knowledge.models import utcnow


class DialogStateRow(SQLModel, table=True):
    """One conversation, keyed by keyed pseudonyms (`Pseudonyms.state_key`), never by raw ids."""

    __tablename__ = "dialog_state"

    key: str = Field(primary_key=True, max_length=300)
    data: str = "{}"
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """An update already handled (duplicate deliveries are dropped)."""

    __tablename__ = "processed_update"

    key: str = Field(primary_key=True, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class QueryLog(SQLModel, table=True):
    """One question asked (analytics). `user_hash` is a keyed pseudonym: no raw user id here, and no
    value that also appears in an operational table (see handlers/pseudonym.py)."""

    __tablename__ = "query_log"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64, index=True)
    lang: str = Field(max_length=8)
    question: str
    top_doc_ids: str = "[]"
    confidence: float = 0.0
    abstained: bool = False
    latency_ms: float = 0.0
    feedback: int | None = None
    """+1 (👍), -1 (👎) or None."""
    handed_off: bool = False
    resolved: bool = False
    """True once staff answered it (for /unanswered)."""
    dismissed_at: datetime | None = None
    """Set when staff dismissed its group in /unanswered (noise, not worth an answer): it is no longer listed."""
    handoff_ref: str | None = Field(default=None, max_length=64, index=True)
    """Keyed ref of the handoff that forwarded it (`Pseudonyms.ref("h", handoff.id)`), never its id."""


class Handoff(SQLModel, table=True):
    """A question forwarded to the staff chat; staff replies are relayed back in order.

    Operational: it keeps the raw chat id (a reply must reach the user) until the retention purge, so
    it holds nothing that joins it to the analytics tables: no user pseudonym, no question text (the
    staff chat has it), and the forwarded query only as a keyed ref (`Pseudonyms.ref("q", id)`)."""

    __tablename__ = "handoff"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    channel: str = Field(max_length=30)
    chat_id: str = Field(max_length=100)
    lang: str = Field(max_length=8)
    query_ref: str | None = Field(default=None, max_length=64, index=True)
    staff_message_id: str | None = Field(default=None, max_length=100, index=True)
    status: str = Field(default="open", max_length=20)
    replies: int = 0


class Role(SQLModel, table=True):
    """A staff member or admin: a user id on one channel (handlers/roles.py). Channel `legacy`: a row
    from before roles had a channel, not yet confirmed; it grants nothing."""

    __tablename__ = "staff_role"

    channel: str = Field(primary_key=True, max_length=30)
    user_id: str = Field(primary_key=True, max_length=100)
    role: str = Field(max_length=20)
    """`admin` or `staff`."""
    added_by: str | None = Field(default=None, max_length=100)
    added_at: datetime = Field(default_factory=utcnow)


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


_NO_EDIT = "staff_audit is append-only"
_ddl: Callable[[str], DDL] = DDL  # SQLAlchemy's DDL() is unannotated

for _op in ("UPDATE", "DELETE"):
    event.listen(
        AuditEntry.__table__,  # type: ignore[attr-defined]
        "after_create",
        _ddl(
            f"CREATE TRIGGER IF NOT EXISTS staff_audit_no_{_op.lower()} BEFORE {_op} ON staff_audit "
            f"BEGIN SELECT RAISE(ABORT, '{_NO_EDIT}'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    AuditEntry.__table__,  # type: ignore[attr-defined]
    "after_create",
    _ddl(
        "CREATE OR REPLACE FUNCTION staff_audit_no_edit() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{_NO_EDIT}'; END $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER staff_audit_no_edit BEFORE UPDATE OR DELETE ON staff_audit "
        "FOR EACH ROW EXECUTE FUNCTION staff_audit_no_edit()"
    ).execute_if(dialect="postgresql"),
)
