"""Shared helpers for the booking tests: a settable clock and a service with the sample rooms."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bookings.service import BookingService
from bot.db import create_schema
from tests.fakes.pg import temp_schema

# Tuesday 1 December 2026, 11:00 in Almaty (UTC+5): the "now" of most booking tests.
T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_service(engine: Engine, clock: FakeClock, **room: Any) -> BookingService:
    """A service with one room `hall` (capacity 20, Mon-Sat 09:00-18:00, max 4 h, notice 24 h)."""
    svc = BookingService(engine, house_tz="Asia/Almaty", clock=clock)
    params: dict[str, Any] = dict(hours="09:00-18:00", days="mon-sat", max_hours=4, min_notice_hours=24,
                                  name_vi="Phòng họp lớn", name_ru="Большой зал", equipment=["projector"])
    params.update(room)
    svc.add_room("hall", 20, **params)
    return svc


def ask(svc: BookingService, start: str | datetime, end: str | datetime, **kw: Any) -> Any:
    """A valid request for `hall` unless overridden."""
    fields: dict[str, Any] = dict(room="hall", org="Green Steppe", contact="Aigerim", phone="+7 701 123 45 67",
                                  attendees=10, purpose="Volunteer training")
    fields.update(kw)
    return svc.request(start=start, end=end, **fields)


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def pg_schema_engine(pool_size: int = 5) -> Iterator[Engine]:
    """An engine on the test PostgreSQL confined to a fresh schema (see tests/fakes/pg.py), migrated."""
    with temp_schema("bk", pool_size=pool_size, max_overflow=5) as engine:
        create_schema(engine)
        yield engine
