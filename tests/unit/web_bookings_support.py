"""Shared set-up of the console booking tests: the real schema on SQLite, the booking service on a
settable clock (Tue 1 Dec 2026, 11:00 Almaty), the outbox, the staff audit log and the catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bookings.service import BookingService, Requester
from bot.db import create_schema, make_engine
from bot.web.pages.bookings_actions import Desk, audit_as
from handlers import outbox as outbox_module
from handlers.i18n import Catalog
from handlers.outbox import Outbox, reply_from_json
from handlers.reliability_models import OutboxRow
from handlers.staff.models import AuditEntry
from handlers.staff.service import StaffService
from tests.fakes.booking_support import FakeClock, make_service

CATALOG = Catalog.load()
STAFF = "telegram:9001"
"""The acting staff member (audited as actor 9001 on channel telegram, via the web)."""


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    svc: BookingService
    desk: Desk

    def book(self, start: str, end: str, *, room: str = "hall", chat: str | None = "4242", lang: str = "ru",
             org: str = "Green Steppe", repeat_weeks: int = 1) -> Any:
        who = Requester("telegram", chat, chat, lang) if chat else Requester("cli", "cli", "", lang)
        made = self.svc.request(room=room, start=start, end=end, org=org, contact="Aigerim",
                                phone="+7 701 123 45 67", attendees=10, purpose="Volunteer training",
                                requester=who, repeat_weeks=repeat_weeks)
        return made[0] if repeat_weeks == 1 else made

    def outbox_rows(self) -> list[OutboxRow]:
        with Session(self.engine) as s:
            return list(s.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())

    def outbox_texts(self) -> list[tuple[str, str, str]]:
        """(dedup key, chat, text) of every queued message."""
        return [(r.dedup_key or "", f"{r.channel}:{r.chat_id}", reply_from_json(r.payload).text)
                for r in self.outbox_rows()]

    def audits(self) -> list[AuditEntry]:
        with Session(self.engine) as s:
            return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def make_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """Every clock of the world is the booking tests' settable clock (the outbox's too)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'console.sqlite'}")
    create_schema(engine, pseudonym_key=b"k" * 32)
    clock = FakeClock()
    svc = make_service(engine, clock)
    staff = StaffService(engine, clock=clock)
    monkeypatch.setattr(outbox_module, "utcnow", clock)
    return World(engine, clock, svc, Desk(svc, Outbox(engine), CATALOG, STAFF, audit_as(staff, "telegram", "9001")))
