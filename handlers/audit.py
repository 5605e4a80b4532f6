"""The audit log of staff actions and refusals (table `staff_audit`, handlers/models.py), shared by
every flow: one writer, `write_audit`, used by the staff tools and by every refusal.

Every flow refuses the same way (`audit_refusal`): the actor is the pseudonym `u:<hash>` (a refused
user is not staff, so no raw id is kept), the channel, the action, its target. Without a database
(no role store and no staff service) the refusal is only logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from handlers.flow import Ctx
from handlers.models import AuditEntry
from knowledge.models import insert_returning_id, utcnow

log = logging.getLogger(__name__)


def write_audit(engine: Engine, actor: str, action: str, /, *, channel: str = "", target: str | None = None,
                outcome: str = "ok", clock: Callable[[], datetime] = utcnow, **details: object) -> int:
    """Append one entry (`outcome`: ok, refused or failed; `details` as JSON); its id."""
    row = AuditEntry(
        created_at=clock(), actor=str(actor)[:200], channel=channel, action=action[:40],
        target=None if target is None else str(target)[:300], outcome=outcome,
        details=json.dumps(details, ensure_ascii=False, default=str),
    )
    return insert_returning_id(engine, row)


def audit_refusal(ctx: Ctx, action: str, *, target: str | None = None, **details: object) -> None:
    log.info("refused %s for %s", action, ctx.user_hash)
    actor = f"u:{ctx.user_hash}"
    if ctx.services.staff is not None:
        ctx.services.staff.audit(actor, action, channel=ctx.msg.channel, target=target, outcome="refused", **details)
    elif ctx.services.roles is not None:
        write_audit(ctx.services.roles.engine, actor, action, channel=ctx.msg.channel, target=target,
                    outcome="refused", clock=utcnow, **details)
