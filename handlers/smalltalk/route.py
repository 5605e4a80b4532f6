"""Small talk and intents, the dialog's step before free text reaches a flow: what is not a
question never reaches the answerer.

Greetings, thanks, goodbyes, "ok"/"dạ"/"ок", laughter and emoji get a short localized reply (the
main menu after a greeting or an emoji); they are not searched, so they are not logged and never
fill /unanswered. A stray number that matched no button (the dialog maps the numbers that do)
shows the current buttons again. "Book a room", "am I a poor household?", "let me talk to a person"
are intents: the flow registered for one (handlers/registry.py: `Flow.intents`) is started through
its own command, so its logic and checks stay where they are — this module names no flow. The
classifier is handlers/smalltalk/classify.py.

It applies outside flows only, and at a step whose flow says it is open to small talk (the ask
flow's "type your question" prompt: `Flow.open_to_small_talk`): inside a booking or an eligibility
check, what the user types is the flow's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.flow import Ctx
from handlers.messages import Choice, Reply
from handlers.smalltalk.classify import Verdict, classify
from knowledge.text import marked_language

MENU_AFTER = ("greeting", "emoji")


@dataclass
class Routed:
    """What the dialog does instead: send `replies`, then run `command` (with `args`) as if typed,
    or show the main menu."""

    replies: list[Reply] = field(default_factory=list)
    command: str | None = None
    args: str = ""
    menu: bool = False


def applies(ctx: Ctx) -> bool:
    """No flow is waiting for this text (a step open to small talk is not: the ask prompt)."""
    if ctx.flow is None:
        return True
    active = ctx.flows.get(ctx.flow) if ctx.flows is not None else None
    return active is not None and active.open_to_small_talk(ctx)


def route(ctx: Ctx, text: str) -> Routed | None:
    """None: the text is a question (or the active flow's input)."""
    if not applies(ctx):
        return None
    verdict = classify(text)
    if verdict is None:
        return None
    _reply_lang(ctx, text)
    if verdict.kind == "digits":
        return _reshow(ctx)
    if verdict.kind == "smalltalk":
        return Routed([Reply(ctx.t(f"smalltalk.{verdict.category}"))], menu=verdict.category in MENU_AFTER)
    return _intent(ctx, verdict)


def _reply_lang(ctx: Ctx, text: str) -> None:
    """Answer in the language of the message when it shows one (Cyrillic; Vietnamese diacritics)."""
    ctx.lang = marked_language(text) or ctx.lang


def _reshow(ctx: Ctx) -> Routed:
    """The buttons the user was last shown (one per row, numbered on text-only channels)."""
    choices: list[list[str]] = ctx.session.get("choices") or []
    if not choices or ctx.session.get("input") == "text":
        return Routed([Reply(ctx.t("smalltalk.digit_menu"))], menu=True)
    rows = [[Choice(label, data)] for label, data in choices]
    return Routed([Reply(ctx.t("smalltalk.digit", n=len(choices)), choices=rows)])


def _intent(ctx: Ctx, verdict: Verdict) -> Routed | None:
    served = ctx.flows.for_intent(verdict.category) if ctx.flows is not None else None
    if served is None or not served[0].available(ctx.services):
        if verdict.category == "handoff":
            return None  # nobody takes handoffs: nothing better than the usual path
        return Routed([Reply(ctx.t(f"smalltalk.no_{verdict.category}"))], menu=True)
    flow, command = served
    if verdict.category == "handoff":
        return Routed(command=command)
    args = flow.intent_args(ctx, verdict.category)
    return Routed([Reply(ctx.t(f"smalltalk.start_{verdict.category}"))], command=command, args=args)
