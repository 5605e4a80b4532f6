"""`/web`: a staff member asks for a one-time sign-in link to the staff web console (bot/web/).

The role is checked on every call (the dialog refuses non-staff before, this flow checks again);
refusals and issued links are written to the audit log. The link is valid 10 minutes, once
(handlers/web/auth.py); its base is `PUBLIC_URL`, else http://127.0.0.1:<port>.
"""

from __future__ import annotations

from handlers.audit import audit_refusal
from handlers.flow import Ctx, Flow, Services, need
from handlers.messages import Reply
from handlers.staff.flow import service_of
from handlers.web.auth import LINK_TTL, WebAuthStore

SIGNIN_PATH = "/staff/signin/"
"""Where the console (bot/web/auth.py) takes a link's token."""


def signin_url(base: str, token: str) -> str:
    return base.rstrip("/") + SIGNIN_PATH + token


def web_store(services: Services) -> WebAuthStore:
    return WebAuthStore(need(services.roles, "roles").engine)


class WebFlow(Flow):
    name = "web"
    commands = ("web",)
    staff_only = True

    def available(self, services: Services) -> bool:
        return services.roles is not None

    def on_forbidden(self, ctx: Ctx, what: str) -> list[Reply]:
        audit_refusal(ctx, "web_link")
        return [Reply(ctx.t("web.chat.forbidden"))]

    def start(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()
        return self.on_command(ctx, "web", "")

    def on_command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if not ctx.is_staff():  # checked again on every call, whatever the dialog did
            return self.on_forbidden(ctx, command)
        token = web_store(ctx.services).issue_link(ctx.msg.channel, ctx.msg.user_id, ctx.lang)
        service_of(ctx).audit(ctx.msg.user_id, "web_link", channel=ctx.msg.channel)
        base = str(ctx.services.settings.get("console_url") or "http://127.0.0.1:8080")
        minutes = int(LINK_TTL.total_seconds() // 60)
        return [Reply(ctx.t("web.chat.link", url=signin_url(base, token), minutes=minutes))]
