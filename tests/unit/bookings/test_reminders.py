"""Reminders from the in-bot scheduler: due at 24 h and 2 h, none lost and none twice across a
restart (a new scheduler instance), concurrent schedulers, failed delivery retried, localized text."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bookings.service import BookingService, Requester
from bot.scheduler import ReminderScheduler
from handlers.messages import Reply
from tests.fakes.booking_support import T0, FakeClock, ask


class Outbox:
    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[tuple[str, str, list[Reply]]] = []
        self.fail_times = fail_times

    async def __call__(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("network down")
        self.sent.append((channel, chat_id, list(replies)))


def approved(svc: BookingService, start: str, end: str, lang: str = "vi", user: str = "42") -> int:
    [b] = ask(svc, start, end, requester=Requester("telegram", user, user, lang))
    svc.approve(b.id or 0, "staff")
    return b.id or 0


def scheduler(svc: BookingService, outbox: Outbox, clock: FakeClock) -> ReminderScheduler:
    return ReminderScheduler(svc, outbox, [24, 2], clock=clock)


def test_reminders_survive_restart_none_lost_none_twice(svc: BookingService, clock: FakeClock) -> None:
    bid = approved(svc, "2026-12-03T10:00", "2026-12-03T12:00")  # starts 05:00 UTC on 3 Dec
    start = svc.get(bid).start_utc
    outbox = Outbox()
    first = scheduler(svc, outbox, clock)
    assert asyncio.run(first.tick(T0)) == []
    assert asyncio.run(first.tick(start - timedelta(hours=24))) == [(bid, 1440)]
    assert asyncio.run(first.tick(start - timedelta(hours=24, minutes=-1))) == []
    restarted = scheduler(svc, outbox, clock)  # the bot restarted: a fresh scheduler, same database
    assert asyncio.run(restarted.tick(start - timedelta(hours=23))) == []
    assert asyncio.run(restarted.tick(start - timedelta(hours=2))) == [(bid, 120)]
    again = scheduler(svc, outbox, clock)
    assert asyncio.run(again.tick(start - timedelta(hours=1))) == []
    assert [(c, chat) for c, chat, _ in outbox.sent] == [("telegram", "42")] * 2
    text = outbox.sent[0][2][0].text
    assert "Nhắc lịch" in text and f"#{bid}" in text and "10:00" in text
    assert outbox.sent[0][2][0].all_choices()[0].data == f"bk:ics:{bid}"


def test_down_during_both_reminders_sends_only_the_closest(svc: BookingService, clock: FakeClock) -> None:
    bid = approved(svc, "2026-12-03T10:00", "2026-12-03T12:00", lang="ru")
    start = svc.get(bid).start_utc
    outbox = Outbox()
    assert asyncio.run(scheduler(svc, outbox, clock).tick(start - timedelta(minutes=90))) == [(bid, 120)]
    assert "Напоминание" in outbox.sent[0][2][0].text and "90 мин" in outbox.sent[0][2][0].text
    statuses = {r.offset_minutes: r.status for r in svc.reminder_rows(bid)}
    assert statuses == {1440: "skipped", 120: "sent"}
    assert asyncio.run(scheduler(svc, outbox, clock).tick(start - timedelta(minutes=30))) == []


def test_concurrent_schedulers_send_once(svc: BookingService, clock: FakeClock) -> None:
    bid = approved(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    at = svc.get(bid).start_utc - timedelta(hours=2)
    outbox = Outbox()

    async def both() -> list[list[tuple[int, int]]]:
        return list(await asyncio.gather(*(scheduler(svc, outbox, clock).tick(at) for _ in range(4))))

    results = asyncio.run(both())
    assert sorted(x for r in results for x in r) == [(bid, 120)]
    assert len(outbox.sent) == 1


def test_failed_delivery_is_retried(svc: BookingService, clock: FakeClock) -> None:
    bid = approved(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    at = svc.get(bid).start_utc - timedelta(hours=2)
    outbox = Outbox(fail_times=1)
    sched = scheduler(svc, outbox, clock)
    assert asyncio.run(sched.tick(at)) == []
    assert asyncio.run(sched.tick(at + timedelta(minutes=1))) == [(bid, 120)]
    assert len(outbox.sent) == 1


def test_no_reminder_for_pending_cancelled_or_late_approval(svc: BookingService, clock: FakeClock) -> None:
    [pending] = ask(svc, "2026-12-03T10:00", "2026-12-03T11:00", requester=Requester("telegram", "1", "1"))
    cancelled = approved(svc, "2026-12-03T12:00", "2026-12-03T13:00")
    svc.cancel(cancelled, "staff")
    outbox = Outbox()
    at = pending.start_utc - timedelta(hours=1, minutes=30)
    assert asyncio.run(scheduler(svc, outbox, clock).tick(at)) == []
    # approved only 20 h before: the 24 h reminder never applies, the 2 h one does
    [late] = ask(svc, "2026-12-03T15:00", "2026-12-03T16:00", requester=Requester("telegram", "1", "1"))
    clock.now = late.start_utc - timedelta(hours=20)
    svc.approve(late.id or 0, "staff")
    sched = scheduler(svc, outbox, clock)
    assert asyncio.run(sched.tick(late.start_utc - timedelta(hours=20))) == []
    assert asyncio.run(sched.tick(late.start_utc - timedelta(hours=2))) == [(late.id, 120)]


def test_run_loop_stops(svc: BookingService, clock: FakeClock) -> None:
    bid = approved(svc, "2026-12-03T10:00", "2026-12-03T12:00")
    clock.now = svc.get(bid).start_utc - timedelta(hours=2)
    outbox = Outbox()
    sched = ReminderScheduler(svc, outbox, [24, 2], clock=clock, interval_s=0.01)

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(sched.run(stop))
        while not outbox.sent:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, timeout=5)

    asyncio.run(go())
    assert len(outbox.sent) == 1
