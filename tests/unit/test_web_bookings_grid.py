"""The console's calendars as data: the week of one room and the day of every room, in half-hour
rows, on the real schema (SQLite). "Now" is Tuesday 1 December 2026, 11:00 in Almaty (UTC+5)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.web.pages.bookings_grid import Column, day_view, week_view
from knowledge.errors import CivicError
from tests.unit.web_bookings_support import World, make_world


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(tmp_path, monkeypatch)


def _rows_add_up(column: Column, n: int) -> None:
    """Every table row of the column is either the start of a cell or covered by a cell above."""
    spans = [c.span for c in column.cells if c.kind != "covered"]
    assert sum(spans) == n and len(column.cells) == n


def test_week_of_one_room(world: World) -> None:
    thu = world.book("2026-12-03T10:00", "2026-12-03T12:00")
    fri = world.book("2026-12-04T13:30", "2026-12-04T14:15", chat="77")
    world.svc.approve(fri.id, "telegram:9001")
    gone = world.book("2026-12-03T15:00", "2026-12-03T16:00", chat="78")
    world.svc.cancel(gone.id, "telegram:9001")
    world.svc.close_day("hall", date(2026, 12, 5), "Holiday")

    view = week_view(world.svc, "hall", date(2026, 12, 3), "ru")
    assert view.week_start == date(2026, 11, 30) and view.week_end == date(2026, 12, 6)
    assert (view.prev_week, view.next_week) == (date(2026, 11, 23), date(2026, 12, 7))
    assert view.today == date(2026, 12, 1)
    assert view.room.label == "Большой зал"
    grid = view.grid
    assert grid.slots[0] == "09:00" and grid.slots[-1] == "17:30" and len(grid.slots) == 18
    assert [c.day.day for c in grid.columns] == [30, 1, 2, 3, 4, 5, 6]
    for column in grid.columns:
        _rows_add_up(column, len(grid.slots))

    thursday = grid.columns[3]
    assert [e.id for e in thursday.entries] == [thu.id]  # the cancelled one is not in the calendar
    cell = thursday.cells[2]
    assert (cell.kind, cell.span, [e.id for e in cell.entries]) == ("booking", 4, [thu.id])
    assert [c.kind for c in thursday.cells[3:6]] == ["covered"] * 3
    assert {c.kind for c in thursday.cells[6:]} == {"free"}

    friday = grid.columns[4]
    assert (friday.cells[9].kind, friday.cells[9].span) == ("booking", 2)  # 13:30-14:15 → two rows
    assert friday.entries[0].status == "approved"
    assert friday.entries[0].start == datetime(2026, 12, 4, 13, 30)  # house time, not UTC

    saturday, sunday = grid.columns[5], grid.columns[6]
    assert saturday.closed and saturday.closure_reason == "Holiday"
    assert (saturday.cells[0].kind, saturday.cells[0].span) == ("closed", 18)  # one cell for the day
    assert {c.kind for c in saturday.cells[1:]} == {"covered"}
    assert sunday.hours is None and (sunday.cells[0].kind, sunday.cells[0].span) == ("shut", 18)
    assert grid.columns[0].hours == ("09:00", "18:00")


def test_bookings_sharing_a_half_hour_share_one_cell(world: World) -> None:
    a = world.book("2026-12-03T10:00", "2026-12-03T10:15")
    b = world.book("2026-12-03T10:15", "2026-12-03T11:00", chat="77")
    c = world.book("2026-12-03T11:00", "2026-12-03T11:30", chat="78")
    thursday = week_view(world.svc, "hall", date(2026, 12, 3), "en").grid.columns[3]
    first = thursday.cells[2]
    assert first.kind == "booking" and first.span == 2 and [e.id for e in first.entries] == [a.id, b.id]
    assert thursday.cells[3].kind == "covered"
    assert [e.id for e in thursday.cells[4].entries] == [c.id] and thursday.cells[4].span == 1
    _rows_add_up(thursday, 18)


def test_rows_stretch_to_the_longest_opening_and_to_any_booking(world: World) -> None:
    world.svc.add_room("late", 15, hours="08:00-21:00", days="all", min_notice_hours=1)
    world.book("2026-12-03T19:00", "2026-12-03T21:00", room="late")
    grid = day_view(world.svc, date(2026, 12, 3), "en").grid
    assert (grid.slots[0], grid.slots[-1]) == ("08:00", "20:30")
    hall, late = grid.columns
    assert (hall.cells[0].kind, hall.cells[0].span) == ("shut", 2)  # 08:00-09:00 closed, then open
    assert hall.cells[1].kind == "covered" and hall.cells[2].kind == "free"
    assert (hall.cells[20].kind, hall.cells[20].span) == ("shut", 6)  # 18:00-21:00
    _rows_add_up(hall, len(grid.slots))
    _rows_add_up(late, len(grid.slots))
    assert late.cells[-4].kind == "booking" and late.cells[-4].span == 4


def test_day_of_every_room_side_by_side(world: World) -> None:
    world.svc.add_room("small", 16, hours="09:00-18:00", days="mon-fri", name_vi="Phòng nhỏ", min_notice_hours=1)
    world.svc.add_room("old", 16, hours="09:00-18:00", days="mon-fri")
    world.svc.update_room("old", active=False)
    in_hall = world.book("2026-12-03T10:00", "2026-12-03T11:00")
    in_small = world.book("2026-12-03T10:00", "2026-12-03T12:30", room="small", chat="55", lang="vi")
    world.book("2026-12-04T10:00", "2026-12-04T11:00", room="small", chat="56")  # another day

    view = day_view(world.svc, date(2026, 12, 3), "vi")
    assert [r.name for r in view.rooms] == ["hall", "small"]  # the inactive room without bookings is left out
    assert [c.room.label for c in view.grid.columns] == ["Phòng họp lớn", "Phòng nhỏ"]
    hall, small = view.grid.columns
    assert [e.id for e in hall.entries] == [in_hall.id] and [e.id for e in small.entries] == [in_small.id]
    assert small.cells[2].span == 5 and small.entries[0].lang == "vi" and small.entries[0].notifiable
    assert (view.prev_day, view.next_day, view.week_start) == (date(2026, 12, 2), date(2026, 12, 4),
                                                               date(2026, 11, 30))


def test_an_inactive_room_with_bookings_still_shows_them(world: World) -> None:
    b = world.book("2026-12-03T10:00", "2026-12-03T11:00")
    world.svc.update_room("hall", active=False)
    view = day_view(world.svc, date(2026, 12, 3), "en")
    assert [c.room.name for c in view.grid.columns] == ["hall"]
    assert view.grid.columns[0].entries[0].id == b.id


def test_a_day_with_every_room_closed_still_has_rows(world: World) -> None:
    grid = day_view(world.svc, date(2026, 12, 6), "en").grid  # Sunday: the hall is closed
    assert (grid.slots[0], grid.slots[-1]) == ("09:00", "17:30")
    assert (grid.columns[0].cells[0].kind, grid.columns[0].cells[0].span) == ("shut", 18)


def test_unknown_room_is_refused_by_the_service(world: World) -> None:
    with pytest.raises(CivicError) as info:
        week_view(world.svc, "nowhere", date(2026, 12, 3), "en")
    assert info.value.code == "booking.room_not_found"
    assert week_view(world.svc, None, date(2026, 12, 3), "en").room.name == "hall"  # no room: the first one
