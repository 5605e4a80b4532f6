"""Usage statistics over the last N days, as one JSON-ready dict (`/stats` and `civicbot stats --json`).

Days are counted in the configured time zone (the database stores UTC). Eligibility checks and
bookings are included when those areas' tables exist (imported defensively: `null` otherwise);
`booking_rooms` gives bookings per room and occupancy (handlers/staff/stats_rooms.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from bookings.models import Booking
from handlers.models import Handoff, QueryLog
from handlers.staff.grouping import Question, group_questions
from handlers.staff.stats_rooms import RoomUse, booking_rooms
from handlers.usage import UsageCounter
from knowledge.eligibility.models import EligibilityResult

TOP_DOCUMENTS = 10
TOP_TOPICS = 5
TOPIC_SAMPLE = 2000


class QuestionCounts(TypedDict):
    total: int
    answered: int
    abstained: int
    answered_rate: float | None
    abstained_rate: float | None
    by_lang: dict[str, int]
    unanswered_open: int


class DayCounts(TypedDict):
    date: str
    total: int
    by_lang: dict[str, int]


class Feedback(TypedDict):
    up: int
    down: int
    ratio: float | None


class Topic(TypedDict):
    question: str
    lang: str
    count: int


class TopDocument(TypedDict):
    doc_id: str
    title: str | None
    answers: int


class EligibilityCounts(TypedDict):
    total: int
    by_outcome: dict[str, int]
    by_program: dict[str, dict[str, int]]


class BookingCounts(TypedDict):
    total: int
    by_status: dict[str, int]


Stats = TypedDict("Stats", {
    "days": int, "timezone": str, "from": str, "to": str,
    "questions": QuestionCounts, "per_day": list[DayCounts], "feedback": Feedback,
    "top_topics": list[Topic], "top_documents": list[TopDocument], "handoffs": dict[str, int],
    "eligibility": EligibilityCounts | None, "bookings": BookingCounts | None,
    "booking_rooms": list[RoomUse], "messenger_usage": dict[str, dict[str, int]],
})
"""`/stats` and `civicbot stats --json` (JSON-ready; `from` and `to` are ISO dates in `timezone`)."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute_stats(engine: Engine, *, days: int, now: datetime, timezone: str,
                  house_timezone: str | None = None) -> Stats:
    """`house_timezone` (default `timezone`): the House of NGOs' clock, for rooms' opening hours."""
    tz = ZoneInfo(timezone)
    today = _aware(now).astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), tz).astimezone(UTC)
    with Session(engine) as s:
        rows = s.exec(sm_select(QueryLog).where(col(QueryLog.created_at) >= since)).all()
        handoffs = s.exec(sm_select(Handoff.status).where(col(Handoff.created_at) >= since)).all()
    questions, per_day, feedback = _questions(rows, tz, first_day, days)
    return {
        "days": days,
        "timezone": timezone,
        "from": first_day.isoformat(),
        "to": today.isoformat(),
        "questions": questions,
        "per_day": per_day,
        "feedback": feedback,
        "top_topics": _top_topics(rows),
        "top_documents": _top_documents(engine, rows),
        "handoffs": {str(status): n for status, n in Counter(handoffs).items()},
        "eligibility": _eligibility(engine, since),
        "bookings": _bookings(engine, since),
        "booking_rooms": booking_rooms(engine, first_day, today, since=since,
                                       house_timezone=house_timezone or timezone),
        "messenger_usage": _usage(engine, timezone, first_day, today),
    }


def _usage(engine: Engine, timezone: str, first_day: date, last_day: date) -> dict[str, dict[str, int]]:
    """Messages sent per channel and kind (Zalo OA allowances); {} where the table is not there."""
    try:
        return UsageCounter(engine, timezone).totals(first_day, last_day)
    except SQLAlchemyError:
        return {}


