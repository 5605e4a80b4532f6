"""The Unanswered page: the chat's `/unanswered` groups, answering a group and dismissing one.

Groups come from `StaffService.unanswered()` (the grouping of the chat and of `civicbot
unanswered`). Answering runs the chat's own path (handlers/staff/answers.py: a curated staff
answer in the knowledge base, the questions resolved, the users who asked to be told get it in
their messenger through the outbox, the staff chat gets a note, audited); dismissing is
`StaffService.dismiss`, as `civicbot unanswered dismiss GROUP` (audited by the service).
Blocking functions: pages call them off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.web.staff_ctx import StaffActions
from handlers.staff.answers import save_answer
from handlers.staff.flow import service_of
from handlers.staff.grouping import Group
from handlers.staff.service import StaffService
from knowledge.errors import CivicError, NotFound

SHOWN_WORDINGS = 6


@dataclass(frozen=True)
class GroupRow:
    id: int
    question: str
    lang: str
    count: int
    """Questions in the group (asked this many times)."""
    users: int
    last_asked: str
    wordings: list[str]
    """Other wordings people used (at most SHOWN_WORDINGS)."""
    abstained: int
    downvoted: int
    waiting: int
    """Chats that asked to be told (they get the answer relayed)."""


def _local(value: datetime, tz: ZoneInfo) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def group_row(service: StaffService, g: Group, tz: ZoneInfo) -> GroupRow:
    reasons = g.to_json()["reasons"]
    assert isinstance(reasons, dict)
    wordings = [q for q in dict.fromkeys(" ".join(m.question.split()) for m in g.members) if q != g.question]
    return GroupRow(g.id, g.question, g.lang, g.count, g.users, _local(g.last_asked, tz), wordings[:SHOWN_WORDINGS],
                    int(reasons.get("abstained", 0)), int(reasons.get("downvoted", 0)), service.waiting(g.query_ids))


def groups(service: StaffService, timezone: str) -> list[GroupRow]:
    """Open groups, the most frequent first (as in the chat's /unanswered)."""
    tz = ZoneInfo(timezone)
    return [group_row(service, g, tz) for g in service.unanswered()]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    relayed: int = 0
    """For an answer: the users it was sent to."""
    code: str = ""
    """For a refusal: the error code (`staff.empty_answer`, `staff.answer_too_long`, `staff.no_group`)."""


def _refusal(actions: StaffActions, lang: str, exc: CivicError, group_id: int) -> Outcome:
    if isinstance(exc, NotFound):
        return Outcome(False, actions.catalog.t(lang, "web_kb.unanswered.gone", id=group_id), code=exc.code)
    key = f"error.{exc.code}"
    text = actions.catalog.t(lang, key, **exc.params) if actions.catalog.has(key, "en") else \
        actions.catalog.t(lang, "error.generic_input")
    return Outcome(False, text, code=exc.code)


def answer_group(actions: StaffActions, actor: str, lang: str, group_id: int, text: str) -> Outcome:
    """Answer the open group `group_id` with `text` (refusals audited as `failed`, nothing written)."""
    ctx = actions.ctx(actor, lang)
    service = service_of(ctx)
    try:
        replies = save_answer(ctx, service, group_id, text)
    except CivicError as exc:
        service.audit(actor, "answer", channel=ctx.msg.channel, target=f"G{group_id}", outcome="failed",
                      code=exc.code)
        return _refusal(actions, lang, exc, group_id)
    relayed = sum(1 for r in replies if r.target is not None and r.target != ctx.staff_target)
    mine = actions.send_targeted(replies)
    return Outcome(True, "\n".join(r.text for r in mine), relayed)


def dismiss_group(actions: StaffActions, actor: str, lang: str, group_id: int) -> Outcome:
    """Dismiss the open group `group_id` (as `civicbot unanswered dismiss G<id>`; audited)."""
    service = actions.services.staff or actions.app.staff
    try:
        group = service.dismiss(group_id, actor=actor, channel="web")
    except NotFound as exc:
        service.audit(actor, "dismiss", channel="web", target=f"G{group_id}", outcome="failed", code=exc.code)
        return _refusal(actions, lang, exc, group_id)
    text = actions.catalog.t(lang, "staff.unanswered.dismissed", id=group.id, count=group.count,
                             question=group.question[:160])
    return Outcome(True, text)
