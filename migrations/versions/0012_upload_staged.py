"""Files uploaded in the staff web console, staged until the upload path has read them (issue 15).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "upload_staged" in sa.inspect(op.get_bind()).get_table_names():
        return  # a database made before the migrations: bot/db.py created every table before stamping 0009
    op.create_table(
        "upload_staged",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("messages", sa.Text(), server_default="[]", nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("upload_staged", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_upload_staged_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_upload_staged_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("upload_staged", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_staged_created_at"))
        batch_op.drop_index(batch_op.f("ix_upload_staged_actor"))
    op.drop_table("upload_staged")
