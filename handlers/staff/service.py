"""Staff tools as a service (no chat, no catalog): audit log, unanswered questions, curated answers,
answer opt-ins and their relays, usage statistics. Used by the staff flow and the CLI alike.

Curated answers are stored in the knowledge base as documents of kind `qa` (title = the question,
text = question + answer, source = `staff:<staff id>:<date>`) so the retriever finds them and the
answerer prefers them; the group's questions are marked resolved, and users who opted in get
the answer relayed (the relays are kept pending until a channel delivers them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.audit import write_audit
from handlers.models import AuditEntry, Handoff, QueryLog
from handlers.pseudonym import DEV_PSEUDONYMS, Pseudonyms
from handlers.staff.grouping import Group, Question, find_group, group_questions
from handlers.staff.models import AnswerOptIn, CuratedAnswer
from handlers.staff.stats import Stats, compute_stats
from knowledge.errors import NotFound, ValidationError
from knowledge.models import utcnow

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase

MAX_ANSWER_CHARS = 4000
MAX_OPEN = 5000
"""At most this many of the most recent open questions are grouped."""


@dataclass(frozen=True)
class Relay:
    """A curated answer to deliver to a user who opted in."""

    optin_ids: tuple[int, ...]
    channel: str
    chat_id: str
    lang: str
    question: str
    answer: str


@dataclass(frozen=True)
class AnswerResult:
    curated_id: int
    doc_id: str
    group: Group
    resolved: int
    relays: list[Relay]


def parse_group_ref(ref: int | str) -> int:
    """`12`, `G12`, `g12`, `#12` → 12; anything else raises ValidationError."""
    text = str(ref).strip().lstrip("#").lstrip("Gg")
    if not text.isdigit():
        raise ValidationError("staff.bad_id", message=f"not a question or group id: {ref!r}", value=str(ref))
    return int(text)


class StaffService:
    def __init__(
        self,
        engine: Engine,
        *,
        kb: KnowledgeBase | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
        clock: Callable[[], datetime] = utcnow,
        pseudonyms: Pseudonyms = DEV_PSEUDONYMS,
        house_timezone: str | None = None,
    ) -> None:
        self.engine = engine
        self.house_timezone = house_timezone
        """The House of NGOs' clock for rooms' occupancy in the statistics (None: `timezone`)."""
        self.kb = kb
        self.pseudonyms = pseudonyms
        """Keys the refs by which opt-ins and handoffs name a question (never its query-log id)."""
        self.timezone = timezone
        self.clock = clock

    # ---- audit -----------------------------------------------------------------------------
    def audit(
        self, actor: str, action: str, /, *, channel: str = "", target: str | None = None,
        outcome: str = "ok", **details: object,
    ) -> int:
        return write_audit(self.engine, actor, action, channel=channel, target=target, outcome=outcome,
                           clock=self.clock, **details)

    def audit_entries(self, limit: int = 20, *, actor: str | None = None) -> list[AuditEntry]:
        with Session(self.engine) as s:
            query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
            if actor is not None:
                query = query.where(AuditEntry.actor == actor)
            return list(s.exec(query).all())

    # ---- unanswered ------------------------------------------------------------------------
    def unanswered(self) -> list[Group]:
        """Open abstained or 👎 questions, grouped by similarity, the most frequent group first."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(QueryLog)
                .where(col(QueryLog.resolved).is_(False))
                .where(col(QueryLog.dismissed_at).is_(None))
                .where(or_(col(QueryLog.abstained).is_(True), col(QueryLog.feedback) == -1))
                .order_by(col(QueryLog.id).desc())
                .limit(MAX_OPEN)
            ).all()
            questions = [
                Question(r.id or 0, r.question, r.lang, r.created_at, r.user_hash,
                         "abstained" if r.abstained else "downvoted")
                for r in rows
            ]
        return group_questions(questions)

    def find_group(self, ref: int | str) -> Group | None:
        return find_group(self.unanswered(), parse_group_ref(ref))

    def dismiss(self, ref: int | str, *, actor: str, channel: str = "") -> Group:
        """Dismiss the open group `ref` (a group id or any of its question ids): its questions leave
        /unanswered for good; only new questions like them form the group again. Audited."""
        group = self.find_group(ref)
        if group is None:
            raise NotFound("staff.no_group", message=f"no open unanswered question or group {ref}", id=str(ref))
        now = self.clock()
        with Session(self.engine) as s:
            for row in s.exec(select(QueryLog).where(col(QueryLog.id).in_(group.query_ids))).all():
                row.dismissed_at = now
                s.add(row)
            s.commit()
        self.audit(actor, "dismiss", channel=channel, target=f"G{group.id}", questions=group.count,
                   query_ids=group.query_ids, question=group.question[:200])
        return group

    def answer(self, ref: int | str, answer: str, *, actor: str, channel: str = "") -> AnswerResult:
        """Store a curated answer for the group `ref` (a group id or any of its question ids),
        resolve its questions and queue relays for the users who opted in."""
        text = " ".join(answer.split()) if "\n" not in answer else answer.strip()
        if not any(ch.isalnum() for ch in text):
            raise ValidationError("staff.empty_answer", message="the answer is empty")
        if len(text) > MAX_ANSWER_CHARS:
            raise ValidationError("staff.answer_too_long", message=f"the answer is over {MAX_ANSWER_CHARS} characters",
                                  limit=MAX_ANSWER_CHARS)
        group = self.find_group(ref)
        if group is None:
            raise NotFound("staff.no_group", message=f"no open unanswered question or group {ref}", id=str(ref))
        now = self.clock()
        doc_id = self._store_in_kb(group, text, actor, now)
        with Session(self.engine) as s:
            curated = CuratedAnswer(
                created_at=now, staff=actor, question=group.question, answer=text, lang=group.lang,
                doc_id=doc_id, query_ids=json.dumps(group.query_ids),
            )
            s.add(curated)
            s.flush()
            assert curated.id is not None
            resolved = self._resolve(s, group.query_ids)
            self._collect_optins(s, group.query_ids, curated.id)
            s.commit()
            curated_id = curated.id
        self.audit(actor, "answer", channel=channel, target=f"G{group.id}", doc_id=doc_id,
                   questions=group.count, curated_id=curated_id)
        return AnswerResult(curated_id, doc_id, group, resolved, self.pending_relays(curated_id))

    def _store_in_kb(self, group: Group, answer: str, actor: str, now: datetime) -> str:
        if self.kb is None:
            raise RuntimeError("the knowledge base is not available")
        from knowledge.types import DocMeta

        asked = list(dict.fromkeys([group.question] + [m.question for m in group.members]))
        meta = DocMeta(title=group.question[:300], lang=group.lang, doc_id=f"qa-{group.id}",
                       extra={"questions": asked})  # what the answer is matched against (retrieval/vetting.py)
        result = self.kb.add_text(
            f"{group.question}\n{answer}", meta, kind="qa", added_by=actor,
            source=f"staff:{actor}:{now.date().isoformat()}",
        )
        return result.doc_id

    @staticmethod
    def _resolve(s: Session, query_ids: Iterable[int]) -> int:
        rows = s.exec(select(QueryLog).where(col(QueryLog.id).in_(list(query_ids)))).all()
        for row in rows:
            row.resolved = True
            s.add(row)
        return len(rows)

    def _collect_optins(self, s: Session, query_ids: list[int], curated_id: int) -> None:
        """Handoffs of these questions count as opt-ins; every open opt-in gets this answer."""
        refs = [self.pseudonyms.ref("q", q) for q in query_ids]
        have = {(o.query_ref, o.channel, o.chat_id) for o in s.exec(
            select(AnswerOptIn).where(col(AnswerOptIn.query_ref).in_(refs))).all()}
        for h in s.exec(select(Handoff).where(col(Handoff.query_ref).in_(refs))).all():
            key = (h.query_ref or "", h.channel, h.chat_id)
            if key not in have:
                have.add(key)
                s.add(AnswerOptIn(query_ref=key[0], channel=h.channel, chat_id=h.chat_id, lang=h.lang))
        s.flush()
        for o in s.exec(select(AnswerOptIn).where(col(AnswerOptIn.query_ref).in_(refs))).all():
            if o.notified_at is None and o.curated_id is None:
                o.curated_id = curated_id
                s.add(o)

    # ---- opt-ins and relays ----------------------------------------------------------------
    def opt_in(self, query_id: int, user_hash: str, channel: str, chat_id: str, lang: str) -> bool:
        """The user who asked `query_id` wants the answer when staff write it. False if not theirs."""
        with Session(self.engine) as s:
            q = s.get(QueryLog, query_id)
            if q is None or q.user_hash != user_hash:
                return False
            ref = self.pseudonyms.ref("q", query_id)
            exists = s.exec(select(AnswerOptIn).where(
                AnswerOptIn.query_ref == ref, AnswerOptIn.channel == channel, AnswerOptIn.chat_id == chat_id,
            )).first()
            if exists is None:
                s.add(AnswerOptIn(query_ref=ref, channel=channel, chat_id=chat_id, lang=lang))
                s.commit()
            return True

    def waiting(self, query_ids: Iterable[int]) -> int:
        """How many chats will get the answer to these questions relayed (opt-ins and handoffs not
        yet answered), counted once per chat: what answering their group will reach."""
        refs = [self.pseudonyms.ref("q", q) for q in query_ids]
        if not refs:
            return 0
        with Session(self.engine) as s:
            chats = {(o.channel, o.chat_id) for o in s.exec(select(AnswerOptIn).where(
                col(AnswerOptIn.query_ref).in_(refs), col(AnswerOptIn.curated_id).is_(None))).all()}
            chats |= {(h.channel, h.chat_id) for h in s.exec(select(Handoff).where(
                col(Handoff.query_ref).in_(refs))).all()}
        return len(chats)

    def pending_relays(self, curated_id: int | None = None) -> list[Relay]:
        """Answers not yet delivered, one per chat and answer (a chat that asked twice gets one)."""
        with Session(self.engine) as s:
            query = select(AnswerOptIn, CuratedAnswer).where(
                col(AnswerOptIn.curated_id) == CuratedAnswer.id, col(AnswerOptIn.notified_at).is_(None))
            if curated_id is not None:
                query = query.where(CuratedAnswer.id == curated_id)
            merged: dict[tuple[int, str, str], Relay] = {}
            for o, c in s.exec(query.order_by(col(AnswerOptIn.id))).all():
                key = (c.id or 0, o.channel, o.chat_id)
                prev = merged.get(key)
                ids = (prev.optin_ids if prev else ()) + (o.id or 0,)
                merged[key] = Relay(ids, o.channel, o.chat_id, o.lang, c.question, c.answer)
        return list(merged.values())

    def mark_relayed(self, relays: Iterable[Relay]) -> None:
        ids = [i for r in relays for i in r.optin_ids]
        if not ids:
            return
        with Session(self.engine) as s:
            for o in s.exec(select(AnswerOptIn).where(col(AnswerOptIn.id).in_(ids))).all():
                o.notified_at = self.clock()
                s.add(o)
            s.commit()

    # ---- statistics ------------------------------------------------------------------------
    def stats(self, days: int = 7) -> Stats:
        if days < 1 or days > 3660:
            raise ValidationError("staff.bad_days", message="days must be between 1 and 3660", value=days)
        return compute_stats(self.engine, days=days, now=self.clock(), timezone=self.timezone,
                             house_timezone=self.house_timezone)
