"""Databases with the schema the migrations build, for tests that need tables but not a migration run.

The product never creates tables outside the migrations (bot/db.py `create_schema`). Running them
costs most of a second on SQLite, so `migrated_sqlite(path)` migrates one template database per test
session and copies it (SQLite's backup API) to `path`: every test still gets its own real file with
exactly the migrated schema.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.db import create_schema, make_engine

_lock = threading.Lock()
_template: Path | None = None


def _migrated_template() -> Path:
    global _template
    with _lock:
        if _template is None:
            path = Path(tempfile.mkdtemp(prefix="civicbot-schema-")) / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            create_schema(engine)
            engine.dispose()
            _template = path
        return _template


def migrated_sqlite(path: Path) -> Engine:
    """An engine on a new SQLite file at `path` holding the migrated (empty) schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(_migrated_template())
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return make_engine(f"sqlite:///{path}")


_empty: Engine | None = None


def empty_knowledge_base() -> Engine:
    """One migrated, empty database per test session, for fakes that need a knowledge base to read
    but hold their documents themselves (read it only: it is shared)."""
    global _empty
    with _lock:
        engine = _empty
    if engine is None:
        engine = migrated_sqlite(Path(tempfile.mkdtemp(prefix="civicbot-empty-kb-")) / "kb.db")
        with _lock:
            _empty = _empty or engine
            engine = _empty
    return engine
