from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bookings.service import BookingService
from bot.db import make_engine
from tests.fakes.booking_support import FakeClock, make_service


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'bk.sqlite'}")


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def svc(engine: Engine, clock: FakeClock) -> BookingService:
    return make_service(engine, clock)
