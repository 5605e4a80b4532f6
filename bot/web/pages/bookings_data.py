"""The console's other booking views as data: the pending queue, one booking with its history,
the closures ahead and what a new closure would hit.

Pure reading, from `BookingService` and the tables the chat and the CLI write: the request log
(`bk_request_log`), the staff audit log (`staff_audit`, targets `booking:<id>`) and the outbox rows
of the booking's notifications (dedup keys `booking:<id>:<status>` and `booking:<id>:closed`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, or_, select

from bookings.models import ACTIVE_STATUSES, Booking, BookingLog, RoomClosure
from bot.web.pages.bookings_grid import Entry, RoomInfo, all_rooms, entry
from handlers.reliability_models import OutboxRow
from handlers.staff.models import AuditEntry

if TYPE_CHECKING:
    from bookings.service import BookingService

QUEUE_PAGE = 25
"""Requests per page of the queue (the soonest first)."""


@dataclass(frozen=True)
class QueueItem:
    entry: Entry
    can_approve: bool
    """False once the booking has started (the service refuses to approve it then; it can still be
    rejected)."""
    series_size: int
    """How many pending bookings of the same weekly series wait (1 for a single booking)."""


@dataclass(frozen=True)
class Queue:
    items: tuple[QueueItem, ...]
    total: int
    """Pending bookings not over yet, in all."""
    page: int
    pages: int
    first: int
    """The position of the page's first item (1-based; 0 when the queue is empty)."""


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    """House-local time."""
    source: str
    """`log` (the request log), `audit` (the staff audit log) or `notice` (a message to the requester)."""
    event: str
    """log: request/approve/reject/cancel; audit: the action; notice: the outbox status."""
    outcome: str
    actor: str
    detail: str
    code: str = ""
    """A refusal's code (request log rows), with its `params` as recorded."""
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Details:
    entry: Entry
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    series: tuple[Entry, ...]
    """The other bookings of its weekly series, oldest first."""
    history: tuple[HistoryEvent, ...]
    can_approve: bool
    can_reject: bool
    can_cancel: bool


@dataclass(frozen=True)
class ClosureRow:
    room: RoomInfo
    day: date
    reason: str | None


@dataclass(frozen=True)
class ClosureImpact:
    """What closing `room` on `day` would do: the active bookings it cancels."""

    room: RoomInfo
    day: date
    already_closed: bool
    reason: str | None
    hits: tuple[Entry, ...]

    @property
    def notifiable(self) -> int:
        return sum(1 for e in self.hits if e.notifiable)


def queue(svc: BookingService, lang: str, page: int = 1, per_page: int | None = None) -> Queue:
    """Pending bookings not over yet, the soonest first (what `/pending` lists in the chat), one page
    of them; a page past the last shows the last."""
    rooms = all_rooms(svc, lang)
    rows = svc.list_bookings(status="pending", upcoming=True, limit=100_000)
    now = svc.now_utc()
    per_page = per_page or QUEUE_PAGE
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    series: dict[str, int] = {}
    for b in rows:
        if b.series_id:
            series[b.series_id] = series.get(b.series_id, 0) + 1
    items = tuple(QueueItem(entry(svc, b, rooms), can_approve=b.start_utc > now,
                            series_size=series.get(b.series_id or "", 1)) for b in rows[start:start + per_page])
    return Queue(items=items, total=len(rows), page=page, pages=pages, first=start + 1 if items else 0)


def pending_count(svc: BookingService) -> int:
    """How many requests wait for a decision (the queue's length), counted by the database."""
    with Session(svc.engine) as s:
        return int(s.exec(select(func.count()).select_from(Booking).where(
            Booking.status == "pending", Booking.end_utc > svc.now_utc())).one())


def details(svc: BookingService, booking_id: int, lang: str) -> Details:
    """One booking, its series and its history; an unknown id raises `booking.not_found`."""
    b = svc.get(booking_id)
    rooms = all_rooms(svc, lang)
    now = svc.now_utc()
    series: tuple[Entry, ...] = ()
    if b.series_id:
        with Session(svc.engine) as s:
            others = s.exec(select(Booking).where(Booking.series_id == b.series_id, Booking.id != b.id)
                            .order_by(col(Booking.start_utc))).all()
        series = tuple(entry(svc, o, rooms) for o in others)
    local = svc.to_local
    return Details(
        entry=entry(svc, b, rooms), decided_by=b.decided_by,
        decided_at=local(b.decided_at) if b.decided_at else None, decision_reason=b.decision_reason,
        cancelled_by=b.cancelled_by, cancelled_at=local(b.cancelled_at) if b.cancelled_at else None,
        cancel_reason=b.cancel_reason, series=series, history=history(svc, b),
        can_approve=b.status == "pending" and b.start_utc > now, can_reject=b.status == "pending",
        can_cancel=b.status in ACTIVE_STATUSES and b.end_utc > now,
    )


