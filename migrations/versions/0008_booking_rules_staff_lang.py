"""booking: a room's weekly-repeat limit; staff members' language per chat

Revision ID: 0008
Revises: 0006
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bk_room", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_repeat_weeks", sa.Integer(), server_default="12", nullable=False))
    op.create_table(
        "staff_lang_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat_id", "user_id", name="uq_staff_lang_choice"),
    )


def downgrade() -> None:
    op.drop_table("staff_lang_choice")
    with op.batch_alter_table("bk_room", schema=None) as batch_op:
        batch_op.drop_column("max_repeat_weeks")
