"""Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from bot.db import create_schema, import_models, make_engine
from tests.fakes.pg import temp_schema

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


APP_PACKAGES = ("bot.", "handlers.", "retrieval.", "knowledge.", "bookings.")


def _app_tables() -> set[str]:
    """Tables declared by the application's models (tests may declare tables of their own)."""
    import_models()
    registry = SQLModel._sa_registry  # type: ignore[attr-defined]
    return {
        m.local_table.name for m in registry.mappers if m.class_.__module__.startswith(APP_PACKAGES)
    }


def _assert_in_sync(engine: Engine) -> None:
    app_tables = _app_tables()
    assert {"kb_document", "bk_booking", "dialog_state", "staff_audit"} <= app_tables

    def include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        return type_ != "table" or name in app_tables or name == "alembic_version"

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False, "include_object": include})
        diff = compare_metadata(ctx, SQLModel.metadata)
    # indexes/constraints added outside the models (guards) are not model diffs we care about
    tables = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
    assert tables == []


def _assert_audit_append_only(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO staff_audit (created_at, actor, action, channel, target, outcome, details) "
            "VALUES (CURRENT_TIMESTAMP, 'a', 'x', 'telegram', '', 'ok', '{}')"
        ))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM staff_audit"))


def test_sqlite_upgrade_head_matches_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    create_schema(engine)
    assert "alembic_version" in inspect(engine).get_table_names()
    _assert_in_sync(engine)
    _assert_audit_append_only(engine)
    create_schema(engine)  # idempotent


@pytest.fixture()
def pg_engine() -> Iterator[Engine]:
    with temp_schema("mig") as engine:
        yield engine


@pytest.mark.postgres
def test_postgres_upgrade_head_matches_models(pg_engine: Engine) -> None:
    create_schema(pg_engine)
    _assert_in_sync(pg_engine)
    _assert_audit_append_only(pg_engine)