def history(svc: BookingService, b: Booking) -> tuple[HistoryEvent, ...]:
    """Everything recorded about booking `b`, oldest first: its request (for a weekly series, the
    one request that made them all), decisions and refused attempts, staff audit entries, and the
    messages queued for the requester with their delivery status."""
    local = svc.to_local
    mine = BookingLog.booking_id == b.id
    query = select(BookingLog).where(or_(mine, BookingLog.series_id == b.series_id) if b.series_id else mine)
    with Session(svc.engine) as s:
        logs = [r for r in s.exec(query.order_by(col(BookingLog.id))).all() if _concerns(r, b)]
        audits = s.exec(select(AuditEntry).where(AuditEntry.target == f"booking:{b.id}")
                        .order_by(col(AuditEntry.id))).all()
        notices = s.exec(select(OutboxRow).where(col(OutboxRow.dedup_key).like(f"booking:{b.id}:%"))
                         .order_by(col(OutboxRow.id))).all()
    events = [HistoryEvent(at=local(r.created_at), source="log", event=r.event, outcome=r.outcome,
                           actor=_log_actor(r), detail=_log_detail(r), code=r.error_code or "",
                           params=_log_params(r)) for r in logs]
    events += [HistoryEvent(at=local(a.created_at), source="audit", event=a.action, outcome=a.outcome,
                            actor=_audit_actor(a), detail=_audit_detail(a.details)) for a in audits]
    for n in notices:
        kind = (n.dedup_key or "").rsplit(":", 1)[-1]
        events.append(HistoryEvent(at=local(n.sent_at or n.created_at), source="notice", event=kind,
                                   outcome=n.status, actor=n.channel, detail=n.error or ""))
    rank = {"log": 0, "notice": 1, "audit": 2}  # within one action: the service, its message, the audit
    return tuple(sorted(events, key=lambda e: (e.at, rank[e.source])))


def _concerns(row: BookingLog, b: Booking) -> bool:
    """A series' request row lists every booking it made; other series rows belong to their own booking."""
    if row.booking_id == b.id:
        return True
    if row.event != "request" or not row.detail:
        return False
    try:
        made = json.loads(row.detail).get("booking_ids") or []
    except (ValueError, AttributeError):
        return False
    return b.id in made


def _log_actor(row: BookingLog) -> str:
    """The requester of a request as `telegram:7101` (the log keeps the chat's user id and its
    channel apart); decisions name their actor in full already."""
    if row.event == "request" and row.channel and ":" not in row.actor_id:
        return f"{row.channel}:{row.actor_id}"
    return row.actor_id


def _log_detail(row: BookingLog) -> str:
    if row.detail and row.detail.startswith("{"):
        return ""  # a series' booking ids (shown as the series list) or a refusal's params (see `params`)
    return row.detail or ""


def _log_params(row: BookingLog) -> dict[str, object]:
    if not row.error_code or not row.detail:
        return {}
    try:
        data = json.loads(row.detail)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _audit_actor(a: AuditEntry) -> str:
    """`telegram:9001` as the chat writes staff (the audit log keeps the id and the channel apart);
    a refused non-staff user stays the pseudonym `u:<hash>`."""
    if a.channel and ":" not in a.actor:
        return f"{a.channel}:{a.actor}"
    return a.actor


def _audit_detail(raw: str) -> str:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k}: {v}" for k, v in data.items() if v not in (None, ""))


def closures_ahead(svc: BookingService, lang: str, days: int = 366) -> tuple[ClosureRow, ...]:
    """Closed dates from today on (house time), by date then room."""
    rooms = all_rooms(svc, lang)
    today = svc.local_now().date()
    with Session(svc.engine) as s:
        rows = s.exec(select(RoomClosure).where(RoomClosure.day >= today,
                                                RoomClosure.day <= today + timedelta(days=days))
                      .order_by(col(RoomClosure.day), col(RoomClosure.room_id))).all()
    return tuple(ClosureRow(room=rooms[r.room_id], day=r.day, reason=r.reason) for r in rows if r.room_id in rooms)


def closure_impact(svc: BookingService, room_ref: str | int, day: date, lang: str) -> ClosureImpact:
    """The active bookings a closure of the room on `day` would cancel (`rooms close` lists the same)."""
    rooms = all_rooms(svc, lang)
    room_id = svc.get_room(room_ref).id or 0  # a stored room always has its id
    hits = tuple(entry(svc, b, rooms) for b in svc.active_on(room_id, day))
    existing = svc.closures(room_id, day, day)
    return ClosureImpact(room=rooms[room_id], day=day, already_closed=day in existing,
                         reason=existing.get(day), hits=hits)
