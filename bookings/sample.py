"""Load rooms from a YAML file (the bundled sample, or staff's own list)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bookings.models import Room
from bookings.rules import fail
from knowledge.errors import CivicError, ValidationError

if TYPE_CHECKING:
    from bookings.service import BookingService

SAMPLE_ROOMS = Path(__file__).with_name("sample_rooms.yaml")
KEYS = {"name", "name_ru", "name_vi", "capacity", "equipment", "hours", "days", "max_hours", "min_notice_hours",
        "max_repeat_weeks"}


def read_rooms(path: Path = SAMPLE_ROOMS) -> list[dict[str, object]]:
    """The room entries of a YAML file; errors name the file (and the entry)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError("booking.bad_rooms_file", message=f"cannot read rooms: {exc}", file=str(path)) from None
    rooms = data.get("rooms") if isinstance(data, dict) else None
    if not isinstance(rooms, list):
        raise ValidationError("booking.bad_rooms_file", message="expected a `rooms:` list", file=str(path))
    for i, entry in enumerate(rooms, 1):
        if not isinstance(entry, dict) or "name" not in entry or "capacity" not in entry:
            raise ValidationError("booking.bad_rooms_file", message=f"room #{i} needs a name and a capacity",
                                  file=str(path))
        unknown = set(entry) - KEYS
        if unknown:
            raise ValidationError("booking.bad_rooms_file", message=f"room #{i}: unknown keys {sorted(unknown)}",
                                  file=str(path))
    return [{str(k): v for k, v in entry.items()} for entry in rooms]


def load_rooms(service: BookingService, path: Path = SAMPLE_ROOMS) -> list[Room]:
    """Add every room of the file that does not exist yet (by name); returns the rooms added."""
    entries = read_rooms(path)
    existing = {r.name.lower() for r in service.list_rooms(include_inactive=True)}
    added: list[Room] = []
    for entry in entries:
        if str(entry["name"]).lower() in existing:
            continue
        try:
            added.append(_add(service, entry))
        except (CivicError, ValueError, TypeError) as exc:
            raise fail("bad_number", field=f"{path.name}: room {entry['name']}", value=str(exc)) from None
    return added


def _add(service: BookingService, entry: dict[str, object]) -> Room:
    """One room from its YAML entry (keys already checked against KEYS); bad values raise ValueError."""

    def text(key: str) -> str | None:
        value = entry.get(key)
        return None if value is None else str(value)

    def number(key: str, default: float) -> float:
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"{key}: expected a number")
        return float(value)

    raw = entry.get("equipment") or []
    equipment = raw if isinstance(raw, str) else [str(e) for e in (raw if isinstance(raw, list) else [raw])]
    return service.add_room(
        str(entry["name"]), int(number("capacity", 0)), hours=text("hours"), days=text("days"),
        max_hours=number("max_hours", 4.0), min_notice_hours=number("min_notice_hours", 24.0),
        name_vi=text("name_vi"), name_ru=text("name_ru"), equipment=equipment,
        max_repeat_weeks=int(number("max_repeat_weeks", 12)),
    )
