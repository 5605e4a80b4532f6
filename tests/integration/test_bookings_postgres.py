"""The booking domain on PostgreSQL (timestamptz, row locks, the exclusion constraint): the same
behaviour as on SQLite for rules, recurring series, decisions, reminders across a restart, CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from bookings.service import BookingService, Requester
from bot.scheduler import ReminderScheduler
from handlers.messages import Reply
from knowledge.errors import CivicError, Conflict
from tests.fakes.booking_support import FakeClock, ask, make_service, pg_schema_engine

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg() -> Iterator[Engine]:
    with pg_schema_engine() as engine:
        yield engine


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def svc(pg: Engine, clock: FakeClock) -> BookingService:
    return make_service(pg, clock)


def test_rules_and_overlap_on_postgres(svc: BookingService) -> None:
    assert svc.guard == "exclusion"
    [b] = ask(svc, "2026-12-02T11:00", "2026-12-02T12:00")  # exactly the minimum notice
    assert svc.to_local(b.start_utc).hour == 11 and b.start_utc.utcoffset() == timedelta(0)
    for start, end, code in [
        ("2026-12-02T10:59", "2026-12-02T11:00", "booking.short_notice"),
        ("2026-12-02T11:30", "2026-12-02T12:30", "booking.overlap"),
        ("2026-12-03T17:30", "2026-12-03T18:30", "booking.outside_hours"),
        ("2026-12-06T10:00", "2026-12-06T11:00", "booking.closed_weekday"),
    ]:
        with pytest.raises(CivicError) as info:
            ask(svc, start, end)
        assert info.value.code == code
    ask(svc, "2026-12-02T12:00", "2026-12-02T13:00")


def test_series_decisions_and_log_on_postgres(svc: BookingService) -> None:
    svc.close_day("hall", date(2026, 12, 10), "Holiday")
    with pytest.raises(Conflict) as info:
        ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", repeat_weeks=3)
    assert info.value.params["dates"] == "10.12.2026" and svc.list_bookings() == []
    made = ask(svc, "2026-12-04T10:00", "2026-12-04T11:00", repeat_weeks=3)
    svc.approve(made[0].id or 0, "staff")
    svc.reject(made[1].id or 0, "staff", "Event clash")
    svc.cancel(made[2].id or 0, "staff")
    assert [b.status for b in svc.list_bookings()] == ["approved", "rejected", "cancelled"]
    rows = list(csv.DictReader(io.StringIO(svc.export_csv())))
    assert [r["event"] for r in rows] == ["request", "request", "approve", "reject", "cancel"]
    assert rows[0]["error_code"] == "booking.series_conflict"


def test_reminders_across_restart_on_postgres(svc: BookingService, clock: FakeClock) -> None:
    sent: list[Sequence[Reply]] = []

    async def deliver(channel: str, chat_id: str, replies: Sequence[Reply]) -> None:
        sent.append(replies)

    [b] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00", requester=Requester("telegram", "5", "5", "ru"))
    svc.approve(b.id or 0, "staff")
    at = b.start_utc - timedelta(hours=24)
    assert asyncio.run(ReminderScheduler(svc, deliver, [24, 2], clock=clock).tick(at)) == [(b.id, 1440)]
    assert asyncio.run(ReminderScheduler(svc, deliver, [24, 2], clock=clock).tick(at)) == []
    later = b.start_utc - timedelta(hours=2)
    assert asyncio.run(ReminderScheduler(svc, deliver, [24, 2], clock=clock).tick(later)) == [(b.id, 120)]
    assert len(sent) == 2 and "Напоминание" in sent[0][0].text


def test_exclusion_constraint_backs_the_python_check(svc: BookingService, monkeypatch: pytest.MonkeyPatch) -> None:
    ask(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    monkeypatch.setattr(svc, "_check_all", lambda *a, **k: None)  # pretend the check missed the overlap
    with pytest.raises(Conflict) as info:
        ask(svc, "2026-12-03T11:00", "2026-12-03T13:00")
    assert info.value.code == "booking.overlap" and len(svc.list_bookings()) == 1
    ask(svc, "2026-12-03T12:00", "2026-12-03T13:00")  # touching ranges are allowed by the constraint too
    assert [r.outcome for r in svc.request_log()] == ["created", "refused", "created"]
