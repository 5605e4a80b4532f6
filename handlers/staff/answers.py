"""Answering a group of unanswered questions: the one path the staff chat and the web console share.

The answer becomes a curated staff answer (handlers/staff_service.py: stored in the knowledge base,
the group's questions resolved, audited), the search indexes take it in at once, the users who
asked to be told get it relayed in their language, and the staff chat gets a note.
"""

from __future__ import annotations

from handlers.flow import Ctx
from handlers.i18n import Catalog
from handlers.messages import Choice, Reply, Target
from handlers.staff.alerts import staff_alert
from handlers.staff.service import Relay, StaffService


def relay_replies(catalog: Catalog, relays: list[Relay]) -> list[Reply]:
    """The messages that deliver curated answers to the users who asked, in their language."""
    return [
        Reply(catalog.t(r.lang, "staff.relay", question=r.question, answer=r.answer),
              target=Target(r.channel, r.chat_id))
        for r in relays
    ]


def save_answer(ctx: Ctx, service: StaffService, group_id: int, text: str) -> list[Reply]:
    """Store `text` as the answer of the group and return: the confirmation for the staff member,
    the relays (each with its user as target) and the staff chat's note. Raises the service's
    CivicError (empty or too long answer, no such open group) with nothing written."""
    result = service.answer(group_id, text, actor=ctx.msg.user_id, channel=ctx.msg.channel)
    if ctx.services.search is not None:
        ctx.services.search.refresh()
    relays = relay_replies(ctx.catalog, result.relays)
    service.mark_relayed(result.relays)  # the replies go to the outbox: delivered from there
    done = Reply(ctx.t("staff.answer.saved", doc_id=result.doc_id, questions=result.resolved,
                       notified=len(relays)), choices=[[Choice(ctx.t("staff.btn.unanswered"), "staff:un")]])
    alert = staff_alert(ctx, "staff.alert.answered", question=result.group.question, doc_id=result.doc_id)
    return [done, *relays, *alert]
