"""Helpers of the eligibility chat: the period of a typed amount, the echo of what was understood,
choice options the rules can actually decide (e.g. regions with a poverty line), honest progress.

* An amount is read with the period written in it ("40 000 в месяц", "120 000 за 3 месяца",
  "4 triệu mỗi tháng") and converted to the question's unit; when the question lists `periods`
  and the text names none, the chat asks "per month or for the quarter?" with buttons.
* Every accepted amount is shown back as understood ("40 000 ₸ в месяц = 120 000 ₸ за квартал")
  before the next question or the result.
* A choice whose options feed a table lookup offers only the options with a value for the check
  date, and says which are missing; with none at all the check says so up front.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from handlers.eligibility.result import currency_symbol
from handlers.flow import Ctx, need
from handlers.jsondata import JsonObject
from handlers.messages import Choice
from knowledge.eligibility.engine import Value, evaluate
from knowledge.eligibility.periods import unit_period
from knowledge.eligibility.schema import Option, Question, RuleSet
from knowledge.eligibility.values import format_number, in_unit
from knowledge.errors import NotFound


def currency(ctx: Ctx, rs: RuleSet) -> str:
    return currency_symbol(ctx, rs)


def money(ctx: Ctx, rs: RuleSet, amount: Fraction) -> str:
    return ctx.t("eligibility.money", amount=format_number(amount, ctx.lang), currency=currency(ctx, rs))


def echo_amount(ctx: Ctx, rs: RuleSet, q: Question, amount: Fraction, period: str | None) -> str:
    """"Понял: 40 000 ₸ в месяц = 120 000 ₸ за квартал." (or just the amount and its period)."""
    base = unit_period(q.unit)
    typed = money(ctx, rs, amount)
    if base is None:
        return ctx.t("eligibility.understood", what=typed)
    given = period or base
    what = f"{typed} {ctx.t(f'eligibility.per.{given}')}"
    if given != base:
        what += f" = {money(ctx, rs, in_unit(q, amount, given))} {ctx.t(f'eligibility.per.{base}')}"
    return ctx.t("eligibility.understood", what=what)


def period_buttons(ctx: Ctx, q: Question) -> list[list[Choice]]:
    return [[Choice(ctx.t(f"eligibility.period_button.{p}"), f"elig:u:{p}") for p in q.periods or []]]


def remaining(rs: RuleSet, answers: JsonObject) -> int:
    """Every question not answered yet that may still be asked: the progress total never grows
    (the check may end sooner when the answers already decide it)."""
    return sum(1 for q in rs.questions if q.ask and q.id not in answers)


def decidable_options(
    ctx: Ctx, rs: RuleSet, q: Question, typed: dict[str, Value], on: date
) -> tuple[list[Option], list[Option]]:
    """(options the rules have data for on `on`, options without): e.g. regions with a poverty line."""
    if q.type != "choice" or not any(q.id in (th.key or []) for th in rs.thresholds.values()):
        return list(q.options or []), []
    ok: list[Option] = []
    missing: list[Option] = []
    for option in q.options or []:
        try:
            evaluate(rs, {**typed, q.id: option.id}, on, need(ctx.services.rules, "the eligibility rules").tables)
        except NotFound:
            missing.append(option)
            continue
        ok.append(option)
    return ok, missing
