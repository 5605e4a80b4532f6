"""kb_document.text for databases made before the column existed

Databases created by the migrations have had the column since 0001; a database from before the
migrations (tables but no `alembic_version`: stamped at 0009 by bot/db.py, then upgraded) may
lack it. Old rows get an empty text (they are re-added to fill it). The knowledge base used to
add it itself at start-up; the schema now has one owner, the migrations.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("kb_document")}
    if "text" in columns:
        return
    with op.batch_alter_table("kb_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    """Nothing: at 0009 the column exists too (0001 creates it); only pre-migration databases lacked it."""
