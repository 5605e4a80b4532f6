"""Recurring requests: the same wall-clock slot every week, N times (house-local time)."""

from __future__ import annotations

from datetime import datetime, timedelta


def weekly(start: datetime, end: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """`count` weekly occurrences of naive local `start`–`end` (wall-clock stays the same even
    across a DST change, because the arithmetic is done on naive local times)."""
    return [(start + timedelta(weeks=i), end + timedelta(weeks=i)) for i in range(max(count, 1))]
