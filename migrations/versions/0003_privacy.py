"""privacy: keyed pseudonyms instead of raw ids in dialog-state keys, no joinable link between
handoffs / answer opt-ins (operational, raw chat ids) and the query log (analytics)

- dialog_state: keys become `<channel>:<op(user)>:<op(chat)>` (handlers/pseudonym.py); index on updated_at.
- handoff: drops user_hash, question and query_id; gains query_ref (keyed ref of the query) and an
  index on created_at (retention purge).
- query_log: gains handoff_ref (keyed ref of the handoff).
- staff_answer_optin: query_id becomes query_ref.

Existing rows are converted when the application passes its pseudonym key (bot.db.create_schema
does); without it (bare `alembic upgrade`) dialog states are deleted (users restart their current
step) and old handoff/opt-in links to questions are dropped. Downgrade restores the columns, not
the raw data.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pseudonyms() -> Any:
    key = context.config.attributes.get("pseudonym_key") if context.config is not None else None
    if not key:
        return None
    from handlers.pseudonym import Pseudonyms

    return Pseudonyms(key)


def upgrade() -> None:
    ps = _pseudonyms()
    conn = op.get_bind()

    # dialog_state: re-key (or forget) rows keyed by raw ids
    rows = conn.execute(sa.text("SELECT key FROM dialog_state")).fetchall()
    for (key,) in rows:
        parts = str(key).split(":")
        if ps is not None and len(parts) >= 3:
            new = ps.state_key(parts[0], ":".join(parts[1:-1]), parts[-1])
            conn.execute(sa.text("DELETE FROM dialog_state WHERE key = :new"), {"new": new})
            conn.execute(sa.text("UPDATE dialog_state SET key = :new WHERE key = :old"), {"new": new, "old": key})
        else:
            conn.execute(sa.text("DELETE FROM dialog_state WHERE key = :old"), {"old": key})
    with op.batch_alter_table("dialog_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialog_state_updated_at"), ["updated_at"], unique=False)

    # query_log ← handoff_ref; handoff → query_ref
    with op.batch_alter_table("query_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_query_log_handoff_ref"), ["handoff_ref"], unique=False)
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("query_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    if ps is not None:
        links = conn.execute(sa.text("SELECT id, query_id FROM handoff WHERE query_id IS NOT NULL")).fetchall()
        for hid, qid in links:
            conn.execute(sa.text("UPDATE handoff SET query_ref = :r WHERE id = :h"), {"r": ps.ref("q", qid), "h": hid})
            conn.execute(sa.text("UPDATE query_log SET handoff_ref = :r WHERE id = :q"),
                         {"r": ps.ref("h", hid), "q": qid})
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_column("user_hash")
        batch_op.drop_column("question")
        batch_op.drop_column("query_id")
        batch_op.create_index(batch_op.f("ix_handoff_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_query_ref"), ["query_ref"], unique=False)

    # staff_answer_optin: rebuilt with query_ref (its unnamed unique constraint changes columns)
    old = conn.execute(sa.text(
        "SELECT id, created_at, query_id, channel, chat_id, lang, curated_id, notified_at FROM staff_answer_optin"
    )).fetchall()
    with op.batch_alter_table("staff_answer_optin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_answer_optin_query_id"))
        batch_op.drop_index(batch_op.f("ix_staff_answer_optin_curated_id"))
    op.drop_table("staff_answer_optin")
    op.create_table(
        "staff_answer_optin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("query_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("curated_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("query_ref", "channel", "chat_id"),
    )
    with op.batch_alter_table("staff_answer_optin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_answer_optin_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_answer_optin_curated_id"), ["curated_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_answer_optin_query_ref"), ["query_ref"], unique=False)
    if ps is not None and old:
        conn.execute(sa.text(
            "INSERT INTO staff_answer_optin (id, created_at, query_ref, channel, chat_id, lang, curated_id, "
            "notified_at) VALUES (:id, :created_at, :query_ref, :channel, :chat_id, :lang, :curated_id, :notified_at)"
        ), [
            {"id": r[0], "created_at": r[1], "query_ref": ps.ref("q", r[2]), "channel": r[3], "chat_id": r[4],
             "lang": r[5], "curated_id": r[6], "notified_at": r[7]} for r in old
        ])


def downgrade() -> None:
    with op.batch_alter_table("staff_answer_optin", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_answer_optin_query_ref"))
        batch_op.drop_index(batch_op.f("ix_staff_answer_optin_curated_id"))
        batch_op.drop_index(batch_op.f("ix_staff_answer_optin_created_at"))
    op.drop_table("staff_answer_optin")
    op.create_table(
        "staff_answer_optin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("curated_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("query_id", "channel", "chat_id"),
    )
    with op.batch_alter_table("staff_answer_optin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_answer_optin_curated_id"), ["curated_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_answer_optin_query_id"), ["query_id"], unique=False)
    with op.batch_alter_table("handoff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_query_ref"))
        batch_op.drop_index(batch_op.f("ix_handoff_created_at"))
        batch_op.drop_column("query_ref")
        batch_op.add_column(sa.Column("user_hash", sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("question", sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("query_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("query_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_query_log_handoff_ref"))
        batch_op.drop_column("handoff_ref")
    with op.batch_alter_table("dialog_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialog_state_updated_at"))
