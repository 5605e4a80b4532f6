from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bookings.service import BookingService
from tests.fakes.booking_support import FakeClock, make_service
from tests.fakes.schema import migrated_sqlite


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    return migrated_sqlite(tmp_path / "bk.sqlite")


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def svc(engine: Engine, clock: FakeClock) -> BookingService:
    return make_service(engine, clock)
