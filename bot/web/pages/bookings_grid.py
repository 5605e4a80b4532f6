"""The console's calendars as data: a week of one room, or one day of every room, cut into
half-hour rows of an accessible table (a booking is one cell spanning its rows).

Pure reading: bookings, rooms and closures come from `BookingService` and its tables; every time
is house-local (the service's time zone), as staff read it on the wall clock of the House.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bookings.models import ACTIVE_STATUSES, Booking, Room, RoomClosure
from bookings.rules import fail, opening_hours

if TYPE_CHECKING:
    from bookings.service import BookingService

SLOT_MINUTES = 30
DEFAULT_HOURS = (9 * 60, 18 * 60)
"""Rows shown when no column has opening hours (every room closed that day or week)."""
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    """The short unique name (as in the CLI)."""
    label: str
    """The name in the staff member's language (as the chat shows it)."""
    capacity: int
    active: bool


@dataclass(frozen=True)
class Entry:
    """A booking as the console shows it: house-local times, the room's localized name."""

    id: int
    room_id: int
    room: str
    status: str
    start: datetime
    end: datetime
    org: str
    contact: str
    phone: str
    attendees: int
    purpose: str
    equipment: str
    channel: str
    lang: str
    series_id: str | None
    created: datetime
    notifiable: bool
    """The requester booked from a chat, so decisions and notices reach them."""

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass(frozen=True)
class Cell:
    """One table cell: `booking` (spanning `span` rows, listing its bookings), `free`, `shut`
    (outside opening hours or a closed weekday) and `closed` (a closure date), each run of shut or
    closed rows being one cell, or `covered` (a row taken by a cell above: no markup)."""

    kind: str
    span: int = 1
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Column:
    day: date
    room: RoomInfo
    hours: tuple[str, str] | None
    """Opening hours that day (HH:MM), None on a closed weekday."""
    closed: bool
    closure_reason: str | None
    entries: tuple[Entry, ...]
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Grid:
    slots: tuple[str, ...]
    """Row labels, HH:MM, every SLOT_MINUTES."""
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class WeekView:
    room: RoomInfo
    rooms: tuple[RoomInfo, ...]
    week_start: date
    today: date
    grid: Grid

    @property
    def prev_week(self) -> date:
        return self.week_start - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.week_start + timedelta(days=7)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


@dataclass(frozen=True)
class DayView:
    day: date
    today: date
    rooms: tuple[RoomInfo, ...]
    grid: Grid

    @property
    def prev_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def week_start(self) -> date:
        return monday(self.day)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def room_info(room: Room, lang: str) -> RoomInfo:
    return RoomInfo(id=room.id or 0, name=room.name, label=room.display_name(lang), capacity=room.capacity,
                    active=room.active)


def entry(svc: BookingService, b: Booking, rooms: dict[int, RoomInfo]) -> Entry:
    info = rooms.get(b.room_id)
    return Entry(id=b.id or 0, room_id=b.room_id, room=info.label if info else str(b.room_id), status=b.status,
                 start=svc.to_local(b.start_utc), end=svc.to_local(b.end_utc), org=b.org, contact=b.contact_name,
                 phone=b.phone, attendees=b.attendees, purpose=b.purpose, equipment=b.equipment or "",
                 channel=b.channel, lang=b.lang, series_id=b.series_id, created=svc.to_local(b.created_at),
                 notifiable=bool(b.chat_id))


def all_rooms(svc: BookingService, lang: str) -> dict[int, RoomInfo]:
    return {r.id or 0: room_info(r, lang) for r in svc.list_rooms(include_inactive=True)}


def week_view(svc: BookingService, room_ref: str | int | None, any_day: date, lang: str) -> WeekView:
    """The week (Monday to Sunday) holding `any_day`, for one room (the first active room when
    `room_ref` is None). An unknown room raises `booking.room_not_found`."""
    rooms = all_rooms(svc, lang)
    active = tuple(r for r in rooms.values() if r.active)
    if room_ref is None:
        if not active:
            raise fail("room_not_found", room="")
        room = active[0]
    else:
        room = rooms[svc.get_room(room_ref).id or 0]
    first = monday(any_day)
    days = [first + timedelta(days=i) for i in range(7)]
    booked = _active(svc, first, first + timedelta(days=7), rooms, room_ids={room.id})
    closed = _closures(svc, first, days[-1], {room.id})
    model = svc.get_room(room.id)
    columns = [_column(day, room, model, closed.get((room.id, day)), [e for e in booked if e.day == day])
               for day in days]
    shown = tuple(r for r in rooms.values() if r.active or r.id == room.id)
    return WeekView(room=room, rooms=shown, week_start=first, today=svc.local_now().date(),
                    grid=_grid(columns))


def day_view(svc: BookingService, day: date, lang: str) -> DayView:
    """Every active room side by side on `day` (an inactive room too when it has bookings that day)."""
    rooms = all_rooms(svc, lang)
    booked = _active(svc, day, day + timedelta(days=1), rooms)
    with_bookings = {e.room_id for e in booked}
    shown = [r for r in rooms.values() if r.active or r.id in with_bookings]
    closed = _closures(svc, day, day, {r.id for r in shown})
    models = {r.id or 0: r for r in svc.list_rooms(include_inactive=True)}
    columns = [_column(day, r, models[r.id], closed.get((r.id, day)), [e for e in booked if e.room_id == r.id])
               for r in shown]
    return DayView(day=day, today=svc.local_now().date(), rooms=tuple(shown), grid=_grid(columns))


