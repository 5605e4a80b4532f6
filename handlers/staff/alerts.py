"""Notes to the staff chat (`STAFF_CHAT_ID`) when the knowledge changes: who added, replaced or
removed a document, who answered a question. Written in the staff language (`staff_lang`)."""

from __future__ import annotations

from handlers.flow import Ctx
from handlers.messages import Reply
from handlers.staff_chat import staff_lang


def staff_alert(ctx: Ctx, key: str, **params: object) -> list[Reply]:
    """A note to the staff chat, unless there is none or the change was made in that chat."""
    target = ctx.staff_target
    if target is None or (ctx.msg.channel, ctx.msg.chat_id) == (target.channel, target.chat_id):
        return []
    lang = staff_lang(ctx.services)
    actor = ctx.msg.user_name or ctx.msg.user_id
    return [Reply(ctx.catalog.t(lang, key, actor=actor, **params), target=target)]
