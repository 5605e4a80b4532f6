"""Issue 11 "Also": booking actions refused to non-staff users (someone else's approve / reject /
cancel buttons, `/pending`) are written to the staff audit log like every other refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.db import create_schema, make_engine
from handlers.booking.flow import BookingFlow
from handlers.dialog import Dialog
from handlers.flow import Services
from handlers.i18n import Catalog
from handlers.roles import RoleStore
from handlers.staff.models import AuditEntry
from handlers.state import MemoryRateLimiter, SqlStateStore
from tests.fakes.booking_support import FakeClock, make_service
from tests.integration.test_bookings_chat import STAFF, Chat

CATALOG = Catalog.load()


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Dialog, Any, Any]:
    engine = make_engine(f"sqlite:///{tmp_path / 'chat.sqlite'}")
    create_schema(engine)
    clock = FakeClock()
    svc = make_service(engine, clock)
    services = Services(bookings=svc, roles=RoleStore(engine, ["telegram:900"]), staff_target=STAFF,
                        settings={"staff_lang": "vi"})
    dialog = Dialog(CATALOG, services, [BookingFlow()], SqlStateStore(engine), clock=clock,
                    limiter=MemoryRateLimiter(1000))
    return dialog, svc, engine


def test_refused_booking_actions_are_audited(world: Any) -> None:
    dialog, svc, engine = world
    owner, stranger = Chat(dialog, "7", "vi"), Chat(dialog, "8", "vi")
    owner.book_until_summary(slot="1300", answers=("Nhóm Xanh", "Lan", "0912 345 678", "8"), purpose="Họp")
    owner.press("bk:ok")
    booking = svc.list_bookings()[0]
    refusal = CATALOG.t("vi", "error.booking.forbidden")
    for data in (f"bk:ap:{booking.id}", f"bk:rj:{booking.id}", f"bk:rjn:{booking.id}", f"bk:cx:{booking.id}"):
        assert stranger.press(data)[0].text == refusal
    assert stranger.say("/pending")[0].text == refusal
    assert svc.get(booking.id).status == "pending"
    with Session(engine) as s:
        rows = s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert {(r.outcome, r.channel) for r in rows} == {("refused", "telegram")}
    target = f"booking:{booking.id}"
    assert [(r.action, r.target) for r in rows] == [
        ("booking_approve", target), ("booking_reject", target), ("booking_reject", target),
        ("booking_cancel", target), ("booking_pending", None)]
    assert all(r.actor.startswith("u:") and r.actor[2:] != "8" for r in rows)  # pseudonymized
