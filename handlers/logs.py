"""The activity log of the conversation layer: questions asked, feedback, handoffs to staff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.models import Handoff, QueryLog
from handlers.pseudonym import DEV_PSEUDONYMS, Pseudonyms


@dataclass(frozen=True)
class HandoffView:
    id: int
    channel: str
    chat_id: str
    lang: str


class ActivityLog:
    """`pseudonyms` keys the refs that link a handoff and its question without a joinable column."""

    def __init__(self, engine: Engine, pseudonyms: Pseudonyms = DEV_PSEUDONYMS) -> None:
        self.engine = engine
        self.pseudonyms = pseudonyms

    def log_query(
        self,
        *,
        channel: str,
        user_hash: str,
        lang: str,
        question: str,
        top_doc_ids: Sequence[str],
        confidence: float,
        abstained: bool,
        latency_ms: float,
    ) -> int:
        row = QueryLog(
            channel=channel,
            user_hash=user_hash,
            lang=lang,
            question=question[:4000],
            top_doc_ids=json.dumps(list(top_doc_ids)[:10]),
            confidence=round(float(confidence), 4),
            abstained=abstained,
            latency_ms=round(latency_ms, 2),
        )
        values = row.model_dump(exclude={"id"})
        with self.engine.begin() as conn:
            result = conn.execute(insert(QueryLog.__table__).values(**values))  # type: ignore[attr-defined]
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def get_query(self, query_id: int) -> QueryLog | None:
        with Session(self.engine) as s:
            return s.get(QueryLog, query_id)

    def set_feedback(self, query_id: int, user_hash: str, value: int) -> bool:
        """Record 👍 (+1) or 👎 (-1); only the user who asked may rate. Returns False if not theirs."""
        with Session(self.engine) as s:
            row = s.get(QueryLog, query_id)
            if row is None or row.user_hash != user_hash:
                return False
            row.feedback = 1 if value > 0 else -1
            s.add(row)
            s.commit()
            return True

    def open_handoff(self, *, channel: str, chat_id: str, lang: str, query_id: int | None) -> int:
        """Record a forwarded question. The handoff keeps the chat (to deliver staff replies) and the
        question only as a keyed ref; the query-log row gets the handoff's keyed ref."""
        with Session(self.engine) as s:
            query_ref = self.pseudonyms.ref("q", query_id) if query_id is not None else None
            row = Handoff(channel=channel, chat_id=chat_id, lang=lang, query_ref=query_ref)
            s.add(row)
            s.flush()
            assert row.id is not None
            handoff_id = row.id
            if query_id is not None:
                q = s.get(QueryLog, query_id)
                if q is not None:
                    q.handed_off = True
                    q.handoff_ref = self.pseudonyms.ref("h", handoff_id)
                    s.add(q)
            s.commit()
            return handoff_id

    def set_handoff_message(self, handoff_id: int, staff_message_id: str) -> None:
        with Session(self.engine) as s:
            row = s.get(Handoff, handoff_id)
            if row is not None:
                row.staff_message_id = staff_message_id
                s.add(row)
                s.commit()

    def find_handoff(self, staff_message_id: str | None) -> HandoffView | None:
        """The handoff a staff reply answers: the one whose forwarded message (the bot's own, its
        platform id stored when it was sent) is the replied-to message. Never by text: anyone can
        write "#H1" in a message."""
        if not staff_message_id:
            return None
        with Session(self.engine) as s:
            row = s.exec(select(Handoff).where(col(Handoff.staff_message_id) == staff_message_id)).first()
            if row is None or row.id is None:
                return None
            return HandoffView(row.id, row.channel, row.chat_id, row.lang)

    def mark_replied(self, handoff_id: int) -> None:
        with Session(self.engine) as s:
            row = s.get(Handoff, handoff_id)
            if row is None:
                return
            row.replies += 1
            row.status = "answered"
            ref = self.pseudonyms.ref("h", handoff_id)
            for q in s.exec(select(QueryLog).where(col(QueryLog.handoff_ref) == ref)).all():
                q.resolved = True
                s.add(q)
            s.add(row)
            s.commit()

    def answer_counts(self) -> dict[str, int]:
        """Questions answered and abstained, over the whole log (every replica writes it)."""
        with Session(self.engine) as s:
            rows = s.exec(select(col(QueryLog.abstained), func.count()).group_by(col(QueryLog.abstained))).all()
        by = {bool(abstained): int(n) for abstained, n in rows}
        return {"answered": by.get(False, 0), "abstained": by.get(True, 0)}
