"""Small talk and intents in the dialog: what is not a question never reaches the answerer.

Greetings, thanks, goodbyes, "ok"/"dạ"/"ок", laughter and emoji get a short localized reply (the
main menu after a greeting or an emoji); they are not searched, so they are not logged and never
fill /unanswered. A stray number that matched no button (the dialog maps the numbers that do)
shows the current buttons again. "Book a room", "am I a poor household?", "let me talk to a person"
start the existing flows through their own commands (book, eligibility, contact), so their logic
and checks stay where they are. The classifier is handlers/ask/smalltalk_classify.py.

It applies outside flows only (and at the "type your question" prompt): inside a booking or an
eligibility check, what the user types is the flow's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.ask.smalltalk_classify import Verdict, classify
from handlers.flow import Ctx, Flow
from handlers.messages import Choice, Reply
from knowledge.text import marked_language

MENU_AFTER = ("greeting", "emoji")
INTENT_COMMANDS = {"handoff": ("ask", "contact"), "booking": ("bk", "book"), "eligibility": ("elig", "eligibility")}


@dataclass
class Routed:
    """What the dialog does: send `replies`, then run `command` (with `args`) or show the menu."""

    replies: list[Reply] = field(default_factory=list)
    command: str | None = None
    args: str = ""
    menu: bool = False


def applies(ctx: Ctx) -> bool:
    """No flow is waiting for this text (the ask prompt is not: any question may come there)."""
    return ctx.flow is None or (ctx.flow == "ask" and not ctx.data.get("await"))


def route(ctx: Ctx, text: str, flows: Mapping[str, Flow]) -> Routed | None:
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
    return _intent(ctx, verdict, flows)


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


def _intent(ctx: Ctx, verdict: Verdict, flows: Mapping[str, Flow]) -> Routed | None:
    flow_name, command = INTENT_COMMANDS[verdict.category]
    flow = flows.get(flow_name)
    if flow is None or not flow.available(ctx.services):
        if verdict.category == "handoff":
            return None  # no ask flow at all: nothing better than the usual path
        return Routed([Reply(ctx.t(f"smalltalk.no_{verdict.category}"))], menu=True)
    if verdict.category == "handoff":
        return Routed(command=command)
    args = _program(ctx) if verdict.category == "eligibility" else ""
    return Routed([Reply(ctx.t(f"smalltalk.start_{verdict.category}"))], command=command, args=args)


def _program(ctx: Ctx) -> str:
    """The one eligibility program offered first in the reply language and in force today, if only
    one is (vi → the Vietnamese poverty standard, ru → Kazakhstan's ASP); else "" (the program list)."""
    rules = ctx.services.rules
    found = []
    for program in rules.programs():
        versions = rules.versions(program)
        if not versions or ctx.lang not in versions[-1].menu_langs:
            continue
        try:
            rules.resolve(program, rules.today(program, ctx.now))
        except Exception:  # no version in force today: not offered
            continue
        found.append(program)
    return found[0] if len(found) == 1 else ""
