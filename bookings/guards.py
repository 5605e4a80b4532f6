"""Database-level guards: no two active bookings of one room may overlap, whatever the code path.

The service already serializes booking writes per room (SQLite: `BEGIN IMMEDIATE` from
bot/db.py; PostgreSQL: `SELECT ... FOR UPDATE` on the room row) and checks overlaps inside that
transaction. These guards make the invariant a property of the database itself:

- SQLite: BEFORE INSERT / UPDATE triggers that abort an overlapping active booking.
- PostgreSQL: an exclusion constraint over (room_id =, tsrange(start, end) &&) for active rows,
  using the `btree_gist` extension when it is available (else the row lock alone applies).
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, StatementError

log = logging.getLogger(__name__)

OVERLAP_MARK = "bk_booking_overlap"
_ACTIVE = "('pending', 'approved')"
_SQLITE_EXISTS = (
    "EXISTS (SELECT 1 FROM bk_booking b WHERE b.room_id = NEW.room_id AND b.status IN " + _ACTIVE +
    " AND b.start_utc < NEW.end_utc AND NEW.start_utc < b.end_utc{extra})"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS bk_booking_no_overlap_ins BEFORE INSERT ON bk_booking "
    f"WHEN NEW.status IN {_ACTIVE} AND {_SQLITE_EXISTS.format(extra='')} "
    f"BEGIN SELECT RAISE(ABORT, '{OVERLAP_MARK}'); END",
    "CREATE TRIGGER IF NOT EXISTS bk_booking_no_overlap_upd BEFORE UPDATE OF status, start_utc, end_utc, room_id "
    f"ON bk_booking WHEN NEW.status IN {_ACTIVE} AND {_SQLITE_EXISTS.format(extra=' AND b.id <> NEW.id')} "
    f"BEGIN SELECT RAISE(ABORT, '{OVERLAP_MARK}'); END",
)
PG_CONSTRAINT = (
    "ALTER TABLE bk_booking ADD CONSTRAINT bk_booking_no_overlap EXCLUDE USING gist "
    f"(room_id WITH =, tstzrange(start_utc, end_utc) WITH &&) WHERE (status IN {_ACTIVE})"
)


def install_guards(engine: Engine) -> str:
    """Install the guard for this dialect (idempotent). Returns `trigger`, `exclusion` or `lock-only`."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with engine.begin() as conn:
            for ddl in SQLITE_TRIGGERS:
                conn.exec_driver_sql(ddl)
        return "trigger"
    if dialect == "postgresql":
        return _install_pg(engine)
    return "lock-only"


def _install_pg(engine: Engine) -> str:
    exists_sql = text(
        "SELECT 1 FROM pg_constraint WHERE conname = 'bk_booking_no_overlap' "
        "AND conrelid = to_regclass('bk_booking')"
    )
    with engine.connect() as conn:
        if conn.execute(exists_sql).first():
            return "exclusion"
        has_ext = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")).first()
    try:
        if not has_ext:
            with engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        with engine.begin() as conn:
            conn.execute(text("LOCK TABLE bk_booking IN SHARE ROW EXCLUSIVE MODE"))
            if not conn.execute(exists_sql).first():
                conn.execute(text(PG_CONSTRAINT))
        return "exclusion"
    except DBAPIError as exc:  # no privilege for the extension, or an existing overlap
        log.warning("booking exclusion constraint not installed (row locks still apply): %s", exc.orig)
        return "lock-only"


def is_overlap_violation(exc: BaseException) -> bool:
    """True when a DBAPI error comes from one of the guards above."""
    msg = str(exc.orig if isinstance(exc, StatementError) else exc)  # the driver's own message
    return OVERLAP_MARK in msg or "bk_booking_no_overlap" in msg
