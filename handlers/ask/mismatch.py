"""The reply for an answer found only for another place, year, program or country: said plainly
and labelled ("I have no information about Hà Giang. The nearest I have is about Tuyên Quang: …")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from handlers.flow import Ctx, Stale
from handlers.messages import Choice, Reply

if TYPE_CHECKING:  # types only: answering loads the retrieval models
    from retrieval.answer import Answer, Citation

Translate = Callable[..., str]
"""`t(key, **params)` in the reader's language."""

_WORDED = {"year": "constraints.year", "document": "constraints.document", "quarter": "constraints.quarter"}
_PROGRAMS = ("program", "project", "subproject")


def _value(t: Translate, kind: str, value: str) -> str:
    if kind in _WORDED:
        return t(_WORDED[kind], value=value)
    if kind == "program":
        sort, _, code = value.partition(" ")
        if sort in _PROGRAMS and code:
            return t(f"constraints.{sort}", value=code)
    return value


def mismatch_text(t: Translate, result: Answer) -> str:
    """The labelled reply: what is missing, then the nearest fact the knowledge base has."""
    mm = result.mismatch
    if mm is None:  # not a mismatch: the answer as it is
        return result.text
    lines = [t("constraints.no_info", asked=_value(t, mm.kind, mm.asked))]
    if result.text:
        if mm.found:
            lines.append(t("constraints.nearest", found=_value(t, mm.kind, mm.found)))
        else:
            lines.append(t("constraints.nearest_plain"))
        lines.append(result.text)
    return "\n".join(lines)


def citation_label(t: Translate, citation: Citation) -> str:
    """A citation's title, marked when it is a curated staff answer."""
    title = str(citation.title)
    if citation.kind == "qa":
        return f"{title} ({t('constraints.staff_answer')})"
    return title


COUNTRIES = ("VN", "KZ")
"""The countries a user may choose (`/country vn|kz|auto`): which documents answer them."""


def _country_name(code: str, lang: str) -> str:
    from retrieval.gazetteer import gazetteer

    entity = gazetteer().entities.get(code)
    return entity.label(lang) if entity is not None else code


def country_reply(ctx: Ctx, arg: str, *, stale_if_unknown: bool = False) -> list[Reply]:
    """`/country` shows the choice; `/country vn|kz` sets it; `/country auto` clears it (the
    country then comes from the channel, the question and its language)."""
    code = arg.strip().upper()
    if code in COUNTRIES:
        ctx.session["country"] = code
        return [Reply(ctx.t("constraints.country_set", country=_country_name(code, ctx.lang)))]
    if code == "AUTO":
        ctx.session.pop("country", None)
        return [Reply(ctx.t("constraints.country_auto_set"))]
    if stale_if_unknown:
        raise Stale()
    current = ctx.session.get("country")
    shown = _country_name(current, ctx.lang) if current else ctx.t("constraints.country_auto")
    rows = [[Choice(_country_name(c, ctx.lang), f"ask:country:{c}") for c in COUNTRIES],
            [Choice(ctx.t("constraints.country_auto"), "ask:country:auto")]]
    return [Reply(ctx.t("constraints.country_prompt", current=shown), choices=rows)]