def _questions(rows: Sequence[QueryLog], tz: ZoneInfo, first_day: date,
               days: int) -> tuple[QuestionCounts, list[DayCounts], Feedback]:
    per_day: dict[str, Counter[str]] = {(first_day + timedelta(days=i)).isoformat(): Counter() for i in range(days)}
    by_lang: Counter[str] = Counter()
    abstained = up = down = 0
    for r in rows:
        day = _aware(r.created_at).astimezone(tz).date().isoformat()
        if day in per_day:
            per_day[day][r.lang] += 1
        by_lang[r.lang] += 1
        abstained += bool(r.abstained)
        up += r.feedback == 1
        down += r.feedback == -1
    total = len(rows)
    questions: QuestionCounts = {
        "total": total,
        "answered": total - abstained,
        "abstained": abstained,
        "answered_rate": _rate(total - abstained, total),
        "abstained_rate": _rate(abstained, total),
        "by_lang": dict(by_lang),
        "unanswered_open": sum(1 for r in rows if not r.resolved and r.dismissed_at is None
                               and (r.abstained or r.feedback == -1)),
    }
    days_out: list[DayCounts] = [{"date": d, "total": sum(c.values()), "by_lang": dict(c)} for d, c in per_day.items()]
    return questions, days_out, {"up": up, "down": down, "ratio": _rate(up, up + down)}


def _top_topics(rows: Sequence[QueryLog]) -> list[Topic]:
    """The most asked questions of the period, similar wordings grouped (the latest TOPIC_SAMPLE only)."""
    latest = sorted(rows, key=lambda r: r.id or 0)[-TOPIC_SAMPLE:]
    questions = [Question(r.id or 0, r.question, r.lang, _aware(r.created_at), r.user_hash, "") for r in latest]
    groups = [g for g in group_questions(questions) if g.count > 1][:TOP_TOPICS]
    return [{"question": g.question, "lang": g.lang, "count": g.count} for g in groups]


def _top_documents(engine: Engine, rows: Sequence[QueryLog]) -> list[TopDocument]:
    counts: Counter[str] = Counter()
    for r in rows:
        if r.abstained:
            continue
        try:
            ids = json.loads(r.top_doc_ids or "[]")
        except ValueError:
            continue
        if ids:
            counts[str(ids[0])] += 1
    top = counts.most_common(TOP_DOCUMENTS)
    titles = _titles(engine, [d for d, _ in top])
    return [{"doc_id": d, "title": titles.get(d), "answers": n} for d, n in top]


def _titles(engine: Engine, doc_ids: list[str]) -> dict[str, str]:
    if not doc_ids:
        return {}
    try:
        from knowledge.models import Document
    except ImportError:
        return {}
    with Session(engine) as s:
        found = s.exec(
            sm_select(Document.doc_id, Document.title)
            .where(col(Document.doc_id).in_(doc_ids))
            .order_by(col(Document.version))
        ).all()
    return {d: t for d, t in found}  # the latest version wins


def _group_count(engine: Engine, table: Table, columns: list[str],
                 since: datetime) -> list[tuple[tuple[object, ...], int]]:
    """(the values of `columns`, how many rows have them) for the rows created since `since`."""
    cols = [table.c[name] for name in columns]
    query = select(*cols, func.count()).group_by(*cols)
    if "created_at" in table.c:
        query = query.where(table.c["created_at"] >= since)
    try:
        with engine.connect() as conn:
            return [(tuple(r[:-1]), int(r[-1])) for r in conn.execute(query).all()]
    except SQLAlchemyError:  # the table is not created in this database
        return []


def _eligibility(engine: Engine, since: datetime) -> EligibilityCounts:
    """Checks by outcome (and by program and outcome), from the eligibility log table if present."""
    table: Table = EligibilityResult.__table__  # type: ignore[attr-defined]
    by_program: dict[str, dict[str, int]] = defaultdict(dict)
    outcomes: Counter[str] = Counter()
    for (program, outcome), n in _group_count(engine, table, ["program", "outcome"], since):
        by_program[str(program)][str(outcome)] = n
        outcomes[str(outcome)] += n
    return {"total": sum(outcomes.values()), "by_outcome": dict(outcomes), "by_program": dict(by_program)}


def _bookings(engine: Engine, since: datetime) -> BookingCounts:
    """Booking requests made in the period, by status, if the bookings area is present."""
    table: Table = Booking.__table__  # type: ignore[attr-defined]
    counts = {str(st): n for (st,), n in _group_count(engine, table, ["status"], since)}
    return {"total": sum(counts.values()), "by_status": counts}
