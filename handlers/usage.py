"""Messages a channel sent, per day and kind, in the shared database: what `/stats` and
`civicbot stats --json` show as `messenger_usage` (e.g. Zalo OA messages by the allowance they
used: `reply` is free, `sub_quota` comes out of the OA's package, `paid` is billed). Counted by
every replica into one row per (day, channel, kind): an atomic increment, or an insert when the
day's row does not exist yet.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from knowledge.models import utcnow


class ChannelUsage(SQLModel, table=True):
    __tablename__ = "channel_usage"

    day: date = Field(primary_key=True)
    channel: str = Field(primary_key=True, max_length=30)
    kind: str = Field(primary_key=True, max_length=40)
    count: int = 0


TABLE: Table = ChannelUsage.__table__  # type: ignore[attr-defined]


class UsageCounter:
    def __init__(self, engine: Engine, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.engine = engine
        self.tz = ZoneInfo(timezone)

    def add(self, channel: str, kind: str, n: int = 1, at: datetime | None = None) -> None:
        day = (at or utcnow()).astimezone(self.tz).date()
        where = (TABLE.c.day == day) & (TABLE.c.channel == channel) & (TABLE.c.kind == kind)
        for _ in range(2):  # a row inserted by another replica between our update and insert: update again
            with self.engine.begin() as conn:
                if conn.execute(update(TABLE).where(where).values(count=TABLE.c.count + n)).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(TABLE.insert().values(day=day, channel=channel, kind=kind, count=n))
                return
            except IntegrityError:
                continue

    def totals(self, first_day: date, last_day: date) -> dict[str, dict[str, int]]:
        """{channel: {kind: count}} over the days, inclusive."""
        stmt = (select(TABLE.c.channel, TABLE.c.kind, func.sum(TABLE.c.count))
                .where(TABLE.c.day >= first_day, TABLE.c.day <= last_day)
                .group_by(TABLE.c.channel, TABLE.c.kind))
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for channel, kind, total in conn.execute(stmt):
                out.setdefault(str(channel), {})[str(kind)] = int(total or 0)
        return out
