"""Personal data: forgetting one person (`civicbot privacy forget USER`) and the retention purge.

Two kinds of tables hold data about people:

- *operational* tables keep a raw messenger chat id because a reply must reach that chat (handoffs,
  answer opt-ins, bookings and their request log, and any table registered with
  :func:`register_operational_table`, e.g. a reply outbox). After `RETENTION_DAYS` their rows are
  deleted, or their personal fields blanked where the House must keep the record (bookings);
- *analytics* tables (query log, eligibility results) hold only keyed pseudonyms and nothing that
  joins them to an operational row (see handlers/pseudonym.py). Query-log rows (free text people
  typed) are deleted after the retention period; eligibility results keep their counts but lose the
  pseudonym.

Dialog state is keyed by pseudonyms; SQL rows idle longer than the retention period are deleted
(Redis state expires by its own TTL). The staff audit log is append-only and holds no raw id of a
citizen (refusals are logged by pseudonym).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Table, and_, delete, inspect, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from bookings.models import ACTIVE_STATUSES, Booking, BookingLog
from handlers.models import DialogStateRow, QueryLog
from handlers.ports import Audit
from handlers.pseudonym import Pseudonyms
from handlers.state import DialogStateStore, RateLimiter
from knowledge.eligibility.models import EligibilityResult
from knowledge.errors import ValidationError
from knowledge.models import utcnow

log = logging.getLogger(__name__)

CHANNELS = ("telegram", "zalo_bot", "zalo_oa", "console")


@dataclass(frozen=True)
class OperationalTable:
    """A table holding raw chat ids for delivery: purged after the retention period, cleared by forget.

    `time_column`: when the row was written (rows older than the cutoff are deleted);
    `channel_column` and `chat_columns`: how `forget` finds one person's rows (private chats: the
    chat id is the user id on Telegram and Zalo)."""

    name: str
    time_column: str = "created_at"
    channel_column: str = "channel"
    chat_columns: tuple[str, ...] = ("chat_id",)


OPERATIONAL_TABLES: list[OperationalTable] = [
    OperationalTable("handoff"),
    OperationalTable("staff_answer_optin"),
]
"""Deleted whole after the retention period. Bookings are handled apart (their records stay, blanked)."""


def register_operational_table(table: OperationalTable) -> None:
    """The hook for new operational tables (a reply outbox...): call it at import time of the module
    that defines the table; `purge` and `forget` then cover it. Registering twice is harmless."""
    if all(t.name != table.name for t in OPERATIONAL_TABLES):
        OPERATIONAL_TABLES.append(table)


def parse_user(user: str, channels: Iterable[str] = CHANNELS) -> tuple[str, str]:
    """`telegram:1001` → ("telegram", "1001"); anything else raises a ValidationError. `channels`:
    the channel names there are (`civicbot` passes the registry's, bot/channels/registry.py)."""
    known = tuple(channels)
    channel, sep, user_id = user.strip().partition(":")
    if not sep or channel not in known or not user_id.strip():
        raise ValidationError("privacy.bad_user", message=f"expected CHANNEL:ID, got {user!r}", value=user,
                              channels=", ".join(known))
    return channel, user_id.strip()


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + int(n)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


Mode = Literal["forget", "purge"]


class Privacy:
    def __init__(
        self,
        engine: Engine,
        pseudonyms: Pseudonyms,
        *,
        states: DialogStateStore | None = None,
        limiter: RateLimiter | None = None,
        retention_days: int = 180,
        audit: Audit | None = None,
        clock: Callable[[], datetime] = utcnow,
        channels: Iterable[str] = CHANNELS,
    ) -> None:
        if retention_days < 1:
            raise ValidationError("privacy.bad_retention", message="RETENTION_DAYS must be at least 1",
                                  value=retention_days)
        self.engine = engine
        self.pseudonyms = pseudonyms
        self.states = states
        self.limiter = limiter
        self.retention = timedelta(days=retention_days)
        self.audit = audit
        self.clock = clock
        self.channels = tuple(channels)

    # ---- forget ----------------------------------------------------------------------------
    def forget(self, user: str, *, actor: str = "cli") -> Report:
        """Delete one person's conversations, handoffs, opt-ins and query-log rows, blank their bookings'
        personal fields, and write an audit entry that names them only by a pseudonym."""
        channel, user_id = parse_user(user, self.channels)
        report = Report()
        prefix = self.pseudonyms.state_prefix(channel, user_id)
        if self.states is not None:
            report.add("dialog_state", self.states.delete_prefix(prefix))
        if self.limiter is not None:
            self.limiter.forget(self.pseudonyms.rate_key(channel, user_id))
        user_hash = self.pseudonyms.user_hash(channel, user_id)
        with self.engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            state = _t(DialogStateRow)
            like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            report.add("dialog_state", conn.execute(delete(state).where(state.c.key.like(like, escape="\\"))).rowcount)
            for spec in OPERATIONAL_TABLES:
                table = _table(spec.name, existing)
                if table is None:
                    continue
                match = or_(*(table.c[col] == user_id for col in spec.chat_columns))
                n = conn.execute(delete(table).where(and_(table.c[spec.channel_column] == channel, match))).rowcount
                report.add(spec.name, n)
            for model in (QueryLog, EligibilityResult):
                t = _t(model)
                report.add(t.name, conn.execute(delete(t).where(t.c.user_hash == user_hash)).rowcount)
            self._blank_bookings(conn, report, "forget", channel=channel, user_id=user_id)
        if self.audit is not None:
            self.audit(actor, "privacy_forget", channel=channel,
                       target=self.pseudonyms.audit_ref(channel, user_id), outcome="ok", **report.counts)
        log.info("forgot %s (%d rows)", self.pseudonyms.audit_ref(channel, user_id), report.total)
        return report

    # ---- retention -------------------------------------------------------------------------
    def purge(self, now: datetime | None = None) -> Report:
        """Apply the retention period: delete or blank personal data older than `RETENTION_DAYS`."""
        cutoff = (now or self.clock()) - self.retention
        report = Report()
        if self.states is not None:
            report.add("redis_state_raw_keys", self.states.delete_legacy())
        with self.engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            state = _t(DialogStateRow)
            report.add("dialog_state", conn.execute(delete(state).where(state.c.updated_at < cutoff)).rowcount)
            for spec in OPERATIONAL_TABLES:
                table = _table(spec.name, existing)
                if table is not None:
                    n = conn.execute(delete(table).where(table.c[spec.time_column] < cutoff)).rowcount
                    report.add(spec.name, n)
            q = _t(QueryLog)
            report.add("query_log", conn.execute(delete(q).where(q.c.created_at < cutoff)).rowcount)
            e = _t(EligibilityResult)
            report.add("eligibility_result", conn.execute(
                update(e).where(and_(e.c.created_at < cutoff, e.c.user_hash != "")).values(user_hash="")).rowcount)
            self._blank_bookings(conn, report, "purge", cutoff=cutoff)
        if report.total:
            log.info("retention purge: %s", report.counts)
        return report

    # ---- bookings: the House keeps the record, not the person ------------------------------
    def _blank_bookings(self, conn: Connection, report: Report, mode: Mode, *, channel: str = "",
                        user_id: str = "", cutoff: datetime | None = None) -> None:
        b, bl = _t(Booking), _t(BookingLog)
        blank = {"contact_name": "", "phone": "", "requester_id": "", "chat_id": ""}
        if mode == "forget":
            mine = and_(b.c.channel == channel, or_(b.c.requester_id == user_id, b.c.chat_id == user_id))
            ids = [r[0] for r in conn.execute(select(b.c.id).where(mine))]
            if ids:
                now = self.clock()
                conn.execute(update(b).where(and_(b.c.id.in_(ids), b.c.status.in_(ACTIVE_STATUSES),
                                                  b.c.start_utc > now))
                             .values(status="cancelled", cancelled_at=now, cancel_reason="privacy: forgotten"))
                mine_cancel = and_(b.c.id.in_(ids), b.c.cancelled_by == user_id)
                conn.execute(update(b).where(mine_cancel).values(cancelled_by=""))
                report.add("bk_booking", conn.execute(update(b).where(b.c.id.in_(ids)).values(**blank)).rowcount)
            log_rows = or_(bl.c.booking_id.in_(ids), and_(bl.c.channel == channel, bl.c.actor_id == user_id))
            report.add("bk_request_log", conn.execute(
                update(bl).where(log_rows).values(contact_name="", phone="", actor_id="")).rowcount)
            return
        assert cutoff is not None
        old = and_(b.c.end_utc < cutoff, or_(b.c.phone != "", b.c.contact_name != "", b.c.chat_id != "",
                                             b.c.requester_id != ""))
        report.add("bk_booking", conn.execute(update(b).where(old).values(**blank)).rowcount)
        old_log = and_(bl.c.created_at < cutoff, or_(bl.c.phone != "", bl.c.contact_name != "", bl.c.actor_id != ""))
        report.add("bk_request_log", conn.execute(
            update(bl).where(old_log).values(contact_name="", phone="", actor_id="")).rowcount)


def _t(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _table(name: str, existing: set[str]) -> Table | None:
    if name not in existing:
        return None
    return SQLModel.metadata.tables.get(name)
