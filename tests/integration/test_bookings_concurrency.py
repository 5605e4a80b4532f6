"""Twenty simultaneous requests for overlapping slots: exactly one wins, on SQLite and PostgreSQL.
Each thread uses its own session/connection; the database serializes them (bookings/guards.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bookings.models import Booking
from bookings.service import BookingService
from knowledge.errors import CivicError
from tests.fakes.booking_support import FakeClock, ask, make_service, pg_schema_engine
from tests.fakes.schema import migrated_sqlite

N = 20


def race(svc: BookingService) -> tuple[list[int], list[str]]:
    barrier = threading.Barrier(N)
    created: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        start = datetime(2026, 12, 3, 10, 0) + timedelta(minutes=2 * i)  # all pairwise overlapping
        barrier.wait()
        try:
            [b] = ask(svc, start.isoformat(), (start + timedelta(minutes=90)).isoformat(), org=f"NGO {i}")
            with lock:
                created.append(b.id or 0)
        except CivicError as exc:
            with lock:
                refused.append(exc.code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return created, refused


def check_race(svc: BookingService) -> None:
    created, refused = race(svc)
    assert len(created) == 1, (created, refused)
    assert refused == ["booking.overlap"] * (N - 1)
    assert [b.id for b in svc.list_bookings()] == created
    log = svc.request_log()
    assert len(log) == N and sum(r.outcome == "refused" for r in log) == N - 1


def check_guard(engine: Engine, svc: BookingService) -> None:
    """Bypassing the service, the database itself refuses an overlapping active booking."""
    [b] = ask(svc, "2026-12-04T10:00", "2026-12-04T12:00")
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Booking(room_id=b.room_id, start_utc=b.start_utc + timedelta(minutes=30),
                      end_utc=b.end_utc + timedelta(hours=1), org="x", contact_name="y", phone="+77011234567",
                      attendees=1, purpose="z", created_at=datetime.now(UTC)))
        s.commit()


def test_twenty_racing_requests_sqlite(tmp_path: Path) -> None:
    engine = migrated_sqlite(tmp_path / "race.sqlite")
    svc = make_service(engine, FakeClock())
    assert svc.guard == "trigger"
    check_race(svc)
    check_guard(engine, svc)


@pytest.fixture()
def pg_engine() -> Iterator[Engine]:
    with pg_schema_engine(pool_size=N) as engine:
        yield engine


@pytest.mark.postgres
def test_twenty_racing_requests_postgres(pg_engine: Engine) -> None:
    svc = make_service(pg_engine, FakeClock())
    assert svc.guard == "exclusion"
    check_race(svc)
    check_guard(pg_engine, svc)
