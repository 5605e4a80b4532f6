"""`/staff list|add|remove|confirm` in the chat: the staff flow's role management (the caller checked
that the user is an admin; every change is audited through `audit`)."""

from __future__ import annotations

from collections.abc import Callable

from handlers.flow import Ctx, need
from handlers.messages import Reply
from handlers.models import Role
from handlers.roles import CHANNELS, LEGACY, BadUserRef


def manage_roles(ctx: Ctx, args: str, audit: Callable[..., object]) -> list[Reply]:
    """`/staff list|add|remove|confirm`: users are CHANNEL:ID, a bare id is on this chat's channel."""
    words = args.split()
    roles = need(ctx.services.roles, "the role store")
    if not words or words[0].lower() == "list":
        return [Reply(_role_lines(ctx, roles.list()))]
    verb, target = words[0].lower(), words[1] if len(words) > 1 else ""
    role = words[2].lower() if len(words) > 2 else "staff"
    if verb not in ("add", "remove", "confirm") or not target or role not in ("staff", "admin"):
        return [Reply(ctx.t("sec.roles.usage", channels=", ".join(CHANNELS), channel=ctx.msg.channel))]
    try:
        user = roles.parse(target, ctx.msg.channel, allow_legacy=verb == "remove")
    except BadUserRef:
        return [Reply(ctx.t("sec.roles.bad_id", user_id=target, channels=", ".join(CHANNELS)))]
    if verb == "add":
        roles.add(user, role, added_by=ctx.user_key)
        audit(ctx.msg.user_id, "role_add", channel=ctx.msg.channel, target=str(user), role=role)
        return [Reply(ctx.t("staff.roles.added", user_id=str(user), role=role))]
    if verb == "confirm":
        confirmed = roles.confirm(user, confirmed_by=ctx.user_key)
        audit(ctx.msg.user_id, "role_confirm", channel=ctx.msg.channel, target=str(user),
              outcome="ok" if confirmed else "failed", role=confirmed)
        if confirmed is None:
            return [Reply(ctx.t("sec.roles.nothing_to_confirm", bare_id=user.user_id))]
        return [Reply(ctx.t("sec.roles.confirmed", user_id=str(user), role=confirmed))]
    if roles.is_bootstrap(user):
        return [Reply(ctx.t("staff.roles.bootstrap", user_id=str(user)))]
    removed = roles.remove(user)
    audit(ctx.msg.user_id, "role_remove", channel=ctx.msg.channel, target=str(user),
          outcome="ok" if removed else "failed")
    return [Reply(ctx.t("staff.roles.removed" if removed else "staff.roles.not_found", user_id=str(user)))]


def _role_lines(ctx: Ctx, rows: list[Role]) -> str:
    lines = [ctx.t("staff.roles.header", n=len(rows))]
    for r in rows:
        if r.channel == LEGACY:
            lines.append(ctx.t("sec.roles.unconfirmed_line", user_id=f"{LEGACY}:{r.user_id}", role=r.role,
                               bare_id=r.user_id))
        else:
            lines.append(ctx.t("staff.roles.line", user_id=f"{r.channel}:{r.user_id}", role=r.role,
                               added_by=r.added_by or "—"))
    return "\n".join(lines)
