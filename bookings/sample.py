"""Load rooms from a YAML file (the bundled sample, or staff's own list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bookings.models import Room
from bookings.rules import fail
from knowledge.errors import CivicError, ValidationError

SAMPLE_ROOMS = Path(__file__).with_name("sample_rooms.yaml")
KEYS = {"name", "name_ru", "name_vi", "capacity", "equipment", "hours", "days", "max_hours", "min_notice_hours",
        "max_repeat_weeks"}


def read_rooms(path: Path = SAMPLE_ROOMS) -> list[dict[str, Any]]:
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
    return rooms


def load_rooms(service: Any, path: Path = SAMPLE_ROOMS) -> list[Room]:
    """Add every room of the file that does not exist yet (by name); returns the rooms added."""
    entries = read_rooms(path)
    existing = {r.name.lower() for r in service.list_rooms(include_inactive=True)}
    added: list[Room] = []
    for entry in entries:
        if str(entry["name"]).lower() in existing:
            continue
        params = {k: v for k, v in entry.items() if k not in ("name", "capacity")}
        params["hours"] = str(params["hours"]) if "hours" in params else None
        try:
            added.append(service.add_room(str(entry["name"]), int(entry["capacity"]), **params))
        except (CivicError, ValueError, TypeError) as exc:
            raise fail("bad_number", field=f"{path.name}: room {entry['name']}", value=str(exc)) from None
    return added