# ---- building blocks --------------------------------------------------------------------
def _active(svc: BookingService, first: date, stop: date, rooms: dict[int, RoomInfo],
            room_ids: set[int] | None = None) -> list[Entry]:
    start = datetime.combine(first, time(0))
    end = datetime.combine(stop, time(0))
    rows = svc.list_bookings(status=",".join(ACTIVE_STATUSES), start=start, end=end, limit=10_000)
    return [entry(svc, b, rooms) for b in rows if room_ids is None or b.room_id in room_ids]


def _closures(svc: BookingService, first: date, last: date,
              room_ids: Iterable[int]) -> dict[tuple[int, date], str | None]:
    """(room id, day) → the closure's reason ("" when none was given)."""
    ids = list(room_ids)
    if not ids:
        return {}
    with Session(svc.engine) as s:
        rows = s.exec(select(RoomClosure).where(
            RoomClosure.day >= first, RoomClosure.day <= last,
            RoomClosure.room_id.in_(ids))  # type: ignore[attr-defined]
        ).all()
    return {(r.room_id, r.day): (r.reason or "") for r in rows}


def _column(day: date, room: RoomInfo, model: Room, closure: str | None, entries: Sequence[Entry]) -> Column:
    span = opening_hours(model, day)
    hours = None if span is None else (f"{span[0]:%H:%M}", _hhmm(span[1], day))
    return Column(day=day, room=room, hours=hours, closed=closure is not None, closure_reason=closure or None,
                  entries=tuple(sorted(entries, key=lambda e: (e.start, e.id))), cells=())


def _hhmm(value: datetime, day: date) -> str:
    return "24:00" if value.date() != day else f"{value:%H:%M}"


def _minutes(value: str) -> int:
    hh, mm = value.split(":")
    return int(hh) * 60 + int(mm)


def _span_of(e: Entry, day: date) -> tuple[int, int]:
    """A booking's minutes within `day` (clipped to the day)."""
    midnight = datetime.combine(day, time(0))
    a = int((e.start - midnight).total_seconds() // 60)
    b = int((e.end - midnight).total_seconds() // 60)
    return max(0, a), min(DAY_MINUTES, max(b, a + 1))


def _grid(columns: list[Column]) -> Grid:
    lo, hi = DAY_MINUTES, 0
    for c in columns:
        if c.hours is not None:
            lo, hi = min(lo, _minutes(c.hours[0])), max(hi, _minutes(c.hours[1]))
        for e in c.entries:
            a, b = _span_of(e, c.day)
            lo, hi = min(lo, a), max(hi, b)
    if lo >= hi:
        lo, hi = DEFAULT_HOURS
    lo = lo // SLOT_MINUTES * SLOT_MINUTES
    hi = -(-hi // SLOT_MINUTES) * SLOT_MINUTES
    starts = list(range(lo, hi, SLOT_MINUTES))
    filled = tuple(_fill(c, starts) for c in columns)
    labels = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in starts)
    return Grid(slots=labels, columns=filled)


def _fill(c: Column, starts: list[int]) -> Column:
    """The column's cells, one per row: bookings whose rows touch are merged into one cell."""
    n, lo = len(starts), starts[0]
    groups: list[tuple[int, int, list[Entry]]] = []
    for e in c.entries:
        a, b = _span_of(e, c.day)
        first, last = (a - lo) // SLOT_MINUTES, -(-(b - lo) // SLOT_MINUTES)
        first, last = max(0, first), min(n, max(last, first + 1))
        if groups and first < groups[-1][1]:
            g0, g1, members = groups[-1]
            groups[-1] = (g0, max(g1, last), [*members, e])
        else:
            groups.append((first, last, [e]))
    opening = (_minutes(c.hours[0]), _minutes(c.hours[1])) if c.hours else None
    kinds: list[str | tuple[int, int, list[Entry]]] = []
    at = {g[0]: g for g in groups}
    covered = 0
    for i, minute in enumerate(starts):
        if i in at:
            kinds.append(at[i])
            covered = at[i][1]
        elif i < covered:
            kinds.append("covered")
        elif c.closed:
            kinds.append("closed")
        elif opening is None or not opening[0] <= minute < opening[1]:
            kinds.append("shut")
        else:
            kinds.append("free")
    cells: list[Cell] = []
    for i, kind in enumerate(kinds):
        if isinstance(kind, tuple):
            cells.append(Cell("booking", span=kind[1] - kind[0], entries=tuple(kind[2])))
        elif kind in ("closed", "shut") and i > 0 and kinds[i - 1] == kind:
            cells.append(Cell("covered"))  # a run of closed rows is one cell
        elif kind in ("closed", "shut"):
            run = next((j for j in range(i, n) if kinds[j] != kind), n) - i
            cells.append(Cell(kind, span=run))
        else:
            cells.append(Cell(str(kind)))
    return Column(day=c.day, room=c.room, hours=c.hours, closed=c.closed, closure_reason=c.closure_reason,
                  entries=c.entries, cells=tuple(cells))
