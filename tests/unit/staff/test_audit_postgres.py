"""The audit log is append-only on PostgreSQL too (a trigger), in a throw-away schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.db import create_schema
from handlers.staff.service import StaffService
from tests.fakes.pg import temp_schema

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg() -> Iterator[Engine]:
    with temp_schema("staff") as engine:
        yield engine


def test_audit_rows_cannot_be_changed_or_deleted(pg: Engine) -> None:
    create_schema(pg)  # the migrations own the schema (and the audit table's triggers)
    svc = StaffService(pg)
    svc.audit("901", "upload", channel="telegram", target="doc-1", chunks=3)
    for sql in ("UPDATE staff_audit SET actor = 'x'", "DELETE FROM staff_audit"):
        with pg.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    assert [e.actor for e in svc.audit_entries()] == ["901"]
    assert svc.stats(7)["questions"]["total"] == 0
