"""`forget` and the retention purge on PostgreSQL (the production database), migration 0003 included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bookings.service import BookingService, Requester
from bot.db import create_schema
from handlers.logs import ActivityLog
from handlers.privacy import Privacy
from handlers.pseudonym import Pseudonyms
from handlers.staff.service import StaffService
from handlers.state import SqlStateStore
from tests.fakes.pg import temp_schema

pytestmark = pytest.mark.postgres
PS = Pseudonyms(b"postgres-test-key-0123")
UID, OTHER = "7303000001", "7303000002"


@pytest.fixture()
def engine() -> Iterator[Engine]:
    with temp_schema("pv") as eng:
        create_schema(eng, pseudonym_key=b"postgres-test-key-0123")
        yield eng


def test_forget_and_purge_on_postgres(engine: Engine) -> None:
    states, logs = SqlStateStore(engine), ActivityLog(engine, PS)
    staff = StaffService(engine, pseudonyms=PS)
    svc = BookingService(engine, house_tz="Asia/Almaty")
    svc.add_room("hall", 20, hours="00:00-23:59", days="mon-sun", max_hours=4, min_notice_hours=1)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    for i, uid in enumerate((UID, OTHER)):
        states.set(PS.state_key("telegram", uid, uid), {"lang": "vi"})
        qid = logs.log_query(channel="telegram", user_hash=PS.user_hash("telegram", uid), lang="vi", question="?",
                             top_doc_ids=[], confidence=0.1, abstained=True, latency_ms=1.0)
        logs.open_handoff(channel="telegram", chat_id=uid, lang="vi", query_id=qid)
        assert staff.opt_in(qid, PS.user_hash("telegram", uid), "telegram", uid, "vi")
        svc.request(room="hall", start=start + timedelta(hours=3 * i), end=start + timedelta(hours=3 * i + 1),
                    org="NGO", contact=f"P{i}", phone="+84 912 345 67" + str(i), attendees=3, purpose="x",
                    requester=Requester("telegram", uid, uid, "vi"))
    privacy = Privacy(engine, PS, states=states, audit=staff.audit)
    report = privacy.forget(f"telegram:{UID}")
    assert report.counts["handoff"] == 1 and report.counts["query_log"] == 1 and report.counts["dialog_state"] == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM handoff")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM bk_booking WHERE requester_id = :u"), {"u": UID}).scalar() == 0
        assert conn.execute(text("SELECT status FROM bk_booking WHERE contact_name = ''")).scalar() == "cancelled"
    later = privacy.purge(now=datetime.now(UTC) + timedelta(days=400))
    assert later.counts["handoff"] == 1 and later.counts["query_log"] == 1 and later.counts["bk_booking"] == 1
    with engine.connect() as conn:
        for table in ("handoff", "query_log", "staff_answer_optin", "dialog_state"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        assert conn.execute(text("SELECT count(*) FROM bk_booking WHERE phone != ''")).scalar() == 0
