"""Refusals of staff-only actions, written to the staff audit log (handlers/staff/models.py).

Every flow refuses the same way: the actor is the pseudonym `u:<hash>` (a refused user is not staff,
so no raw id is kept), the channel, the action, its target. Without a database (no role store and
no staff service) the refusal is only logged.
"""

from __future__ import annotations

import logging

from handlers.flow import Ctx

log = logging.getLogger(__name__)


def audit_refusal(ctx: Ctx, action: str, *, target: str | None = None, **details: object) -> None:
    log.info("refused %s for %s", action, ctx.user_hash)
    if ctx.services.staff is None and ctx.services.roles is None:
        return
    from handlers.staff.flow import service_of

    service_of(ctx).audit(f"u:{ctx.user_hash}", action, channel=ctx.msg.channel, target=target,
                          outcome="refused", **details)
