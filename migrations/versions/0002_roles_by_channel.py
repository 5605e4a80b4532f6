"""staff roles by (channel, user id)

Before this revision `staff_role` was keyed by the bare user id, so a role granted to Telegram user
1001 also made Zalo user 1001 staff. Each existing row now belongs to the channel it was granted
on, read from the audit log: `role_add` entries that succeeded, whose channel is a messenger's (the
admin typed `/staff add 1001` in that channel's chat; the terminal chat and the CLI name none). A
row granted on several channels becomes one row per channel. A row with no such entry (granted
from the CLI, or before the audit log) gets the channel `legacy`: listed as unconfirmed by
`civicbot staff list`, it grants nothing until staff confirm it (`civicbot staff confirm
telegram:1001`) or remove it.

Revision ID: 0002
Revises: 0008
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSENGERS = ("telegram", "zalo_bot", "zalo_oa")
"""A grant typed in the terminal chat (channel `console`) or the CLI names no messenger: legacy."""
LEGACY = "legacy"


def _columns(with_channel: bool) -> list[sa.Column]:  # type: ignore[type-arg]
    cols: list[sa.Column] = []  # type: ignore[type-arg]
    if with_channel:
        cols.append(sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False))
    cols += [
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    ]
    return cols


def _granted_on(conn: sa.engine.Connection) -> dict[str, set[str]]:
    """user id → the messenger channels a role was granted on (successful `role_add` audit entries)."""
    audit = sa.table("staff_audit", sa.column("channel"), sa.column("action"), sa.column("target"),
                     sa.column("outcome"))
    rows = conn.execute(sa.select(audit.c.target, audit.c.channel)
                        .where(audit.c.action == "role_add").where(audit.c.outcome == "ok")).all()
    channels: dict[str, set[str]] = defaultdict(set)
    for target, channel in rows:
        if target and channel in MESSENGERS:
            channels[str(target).strip()].add(channel)
    return channels


def upgrade() -> None:
    conn = op.get_bind()
    old = sa.table("staff_role", *[sa.column(c.name, c.type) for c in _columns(False)])
    rows = [dict(r._mapping) for r in conn.execute(sa.select(old)).all()]
    granted = _granted_on(conn)
    op.drop_table("staff_role")
    new = op.create_table("staff_role", *_columns(True), sa.PrimaryKeyConstraint("channel", "user_id"))
    migrated = [{**row, "channel": channel}
                for row in rows for channel in sorted(granted.get(str(row["user_id"]), ()) or [LEGACY])]
    if migrated:
        op.bulk_insert(new, migrated)


def downgrade() -> None:
    conn = op.get_bind()
    current = sa.table("staff_role", *[sa.column(c.name, c.type) for c in _columns(True)])
    by_user: dict[str, dict[str, object]] = {}
    for r in conn.execute(sa.select(current)).all():
        row = {k: v for k, v in r._mapping.items() if k != "channel"}
        kept = by_user.get(str(row["user_id"]))
        if kept is None or (row["role"] == "admin" and kept["role"] != "admin"):
            by_user[str(row["user_id"])] = row
    op.drop_table("staff_role")
    old = op.create_table("staff_role", *_columns(False), sa.PrimaryKeyConstraint("user_id"))
    if by_user:
        op.bulk_insert(old, list(by_user.values()))
