"""A throw-away PostgreSQL schema per test on the local server (127.0.0.1:5432, trust, database test).

Each test gets its own schema (search_path), so parallel runs never clash; `public` stays on the
path for extensions such as btree_gist. Without a server the test is skipped locally and FAILS
under CI (CI=true), where .ci/run starts PostgreSQL: a missing database must never pass silently.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"no PostgreSQL at 127.0.0.1:5432: {reason}")


@contextlib.contextmanager
def temp_schema(prefix: str = "t", **engine_kw: Any) -> Iterator[Engine]:
    """An engine whose search_path is a fresh schema (dropped afterwards)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            with contextlib.suppress(Exception):  # another run may create it at the same moment
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is part of the test set-up
        admin.dispose()
        unavailable(str(exc))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema},public"}, **engine_kw)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
