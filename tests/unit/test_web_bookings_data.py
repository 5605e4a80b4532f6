"""The pending queue, a booking's details and history, closures: console views on the real schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.web.pages import bookings_actions as act
from bot.web.pages.bookings_data import closure_impact, closures_ahead, details, pending_count, queue
from knowledge.errors import CivicError
from tests.unit.web_bookings_support import STAFF, World, make_world


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(tmp_path, monkeypatch)


def test_queue_lists_pending_bookings_not_over_yet_soonest_first(world: World) -> None:
    later = world.book("2026-12-10T10:00", "2026-12-10T11:00")
    soon = world.book("2026-12-02T12:00", "2026-12-02T13:00", chat="77")
    done = world.book("2026-12-03T10:00", "2026-12-03T11:00", chat="78")
    world.svc.approve(done.id, STAFF)
    series = world.book("2026-12-04T15:00", "2026-12-04T16:00", chat="79", repeat_weeks=3)

    q = queue(world.svc, "ru")
    assert [i.entry.id for i in q.items] == [soon.id, series[0].id, later.id, series[1].id, series[2].id]
    assert q.total == 5
    assert [i.series_size for i in q.items] == [1, 3, 1, 3, 3]
    assert all(i.can_approve for i in q.items)
    first = q.items[0].entry
    assert (first.room, first.org, first.contact, first.attendees) == ("Большой зал", "Green Steppe", "Aigerim", 10)
    assert f"{first.start:%d.%m %H:%M}-{first.end:%H:%M}" == "02.12 12:00-13:00"

    world.clock.advance(hours=25, minutes=30)  # 12:30 on the 2nd: the first one has started
    q = queue(world.svc, "ru")
    assert q.items[0].entry.id == soon.id and not q.items[0].can_approve
    world.clock.advance(hours=1)  # over: it leaves the queue
    assert soon.id not in [i.entry.id for i in queue(world.svc, "ru").items]
    assert pending_count(world.svc) == 4


def test_queue_pages(world: World) -> None:
    made = world.book("2026-12-03T10:00", "2026-12-03T11:00", repeat_weeks=5)
    first, second, third = (queue(world.svc, "en", page=n, per_page=2) for n in (1, 2, 3))
    assert [[i.entry.id for i in q.items] for q in (first, second, third)] == [
        [made[0].id, made[1].id], [made[2].id, made[3].id], [made[4].id]]
    assert (first.total, first.pages, first.first, third.first) == (5, 3, 1, 5)
    assert queue(world.svc, "en", page=99, per_page=2).page == 3  # past the end: the last page
    assert queue(world.svc, "en", page=0, per_page=2).page == 1
    world.svc.reject(made[0].id, STAFF)
    assert pending_count(world.svc) == 4 and queue(world.svc, "en").first == 1


def test_details_tell_the_whole_story(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T12:00")
    world.clock.advance(minutes=5)
    act.approve(world.desk, b.id)
    world.clock.advance(minutes=5)
    with pytest.raises(CivicError):
        act.approve(world.desk, b.id)  # refused: already approved
    world.clock.advance(minutes=5)
    act.cancel(world.desk, b.id, "Water leak")

    d = details(world.svc, b.id, "en")
    assert d.entry.status == "cancelled" and d.cancel_reason == "Water leak" and d.cancelled_by == STAFF
    assert d.decided_by == STAFF and d.decided_at is not None
    assert not (d.can_approve or d.can_reject or d.can_cancel)
    story = [(e.source, e.event, e.outcome) for e in d.history]
    assert story == [
        ("log", "request", "created"),
        ("log", "approve", "done"), ("notice", "approved", "pending"), ("audit", "booking_approve", "ok"),
        ("log", "approve", "refused"), ("audit", "booking_approve", "failed"),
        ("log", "cancel", "done"), ("notice", "cancelled", "pending"), ("audit", "booking_cancel", "ok"),
    ]
    refused = d.history[4]
    assert refused.code == "booking.bad_status" and refused.actor == STAFF
    assert d.history[5].detail == "via: web, code: booking.bad_status" and d.history[5].actor == STAFF
    assert d.history[0].actor == "telegram:4242"  # the requester
    assert d.history[-1].detail == "via: web, notified: 1"
    assert [e.at.strftime("%H:%M") for e in d.history] == ["11:00", *["11:05"] * 3, *["11:10"] * 2, *["11:15"] * 3]


def test_details_of_a_series_member_show_the_request_and_the_series(world: World) -> None:
    made = world.book("2026-12-03T10:00", "2026-12-03T11:00", repeat_weeks=3)
    world.svc.approve(made[0].id, STAFF)
    d = details(world.svc, made[1].id, "en")
    assert [e.id for e in d.series] == [made[0].id, made[2].id]
    assert [(e.event, e.outcome) for e in d.history] == [("request", "created")]  # not the sibling's approval
    assert d.can_approve and d.can_reject and d.can_cancel


def test_details_of_an_unknown_booking_are_refused(world: World) -> None:
    with pytest.raises(CivicError) as info:
        details(world.svc, 999, "en")
    assert info.value.code == "booking.not_found"


def test_closure_impact_lists_the_active_bookings_of_that_day(world: World) -> None:
    a = world.book("2026-12-03T10:00", "2026-12-03T11:00")
    b = world.book("2026-12-03T14:00", "2026-12-03T15:00", chat=None)  # from the CLI: nobody to tell
    world.svc.approve(b.id, STAFF)
    gone = world.book("2026-12-03T16:00", "2026-12-03T17:00", chat="78")
    world.svc.reject(gone.id, STAFF)
    world.book("2026-12-04T10:00", "2026-12-04T11:00", chat="79")  # another day

    impact = closure_impact(world.svc, "hall", date(2026, 12, 3), "ru")
    assert [e.id for e in impact.hits] == [a.id, b.id]
    assert impact.notifiable == 1 and not impact.already_closed and impact.room.name == "hall"
    assert closure_impact(world.svc, "hall", date(2026, 12, 7), "ru").hits == ()


def test_closures_ahead_from_today_on(world: World) -> None:
    world.svc.close_day("hall", date(2026, 12, 24), "Staff party")
    world.svc.close_day("hall", date(2026, 12, 5), None)
    world.svc.close_day("hall", date(2026, 11, 20), "Past")
    rows = closures_ahead(world.svc, "vi")
    assert [(r.day, r.reason, r.room.label) for r in rows] == [
        (date(2026, 12, 5), None, "Phòng họp lớn"), (date(2026, 12, 24), "Staff party", "Phòng họp lớn")]
    impact = closure_impact(world.svc, "hall", date(2026, 12, 24), "en")
    assert impact.already_closed and impact.reason == "Staff party"
