"""Zalo OA as it really charges and refuses (issue 13): free replies vs proactive messages, -230 on
a reminder, a scheduled token refresh across two replicas, files, anonymous users.

The fake (tests/fakes/zalo_api.py) follows Zalo's OA API v3 documentation: a reply cites the
user's incoming `message_id` (`recipient.message_id`, free: `quota.quota_type == "reply"`, 8 per
message within 48 hours); a message with only `recipient.user_id` is proactive (-230 when the user
has been silent for 7 days); files go through `v2.0/oa/upload/file` (PDF/DOC/DOCX/CSV only).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bookings.service import Requester
from bot.channels.zalo_oa_channel import to_incoming
from bot.channels.zalo_oa_keeper import TokenKeeper
from bot.hub import Hub
from bot.metrics import Metrics
from bot.outbox import OutboxWorker
from bot.scheduler import ReminderScheduler
from bot.zalo_tokens import ZaloOAToken
from handlers.i18n import Catalog
from handlers.messages import OutgoingDocument, Reply, Target
from handlers.outbox import Outbox
from handlers.staff.stats import compute_stats
from handlers.usage import UsageCounter
from tests.e2e.test_zalo_oa import Replica, event, post, signed, texts
from tests.fakes.booking_support import FakeClock, ask, make_service
from tests.fakes.schema import migrated_sqlite
from tests.fakes.zalo_api import FakeZalo


@pytest.fixture()
async def fake() -> AsyncIterator[FakeZalo]:
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def test_answers_go_out_as_free_replies_then_as_proactive_messages(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    r.channel.usage = UsageCounter(r.engine)
    try:
        body = event("/help", user="u1", msg_id="in-1")
        assert (await post(r.url, body, signed(body), fake))[0] == 200
        await r.channel.drain()
        assert len(texts(fake, "u1")) == 2 and fake.oa_quota == {"reply": 2}  # help + menu: both free
        for i in range(7):  # the 48-hour allowance is 8 replies per incoming message
            await r.channel.send("u1", Reply(f"thêm {i}"))
        assert fake.oa_quota == {"reply": 8, "sub_quota": 1}  # the 9th message is a proactive one
        assert r.hub.metrics["zalo_oa_quota_total:reply"] == 8
        assert r.hub.metrics["zalo_oa_quota_total:sub_quota"] == 1
        scrape = Metrics(r.hub).render()[0].decode()  # the same counts on /metrics
        assert 'civicbot_zalo_oa_quota_total{kind="reply"} 8.0' in scrape
        fake.user_message("u1", "in-2", at=time.time() - 49 * 3600)  # an old message: no free reply
        r.channel.window.seen("u1", "in-2", at=time.time() - 49 * 3600)
        await r.channel.send("u1", Reply("sau 48 giờ"))
        assert fake.oa_quota["sub_quota"] == 2 and texts(fake, "u1")[-1] == "sau 48 giờ"
        stats = compute_stats(r.engine, days=1, now=datetime.now(UTC), timezone="Asia/Ho_Chi_Minh")
        assert stats["messenger_usage"] == {"zalo_oa": {"reply": 8, "sub_quota": 2}}  # /stats, all replicas
    finally:
        await r.stop()


async def test_minus_230_on_a_reminder_is_recorded_staff_told_never_retried(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    clock = FakeClock()
    svc = make_service(migrated_sqlite(tmp_path / "bk.sqlite"), clock)
    [booking] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00",
                    requester=Requester("zalo_oa", "u-old", "u-old", "vi"))
    svc.approve(booking.id or 0, "staff")
    fake.user_message("u-old", "m-old", at=time.time() - 8 * 86400)  # silent for 8 days
    fake.user_message("staff-1", "m-staff")  # the staff chat is an OA user who wrote today
    staff = Target("zalo_oa", "staff-1")
    scheduler = ReminderScheduler(svc, r.hub.notify, [24, 2], clock=clock, staff_target=staff, staff_lang="vi")
    start = svc.get(booking.id or 0).start_utc
    try:
        assert await scheduler.tick(start - timedelta(hours=24)) == []  # not sent ...
        [row] = svc.reminder_rows(booking.id or 0)
        assert row.status == "undelivered"  # ... but recorded as undeliverable
        assert texts(fake, "u-old") == []
        [note] = texts(fake, "staff-1")
        reason = Catalog.load().t("vi", "zalo.reason_no_interaction_7d")
        assert f"#{booking.id}" in note and reason in note
        calls = fake.calls["oa_send"]
        assert await scheduler.tick(start - timedelta(hours=23)) == []
        assert fake.calls["oa_send"] == calls  # nothing retried
    finally:
        await r.stop()


async def test_scheduled_refresh_across_two_replicas_refreshes_once(tmp_path: Path, fake: FakeZalo) -> None:
    a = await Replica(tmp_path, fake).start()
    b = await Replica(tmp_path, fake).start()
    try:
        with Session(a.engine) as s:  # the stored access token expires in 30 minutes
            row = s.get(ZaloOAToken, fake.app_id)
            assert row is not None
            row.expires_at = datetime.now(UTC) + timedelta(minutes=30)
            s.add(row)
            s.commit()
        stale = a.store.status().access_token
        outcomes = await asyncio.gather(TokenKeeper(a.channel).check(), TokenKeeper(b.channel).check())
        # whichever replica comes second finds the stored token already renewed ("fresh") or renews
        # under the row lock and gets the first one's result ("refreshed"): Zalo is called once
        assert "refreshed" in outcomes and set(outcomes) <= {"refreshed", "fresh"} and fake.refreshes == 1
        await asyncio.gather(a.channel.refresh(stale), b.channel.refresh(stale))  # both hold the old token
        assert fake.refreshes == 1
        assert await TokenKeeper(a.channel).check() == "fresh"
        status = a.store.status()
        assert status.access_token == fake.access_token and status.expires_at is not None
        await b.channel.send("u1", Reply("sau khi làm mới"))  # b uses the refreshed token, no -216
        assert fake.refreshes == 1 and texts(fake)[-1] == "sau khi làm mới"
    finally:
        await a.stop()
        await b.stop()


async def test_staff_warned_when_no_refresh_succeeded_for_60_days(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    notes: list[tuple[str, dict[str, object]]] = []

    async def alert(key: str, params: dict[str, object]) -> None:
        notes.append((key, params))

    try:
        fake.refresh_token = "revoked"  # every refresh now fails
        with Session(r.engine) as s:
            row = s.get(ZaloOAToken, fake.app_id)
            assert row is not None
            row.updated_at = datetime.now(UTC) - timedelta(days=61)
            row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
            s.add(row)
            s.commit()
        keeper = TokenKeeper(r.channel, alert)
        assert await keeper.check() == "failed"
        assert [k for k, _ in notes] == ["zalo.oa_refresh_failed", "zalo.oa_refresh_stale"]
        assert notes[1][1]["days"] == 61
        await keeper.check()
        assert len(notes) == 2  # told once a day, not on every check
    finally:
        await r.stop()


async def test_files_upload_then_send_and_ics_as_text(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        pdf = OutgoingDocument("huong-dan.pdf", b"%PDF-1.4 fake", "application/pdf")
        await r.channel.send("u1", Reply("Tài liệu:", document=pdf))
        assert fake.calls["oa_upload"] == 1 and texts(fake, "u1")[-1] == "[file huong-dan.pdf]"
        ics = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Phòng họp lớn\r\nDTSTART:20261203T050000Z\r\n"
               "DTEND:20261203T070000Z\r\nLOCATION:Дом НПО\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
        await r.channel.send("u1", Reply("Lịch:", document=OutgoingDocument("booking-7.ics", ics, "text/calendar")))
        assert fake.calls["oa_upload"] == 1  # Zalo takes no .ics: its content goes out as text
        last = texts(fake, "u1")[-1]
        assert "booking-7.ics" in last and "Summary: Phòng họp lớn" in last and "Dtstart: 20261203T050000Z" in last
    finally:
        await r.stop()


async def test_anonymous_users_are_answered_in_their_conversation(tmp_path: Path, fake: FakeZalo) -> None:
    r = await Replica(tmp_path, fake).start()
    try:
        anon = {"event_name": "anonymous_send_text", "sender": {"id": "anon-5"},
                "message": {"text": "bảo hiểm cho hộ nghèo?", "msg_id": "a1", "conversation_id": "conv-9"}}
        msg = to_incoming(anon)
        assert msg is not None and msg.chat_id == "anon:anon-5:conv-9" and msg.kind == "text"
        await r.hub.process(msg)
        assert any("Nghị định 75/2023" in t for t in texts(fake, "anon:anon-5:conv-9"))
        for name in ("anonymous_send_image", "user_send_audio", "user_send_location"):
            other = to_incoming({"event_name": name, "sender": {"id": "u3"},
                                 "message": {"msg_id": "x", "conversation_id": "c"}})
            assert other is not None and other.kind in ("photo", "voice", "location")
    finally:
        await r.stop()



async def test_minus_230_through_the_outbox_marks_the_row_and_tells_staff(tmp_path: Path, fake: FakeZalo) -> None:
    """Under `civicbot run` reminders go through the durable outbox: the worker records the refusal
    (never retried) and queues a note to the staff chat, which is delivered like any reply."""
    r = await Replica(tmp_path, fake).start()
    outbox = Outbox(r.engine)
    hub = Hub(r.hub.dialog, outbox=outbox)
    hub.register(r.channel)
    clock = FakeClock()
    svc = make_service(migrated_sqlite(tmp_path / "bk.sqlite"), clock)
    [booking] = ask(svc, "2026-12-03T10:00", "2026-12-03T12:00",
                    requester=Requester("zalo_oa", "u-old", "u-old", "vi"))
    svc.approve(booking.id or 0, "staff")
    fake.user_message("u-old", "m-old", at=time.time() - 8 * 86400)
    fake.user_message("staff-1", "m-staff")
    scheduler = ReminderScheduler(svc, hub.notify, [24, 2], clock=clock)
    worker = OutboxWorker(outbox, hub, idle_s=0.05, staff_target=Target("zalo_oa", "staff-1"), staff_lang="ru")
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        start = svc.get(booking.id or 0).start_utc
        assert await scheduler.tick(start - timedelta(hours=24)) == [(booking.id, 1440)]  # queued durably
        deadline = time.monotonic() + 10
        while not texts(fake, "staff-1") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        [note] = texts(fake, "staff-1")
        assert f"#{booking.id}" in note and Catalog.load().t("ru", "zalo.reason_no_interaction_7d") in note
        with r.engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT chat_id, status FROM outbox")).all())
        assert statuses == {"u-old": "undeliverable", "staff-1": "sent"} and texts(fake, "u-old") == []
        sends = fake.calls["oa_send"]
        await asyncio.sleep(0.5)
        assert fake.calls["oa_send"] == sends  # the refused reminder is not retried
    finally:
        stop.set()
        await running
        hub.close()
        await r.stop()
