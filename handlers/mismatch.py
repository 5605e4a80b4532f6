"""The reply for an answer found only for another place, year, program or country: said plainly
and labelled ("I have no information about Hà Giang. The nearest I have is about Tuyên Quang: …")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Translate = Callable[..., str]
"""`t(key, **params)` in the reader's language."""

_WORDED = {"year": "constraints.year", "document": "constraints.document"}
_PROGRAMS = ("program", "project", "subproject")


def _value(t: Translate, kind: str, value: str) -> str:
    if kind in _WORDED:
        return t(_WORDED[kind], value=value)
    if kind == "program":
        sort, _, code = value.partition(" ")
        if sort in _PROGRAMS and code:
            return t(f"constraints.{sort}", value=code)
    return value


def mismatch_text(t: Translate, result: Any) -> str:
    """The labelled reply: what is missing, then the nearest fact the knowledge base has."""
    mm = result.mismatch
    lines = [t("constraints.no_info", asked=_value(t, mm.kind, mm.asked))]
    if result.text:
        if mm.found:
            lines.append(t("constraints.nearest", found=_value(t, mm.kind, mm.found)))
        else:
            lines.append(t("constraints.nearest_plain"))
        lines.append(result.text)
    return "\n".join(lines)


def citation_label(t: Translate, citation: Any) -> str:
    """A citation's title, marked when it is a curated staff answer."""
    title = str(citation.title)
    if getattr(citation, "kind", "document") == "qa":
        return f"{title} ({t('constraints.staff_answer')})"
    return title
