"""The Unanswered page's groups and actions run the chat's code (real SQLite, knowledge base, outbox):
an answer becomes a curated staff answer relayed to the users who asked to be told; a dismissal is
`civicbot unanswered dismiss`; refusals write nothing and are audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.web.staff_ctx import StaffActions
from bot.web.unanswered_data import answer_group, dismiss_group, groups
from handlers.i18n import Catalog
from handlers.outbox import TABLE as OUTBOX
from tests.unit.web_kb_support import STAFF_ACTOR, STAFF_CHAT, make_app

QUESTION = "Hồ bơi Thủ Đức mở cửa mấy giờ?"


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return make_app(tmp_path, monkeypatch)


def ask(app, user: str, question: str, lang: str = "vi") -> int:  # type: ignore[no-untyped-def]
    return int(app.logs.log_query(channel="telegram", user_hash=f"hash-{user}", lang=lang, question=question,
                                  top_doc_ids=[], confidence=0.1, abstained=True, latency_ms=3.0))


def outbox(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as conn:
        rows = conn.execute(select(OUTBOX.c.channel, OUTBOX.c.chat_id, OUTBOX.c.payload)).all()
    return [(c, chat, json.loads(p)["text"]) for c, chat, p in rows]


def test_groups_answer_and_relay(app) -> None:  # type: ignore[no-untyped-def]
    first = ask(app, "1", QUESTION)
    ask(app, "2", "ho boi thu duc mo cua may gio")
    ask(app, "3", "Как получить справку о доходах?", "ru")
    assert app.staff.opt_in(first, "hash-1", "telegram", "1001", "vi")
    rows = groups(app.staff, "Asia/Ho_Chi_Minh")
    group = next(g for g in rows if g.question == QUESTION)
    assert (group.id, group.count, group.users, group.waiting, group.abstained) == (first, 2, 2, 1, 2)
    assert group.wordings == ["ho boi thu duc mo cua may gio"]
    actions = StaffActions(app, None, Catalog.load())
    done = answer_group(actions, STAFF_ACTOR, "en", group.id, "Từ 6 giờ đến 20 giờ mỗi ngày.")
    assert done.ok and done.relayed == 1 and done.message.startswith("✅ Answer saved")
    sent = outbox(app)
    relay = [t for c, chat, t in sent if (c, chat) == ("telegram", "1001")]
    assert len(relay) == 1 and QUESTION in relay[0] and "Từ 6 giờ đến 20 giờ" in relay[0]
    assert any(chat == STAFF_CHAT and STAFF_ACTOR in t for _, chat, t in sent)  # the staff chat's note
    assert [g.question for g in groups(app.staff, "Asia/Ho_Chi_Minh")] == ["Как получить справку о доходах?"]
    qa = next(d for d in app.kb.list_documents() if d.kind == "qa")
    assert qa.title == QUESTION and qa.added_by == STAFF_ACTOR
    entry = app.staff.audit_entries(1)[0]
    assert (entry.actor, entry.channel, entry.action, entry.target, entry.outcome) == (
        STAFF_ACTOR, "web", "answer", f"G{group.id}", "ok")
    assert app.staff.pending_relays() == []  # delivered through the outbox, not twice by the runner


def test_refusals_write_nothing(app) -> None:  # type: ignore[no-untyped-def]
    gid = ask(app, "1", QUESTION)
    actions = StaffActions(app, None, Catalog.load())
    empty = answer_group(actions, STAFF_ACTOR, "ru", gid, "  …  ")
    assert not empty.ok and empty.code == "staff.empty_answer" and "пуст" in empty.message
    long = answer_group(actions, STAFF_ACTOR, "en", gid, "x" * 4001)
    assert not long.ok and long.code == "staff.answer_too_long" and "4000" in long.message
    gone = answer_group(actions, STAFF_ACTOR, "vi", 99999, "Có.")
    assert not gone.ok and gone.code == "staff.no_group" and "G99999" in gone.message
    assert [d for d in app.kb.list_documents() if d.kind == "qa"] == [] and outbox(app) == []
    assert [g.id for g in groups(app.staff, "UTC")] == [gid]
    assert [(e.action, e.outcome) for e in app.staff.audit_entries(3)] == [("answer", "failed")] * 3


def test_dismissal_is_the_clis(app) -> None:  # type: ignore[no-untyped-def]
    gid = ask(app, "1", "Con mèo thích ăn gì?")
    actions = StaffActions(app, None, Catalog.load())
    done = dismiss_group(actions, STAFF_ACTOR, "vi", gid)
    assert done.ok and str(gid) in done.message
    assert groups(app.staff, "UTC") == []
    entry = app.staff.audit_entries(1)[0]
    assert (entry.actor, entry.channel, entry.action, entry.target) == (STAFF_ACTOR, "web", "dismiss", f"G{gid}")
    again = dismiss_group(actions, STAFF_ACTOR, "en", gid)
    assert not again.ok and "no longer open" in again.message
    assert app.staff.audit_entries(1)[0].outcome == "failed"
