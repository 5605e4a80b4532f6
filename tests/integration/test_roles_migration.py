"""Issue 11 item 2: migration 0002 moves each existing role to the channel it was granted on (from
the audit log) or flags it `legacy` (granted nothing until confirmed); SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import MIGRATIONS_DIR, create_schema, make_engine
from handlers.roles import RoleStore, UserRef
from tests.fakes.pg import temp_schema

OLD_ROLES = [("1001", "staff"), ("2002", "admin"), ("3003", "staff"), ("4004", "staff"), ("5005", "staff")]
AUDIT = [  # (channel, action, target, outcome)
    ("telegram", "role_add", "1001", "ok"),     # granted in the Telegram chat
    ("cli", "role_add", "2002", "ok"),          # from the CLI: no channel known
    ("telegram", "role_add", "3003", "ok"),     # granted on two channels
    ("zalo_bot", "role_add", "3003", "ok"),
    ("zalo_bot", "role_add", "4004", "failed"),  # a failed attempt says nothing
    ("console", "role_add", "5005", "ok"),      # the terminal chat names no messenger
    ("telegram", "role_remove", "2002", "ok"),
]


def _upgrade(engine: Engine, target: str) -> None:
    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def _migrate(engine: Engine) -> None:
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        for user_id, role in OLD_ROLES:
            conn.execute(text("INSERT INTO staff_role (user_id, role, added_by, added_at) "
                              "VALUES (:u, :r, 'x', CURRENT_TIMESTAMP)"), {"u": user_id, "r": role})
        for channel, action, target, outcome in AUDIT:
            conn.execute(text("INSERT INTO staff_audit (created_at, actor, channel, action, target, outcome, details) "
                              "VALUES (CURRENT_TIMESTAMP, 'a', :c, :a, :t, :o, '{}')"),
                         {"c": channel, "a": action, "t": target, "o": outcome})
    create_schema(engine)  # upgrade head, as every start-up does


def _check(engine: Engine) -> None:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT channel, user_id, role FROM staff_role"))
        rows = {(r.channel, r.user_id, r.role) for r in found}
    assert rows == {("telegram", "1001", "staff"), ("legacy", "2002", "admin"), ("telegram", "3003", "staff"),
                    ("zalo_bot", "3003", "staff"), ("legacy", "4004", "staff"), ("legacy", "5005", "staff")}
    roles = RoleStore(engine)
    assert roles.is_staff("telegram", "1001") and not roles.is_staff("zalo_bot", "1001")
    assert roles.is_staff("zalo_bot", "3003") and not roles.is_staff("zalo_oa", "3003")
    for channel in ("telegram", "zalo_bot", "zalo_oa", "console", "legacy"):  # unconfirmed: nothing
        assert roles.role_of(channel, "2002") is None and roles.role_of(channel, "4004") is None
    assert roles.confirm(UserRef("zalo_oa", "2002"), confirmed_by="cli:test") == "admin"
    assert roles.is_admin("zalo_oa", "2002") and not roles.is_admin("telegram", "2002")
    assert [r.channel for r in roles.list()][-2:] == ["legacy", "legacy"]  # unconfirmed listed last


def test_sqlite_roles_migrate_to_their_channel(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _migrate(engine)
    _check(engine)
    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT user_id, role FROM staff_role")).all())  # type: ignore[arg-type]
    assert rows == {"1001": "staff", "2002": "admin", "3003": "staff", "4004": "staff", "5005": "staff"}


@pytest.fixture()
def pg_engine() -> Iterator[Engine]:
    with temp_schema("rolemig") as engine:
        yield engine


@pytest.mark.postgres
def test_postgres_roles_migrate_to_their_channel(pg_engine: Engine) -> None:
    _migrate(pg_engine)
    _check(pg_engine)
