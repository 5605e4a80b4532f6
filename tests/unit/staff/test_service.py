"""The staff service on real SQLite: audit log, statistics, unanswered questions, opt-ins."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from bookings.models import Booking, Room
from handlers.models import Handoff, QueryLog
from handlers.staff.service import StaffService
from knowledge.eligibility.models import EligibilityResult
from knowledge.errors import NotFound, ValidationError
from tests.unit.staff.helpers import make_env

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # 17:00 in Ho Chi Minh City


@pytest.fixture()
def svc(tmp_path: Path) -> StaffService:
    env = make_env(tmp_path)
    return StaffService(env.engine, kb=env.kb, clock=lambda: NOW)


def add_query(svc: StaffService, when: datetime, *, lang: str = "vi", abstained: bool = False,
              feedback: int | None = None, docs: tuple[str, ...] = (), resolved: bool = False,
              question: str = "q", user: str = "h") -> int:
    with Session(svc.engine) as s:
        row = QueryLog(created_at=when, channel="telegram", user_hash=user, lang=lang,
                       question=question, top_doc_ids=json.dumps(list(docs)), abstained=abstained,
                       feedback=feedback, resolved=resolved)
        s.add(row)
        s.commit()
        assert row.id is not None
        return row.id


def test_audit_log_is_append_only(svc: StaffService) -> None:
    entry = svc.audit("901", "remove", channel="telegram", target="doc-1", title="Old decree")
    row = svc.audit_entries(1)[0]
    assert (row.id, row.actor, row.action, row.target) == (entry, "901", "remove", "doc-1")
    assert json.loads(row.details) == {"title": "Old decree"}
    with svc.engine.connect() as conn:
        for sql in ("UPDATE staff_audit SET actor = 'someone else'", "DELETE FROM staff_audit"):
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text(sql))
    assert svc.audit_entries(5)[0].actor == "901"


def test_stats_counts_days_in_the_local_time_zone(svc: StaffService) -> None:
    add_query(svc, datetime(2026, 11, 23, 16, 59, tzinfo=UTC))  # 23:59 local on the 23rd: outside
    add_query(svc, datetime(2026, 11, 23, 17, 0, tzinfo=UTC), docs=("d1", "d2"), feedback=1)  # 00:00 on the 24th
    add_query(svc, datetime(2026, 11, 24, 18, 0, tzinfo=UTC), lang="ru", abstained=True)  # 01:00 on the 25th
    add_query(svc, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), docs=("d1",), feedback=-1, question="giờ mở cửa")
    add_query(svc, datetime(2026, 11, 25, 9, 30, tzinfo=UTC), docs=("d2",), resolved=True, abstained=True,
              question="Giờ mở cửa?")
    s = svc.stats(2)
    assert (s["from"], s["to"]) == ("2026-11-24", "2026-11-25")
    assert s["per_day"] == [{"date": "2026-11-24", "total": 1, "by_lang": {"vi": 1}},
                            {"date": "2026-11-25", "total": 3, "by_lang": {"ru": 1, "vi": 2}}]
    q = s["questions"]
    assert (q["total"], q["answered"], q["abstained"], q["answered_rate"]) == (4, 2, 2, 0.5)
    assert q["by_lang"] == {"vi": 3, "ru": 1} and q["unanswered_open"] == 2
    assert s["feedback"] == {"up": 1, "down": 1, "ratio": 0.5}
    assert s["top_documents"] == [{"doc_id": "d1", "title": None, "answers": 2}]
    assert s["top_topics"] == [{"question": "giờ mở cửa", "lang": "vi", "count": 2},  # the most recent first
                               {"question": "q", "lang": "vi", "count": 2}]
    assert s["eligibility"] is None or s["eligibility"]["total"] == 0


def test_stats_empty_period_and_bad_days(svc: StaffService) -> None:
    s = svc.stats(1)
    assert s["questions"]["total"] == 0 and s["questions"]["answered_rate"] is None
    assert s["feedback"]["ratio"] is None and len(s["per_day"]) == 1
    json.dumps(s)  # JSON-ready
    for bad in (0, -1, 5000):
        with pytest.raises(ValidationError):
            svc.stats(bad)


def test_stats_include_bookings_and_eligibility(svc: StaffService) -> None:
    naive = NOW
    with Session(svc.engine) as s:
        room = Room(name="hall", capacity=30)
        s.add(room)
        s.flush()
        for status in ("pending", "pending", "approved"):
            s.add(Booking(room_id=room.id or 0, start_utc=naive, end_utc=naive, status=status, org="NGO",
                          contact_name="A", phone="1", attendees=5, purpose="x", created_at=naive))
        for program, outcome in (("vn-poverty", "poor"), ("vn-poverty", "not_poor"), ("kz-asp", "eligible")):
            s.add(EligibilityResult(created_at=naive, channel="telegram", user_hash="h", program=program,
                                    version="v", outcome=outcome, lang="vi", check_date=naive.date()))
        s.commit()
    st = svc.stats(7)
    assert st["bookings"] == {"total": 3, "by_status": {"pending": 2, "approved": 1}}
    assert st["eligibility"]["by_outcome"] == {"poor": 1, "not_poor": 1, "eligible": 1}
    assert st["eligibility"]["by_program"]["vn-poverty"] == {"poor": 1, "not_poor": 1}


def test_unanswered_lists_open_abstained_and_downvoted_only(svc: StaffService) -> None:
    a = add_query(svc, NOW, abstained=True, question="giờ mở cửa nhà NGO")
    add_query(svc, NOW, abstained=True, resolved=True, question="giờ mở cửa nhà NGO")
    add_query(svc, NOW, feedback=1, question="tiền điện")
    b = add_query(svc, NOW, feedback=-1, question="tiền điện hộ nghèo")
    add_query(svc, NOW, question="tiền điện hộ nghèo")
    ids = sorted(g.id for g in svc.unanswered())
    assert ids == [a, b]


def test_answer_errors_are_values(svc: StaffService) -> None:
    a = add_query(svc, NOW, abstained=True, question="giờ mở cửa nhà NGO")
    with pytest.raises(ValidationError) as err:
        svc.answer(a, "  …  ", actor="901")
    assert err.value.code == "staff.empty_answer"
    with pytest.raises(ValidationError):
        svc.answer(a, "x" * 5000, actor="901")
    with pytest.raises(NotFound):
        svc.answer(a + 100, "8 giờ", actor="901")
    with pytest.raises(ValidationError):
        svc.answer("abc", "8 giờ", actor="901")
    assert len(svc.unanswered()) == 1


def test_answer_stores_a_qa_entry_and_relays_once_per_chat(svc: StaffService) -> None:
    a = add_query(svc, NOW, abstained=True, question="Nhà NGO mở cửa mấy giờ?", user="u1")
    b = add_query(svc, NOW, abstained=True, question="nha NGO mo cua may gio", user="u1")
    assert svc.opt_in(a, "u1", "telegram", "1", "vi") and svc.opt_in(b, "u1", "telegram", "1", "vi")
    assert svc.opt_in(a, "u1", "telegram", "1", "vi")  # twice is fine
    assert not svc.opt_in(a, "someone else", "telegram", "2", "vi")
    with Session(svc.engine) as s:
        s.add(Handoff(channel="zalo_bot", chat_id="z9", lang="ru", query_ref=svc.pseudonyms.ref("q", b)))
        s.commit()
    result = svc.answer(f"G{a}", "Từ 8 giờ đến 17 giờ.", actor="901", channel="telegram")
    assert result.resolved == 2 and result.doc_id == f"qa-{a}"
    assert sorted((r.channel, r.chat_id, r.lang) for r in result.relays) == [
        ("telegram", "1", "vi"), ("zalo_bot", "z9", "ru")]
    doc = svc.kb.get(result.doc_id)
    assert doc is not None and doc.kind == "qa" and doc.title == "Nhà NGO mở cửa mấy giờ?"
    assert doc.added_by == "901" and doc.source.startswith("staff:901:2026-11-25")
    assert svc.unanswered() == []
    svc.mark_relayed(result.relays)
    assert svc.pending_relays() == []
    assert svc.audit_entries(1)[0].action == "answer"
