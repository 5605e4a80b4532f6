"""Rooms as data staff manage: names, capacity, equipment, weekly hours, closed dates, limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bookings.models import WEEKDAYS, Room, RoomClosure
from bookings.rules import MAX_REPEAT, clean_text, fail, parse_days, parse_hours
from knowledge.models import utcnow
from knowledge.text import match_form, nfc

DEFAULT_HOURS = "09:00-18:00"
DEFAULT_DAYS = "mon-sat"


def build_hours(hours: str | None, days: str | None, base: Mapping[str, tuple[str, str]] | None = None,
                per_day: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
    """The weekly schedule from `--hours`, `--days` and `--set-day sat=10:00-14:00|closed` values.

    With a `base` schedule (an update): hours only → same days, new hours; days only → those days
    with the first existing hours; both → replaced. `per_day` entries then adjust single days."""
    schedule = dict(base or {})
    if hours is not None or days is not None or not schedule:
        first = next(iter(schedule.values()), None)
        span = parse_hours(hours) if hours is not None else (first or parse_hours(DEFAULT_HOURS))
        day_keys = parse_days(days) if days is not None else (list(schedule) or parse_days(DEFAULT_DAYS))
        schedule = {d: span for d in day_keys}
    for item in per_day:
        key, sep, value = item.partition("=")
        key = key.strip().lower()[:3]
        if not sep or key not in WEEKDAYS:
            raise fail("bad_days", value=item)
        if value.strip().lower() in ("closed", "off", "-"):
            schedule.pop(key, None)
        else:
            schedule[key] = parse_hours(value)
    return {d: schedule[d] for d in WEEKDAYS if d in schedule}


def slugify(value: str) -> str:
    """A room id staff can type: lowercase letters (any script), digits and single dashes.
    `Test Room!` → `test-room`; raises `booking.bad_room_name` when nothing usable is left."""
    text = nfc(" ".join((value or "").split())).lower()
    slug = re.sub(r"[\W_]+", "-", text).strip("-")
    if not slug:
        raise fail("bad_room_name", value=value)
    return slug[:100]


def fold_name(value: str) -> str:
    """For matching typed room names: lowercase, folded (knowledge/text/fold.py: đ → d, ё → е), words
    only; here й is also read as и, since people type `тренинговыи` for a room called `Тренинговый`."""
    return " ".join(re.sub(r"[\W_]+", " ", match_form(value or "").replace("й", "и")).split())


def _positive(field: str, value: float | int) -> None:
    if value is None or value <= 0:
        raise fail("bad_number", field=field, value=value)


class RoomsMixin:
    engine: Engine

    # ---- look-ups -----------------------------------------------------------------------
    def get_room(self, ref: str | int) -> Room:
        """A room by id, or by any of its names (the id-name, the Russian or Vietnamese name),
        case-insensitive and with or without diacritics; several matches are refused."""
        text_ref = str(ref).strip()
        with Session(self.engine) as s:
            room = s.get(Room, int(text_ref)) if text_ref.isdigit() else None
            if room is None:
                wanted = fold_name(text_ref)
                found = [c for c in s.exec(select(Room).order_by(Room.id)).all()  # type: ignore[arg-type]
                         if wanted and wanted in {fold_name(n) for n in (c.name, c.name_ru, c.name_vi) if n}]
                active = [c for c in found if c.active] or found
                if len(active) > 1:
                    raise fail("room_ambiguous", room=text_ref, matches=", ".join(f"{c.id} {c.name}" for c in active))
                room = active[0] if active else None
        if room is None:
            raise fail("room_not_found", room=text_ref)
        return room

    def list_rooms(self, include_inactive: bool = False) -> list[Room]:
        with Session(self.engine) as s:
            query = select(Room).order_by(Room.id)  # type: ignore[arg-type]
            if not include_inactive:
                query = query.where(Room.active == True)  # noqa: E712
            return list(s.exec(query).all())

    def closures(self, room_id: int, first: date, last: date, session: Session | None = None) -> dict[date, str | None]:
        """Closed dates of a room in [first, last]; pass the open `session` inside a transaction
        (a second connection would wait for the write lock on SQLite)."""
        if session is None:
            with Session(self.engine) as s:
                return self.closures(room_id, first, last, s)
        rows = session.exec(
            select(RoomClosure).where(RoomClosure.room_id == room_id, RoomClosure.day >= first,
                                      RoomClosure.day <= last)
        ).all()
        return {r.day: r.reason for r in rows}

    # ---- changes ------------------------------------------------------------------------
    def add_room(self, name: str, capacity: int, *, hours: str | None = None, days: str | None = None,
                 per_day: Iterable[str] = (), max_hours: float = 4.0, min_notice_hours: float = 24.0,
                 name_vi: str | None = None, name_ru: str | None = None,
                 equipment: Iterable[str] = (), max_repeat_weeks: int = 12) -> Room:
        name = slugify(clean_text("name", name))
        _positive("capacity", capacity)
        _repeat_limit(max_repeat_weeks)
        _positive("max_hours", max_hours)
        if min_notice_hours < 0:
            raise fail("bad_number", field="min_notice_hours", value=min_notice_hours)
        schedule = build_hours(hours, days, None, per_day)
        with Session(self.engine, expire_on_commit=False) as s:
            if any(r.name.lower() == name.lower() for r in s.exec(select(Room)).all()):
                raise fail("room_exists", room=name)
            room = Room(name=name, capacity=capacity, max_hours=max_hours, min_notice_hours=min_notice_hours,
                        max_repeat_weeks=max_repeat_weeks,
                        name_vi=name_vi, name_ru=name_ru, hours_json=json.dumps(schedule),
                        equipment_json=json.dumps(_equipment(equipment), ensure_ascii=False))
            s.add(room)
            s.commit()
            return room

    def update_room(self, ref: str | int, *, hours: str | None = None, days: str | None = None,
                    per_day: Iterable[str] = (), capacity: int | None = None, max_hours: float | None = None,
                    min_notice_hours: float | None = None, name: str | None = None, name_vi: str | None = None,
                    name_ru: str | None = None, equipment: Iterable[str] | None = None,
                    max_repeat_weeks: int | None = None, active: bool | None = None) -> Room:
        """Change the given fields (None = keep)."""
        current = self.get_room(ref)
        with Session(self.engine, expire_on_commit=False) as s:
            room = s.get(Room, current.id)
            assert room is not None
            if capacity is not None:
                _positive("capacity", capacity)
                room.capacity = capacity
            if max_hours is not None:
                _positive("max_hours", max_hours)
                room.max_hours = max_hours
            if min_notice_hours is not None:
                room.min_notice_hours = min_notice_hours
            if max_repeat_weeks is not None:
                _repeat_limit(max_repeat_weeks)
                room.max_repeat_weeks = max_repeat_weeks
            if name is not None:
                slug = slugify(clean_text("name", name))
                if any(r.name.lower() == slug.lower() and r.id != room.id for r in s.exec(select(Room)).all()):
                    raise fail("room_exists", room=slug)
                room.name = slug
            if name_vi is not None:
                room.name_vi = name_vi
            if name_ru is not None:
                room.name_ru = name_ru
            if active is not None:
                room.active = active
            if equipment is not None:
                room.equipment_json = json.dumps(_equipment(equipment), ensure_ascii=False)
            per_day = list(per_day)
            if hours is not None or days is not None or per_day:
                room.hours_json = json.dumps(build_hours(hours, days, room.hours, per_day))
            room.updated_at = utcnow()
            s.add(room)
            s.commit()
            return room

    def open_day(self, ref: str | int, day: date) -> bool:
        room = self.get_room(ref)
        with Session(self.engine) as s:
            row = s.exec(select(RoomClosure).where(RoomClosure.room_id == room.id, RoomClosure.day == day)).first()
            if row is None:
                return False
            s.delete(row)
            s.commit()
            return True


def _repeat_limit(value: int) -> None:
    if not 1 <= int(value) <= MAX_REPEAT:
        raise fail("bad_repeat", value=value, limit=MAX_REPEAT)


def _equipment(items: Iterable[str] | str) -> list[str]:
    if isinstance(items, str):
        items = items.split(",")
    return [" ".join(i.split()) for i in items if i and i.strip()]
