"""The result of an eligibility check as chat messages: what, why, support, where to apply, sources.

The wording of the classification, reasons and support comes from the rule file (rules are data,
in vi / ru / en); the headings come from the message catalog (handlers/locales/*/eligibility.yaml).
"""

from __future__ import annotations

from datetime import date

from handlers.flow import Ctx
from handlers.messages import Choice, Reply
from knowledge.eligibility.engine import Decision, previous_quarter
from knowledge.eligibility.render import benefit_text, reason_text
from knowledge.eligibility.schema import RuleSet, Source
from knowledge.eligibility.values import format_number


def fmt_date(ctx: Ctx, day: date) -> str:
    return ctx.t("eligibility.date", d=f"{day.day:02d}", m=f"{day.month:02d}", y=str(day.year))


def quarter_months(ctx: Ctx, quarter: str) -> str:
    """"2026Q3" → "tháng 7–9/2026" / "июль–сентябрь 2026"."""
    year, q = quarter.split("Q")
    return ctx.t(f"eligibility.quarter_months.q{q}", year=year)


def prev_quarter_months(ctx: Ctx, on: date) -> str:
    return quarter_months(ctx, previous_quarter(on))


def result_replies(ctx: Ctx, rs: RuleSet, decision: Decision) -> list[Reply]:
    lang = ctx.lang
    outcome = rs.outcome(decision.outcome or "")
    assert outcome is not None
    head = [ctx.t("eligibility.result_title", label=outcome.label.get(lang)), outcome.summary.get(lang)]
    for e in decision.examples:  # a sample table value: said loudly, first
        warning = ctx.t("eligibility.example", value=format_number(e.value, lang),
                        key=_example_key(ctx, rs, e.key), currency=currency_symbol(ctx, rs))
        head.insert(0, warning + "\n")
    if decision.reasons:
        head += ["", ctx.t("eligibility.why")]
        head += [f"• {reason_text(rs, decision, r, lang)}" for r in decision.reasons]
    if not decision.verified:
        head += ["", ctx.t("eligibility.unverified")]
    replies = [Reply("\n".join(head))]
    if decision.benefits:
        lines = [ctx.t("eligibility.support")]
        for b in decision.benefits:
            title, text = benefit_text(rs, decision, b, lang)
            mark = "" if b.verified else ctx.t("eligibility.unverified_mark")
            lines.append(f"• {title}{mark}: {text}")
        replies.append(Reply("\n".join(lines)))
    tail = [ctx.t("eligibility.apply"), rs.apply.get(lang), "", ctx.t("eligibility.sources")]
    tail += [f"• {_source_line(ctx, s)}" for s in _cited_sources(rs, decision)]
    tail.append(ctx.t("eligibility.rules_version", title=rs.title.get(lang),
                      since=fmt_date(ctx, rs.effective.from_), on=fmt_date(ctx, decision.on)))
    tail += ["", "ℹ️ " + rs.disclaimer.get(lang)]
    choices = [[Choice(ctx.t("eligibility.again"), "elig:again")],
               [Choice(ctx.t("eligibility.main_menu"), "menu:main")]]
    replies.append(Reply("\n".join(tail), choices=choices))
    return replies


def currency_symbol(ctx: Ctx, rs: RuleSet) -> str:
    key = f"eligibility.currency.{rs.currency.lower()}"
    return ctx.t(key) if ctx.catalog.has(key, "en") else rs.currency


def _example_key(ctx: Ctx, rs: RuleSet, key: tuple[str, ...]) -> str:
    """("pavlodar", "2026Q4") → "Павлодарская область, октябрь–декабрь 2026"."""
    parts = []
    for k in key:
        label = next((o.label.get(ctx.lang) for q in rs.questions for o in q.options or [] if o.id == k), None)
        parts.append(label or (quarter_months(ctx, k) if len(k) == 6 and k[4] == "Q" else k))
    return ", ".join(parts)


def _cited_sources(rs: RuleSet, decision: Decision) -> list[Source]:
    """The program's main source, then the sources of the thresholds and support involved."""
    ids: list[str] = [rs.sources[0].id] + [s.id for s in rs.sources if s.cite]
    for th in rs.thresholds.values():
        if th.source:
            ids.append(th.source)
    for b in decision.benefits:
        if b.source:
            ids.append(b.source)
    seen: list[Source] = []
    for sid in ids:
        src = rs.source(sid)
        if src is not None and src not in seen:
            seen.append(src)
    return seen


def _source_line(ctx: Ctx, src: Source) -> str:
    text = src.document
    if src.article:
        text += f", {src.article}"
    if src.date:
        text += f" ({fmt_date(ctx, src.date)})"
    if src.url:
        text += f" — {src.locator or src.url}"
    if not src.verified:
        text += ctx.t("eligibility.unverified_mark")
    return text
