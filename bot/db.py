"""Database engine (SQLite file by default, any SQLAlchemy URL via DATABASE_URL) and schema set-up."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, create_engine


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine. For SQLite: WAL, foreign keys, a busy timeout, and `BEGIN IMMEDIATE`
    on every transaction so that check-then-insert races (bookings) are serialized by the database."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _rec: object) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if path and path != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def import_models() -> tuple[ModuleType, ...]:
    """Import every module that defines tables so that SQLModel.metadata knows them all."""
    from bookings import models as booking_tables
    from bot import zalo_tokens
    from handlers import models as handler_tables
    from handlers import reliability_models, usage
    from handlers import staff_langs as staff_lang
    from handlers.staff import models as staff_models
    from handlers.staff import upload_staging
    from handlers.web import models as web_models
    from knowledge import models as knowledge_tables
    from knowledge.eligibility import models as eligibility_tables

    return (knowledge_tables, eligibility_tables, booking_tables, handler_tables, staff_models, staff_lang,
            reliability_models, usage, zalo_tokens, web_models, upload_staging)


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
LEGACY_STAMP = "0009"
"""Where a database made before the migrations is stamped once its missing tables are created; the
migrations after it then run on it, so each checks before it adds (0010: `kb_document.text`)."""


def create_schema(engine: Engine, *, pseudonym_key: bytes | None = None) -> None:
    """Bring the schema up to date: Alembic `upgrade head` (SQLite and PostgreSQL alike).

    A database made before migrations existed (tables but no `alembic_version`) gets its missing
    tables created, is stamped at `LEGACY_STAMP` and upgraded from there (the columns its old tables
    lack). On PostgreSQL an advisory lock keeps replicas that start together from migrating twice.
    `pseudonym_key` lets a migration convert rows keyed by raw ids into keyed pseudonyms
    (migrations/versions/0003_privacy.py) instead of dropping them."""
    import_models()
    if not any(MIGRATIONS_DIR.glob("versions/*.py")):
        SQLModel.metadata.create_all(engine)
        return
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, text

    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7341001)"))
        config.attributes["connection"] = conn
        config.attributes["pseudonym_key"] = pseudonym_key
        tables = set(inspect(conn).get_table_names())
        if tables and "alembic_version" not in tables:
            SQLModel.metadata.create_all(conn)
            command.stamp(config, LEGACY_STAMP)
        command.upgrade(config, "head")
