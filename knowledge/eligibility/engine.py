"""Pure, deterministic evaluation of one rule version: answers in, a :class:`Decision` out.

Arithmetic is exact (fractions), so "income ≤ line" at the boundary is decided exactly.
Unanswered questions use three-valued logic: a condition that can be decided without them is
decided (an income above every line needs no deprivation answers); otherwise the decision lists
the missing question ids and has no outcome. Nothing is guessed.

The values of names and expressions and the tests of conditions are the :class:`Evaluator`'s
(evaluator.py); this module picks the outcome and works out its reasons and benefits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from fractions import Fraction

from knowledge.eligibility.decision import (
    BenefitResult,
    Decision,
    ExampleValue,
    NamedValue,
    Reason,
    TableData,
    TableRow,
    Value,
    previous_quarter,
    quarter_of,
)
from knowledge.eligibility.evaluator import Evaluator, Missing, as_number
from knowledge.eligibility.schema import Benefit, Outcome, RuleSet
from knowledge.errors import NotFound, ValidationError

__all__ = ["BenefitResult", "Decision", "Evaluator", "ExampleValue", "NamedValue", "Reason", "TableData", "TableRow",
           "Value", "benefit", "evaluate", "previous_quarter", "quarter_of"]


def benefit(ev: Evaluator, bid: str, b: Benefit) -> tuple[BenefitResult | None, frozenset[str]]:
    """Benefit `bid` of the chosen outcome: its result (None when its `when` does not hold) and the ids
    still missing for its amount, details or variant."""
    if b.when is not None:
        r = ev.test(b.when)
        if isinstance(r, frozenset):
            return None, r
        if r is False:
            return None, frozenset()
    missing: set[str] = set()
    amount: Fraction | None = None
    details: dict[str, Fraction] = {}
    unknown = False
    try:
        if b.amount is not None:
            amount = as_number(ev.expr(b.amount))
        details = {k: as_number(v) for k, v in zip(b.details, ev.evaluate_all(list(b.details.values())), strict=True)}
    except Missing as exc:
        missing |= exc.ids
    except NotFound:
        amount, details, unknown = None, {}, True
    variant = None
    for v in b.variants:
        r = ev.test(v.when)
        if isinstance(r, frozenset):
            missing |= r
            break
        if r:
            variant = v.id
            break
    result = BenefitResult(bid, amount, b.unit, details, variant, b.source, b.verified, unknown)
    return result, frozenset(missing)


def evaluate(
    rs: RuleSet, answers: Mapping[str, Value], on: date, tables: Mapping[str, TableData] | None = None
) -> Decision:
    """Decide the outcome of `rs` for these (already typed) answers as of `on`."""
    ev = Evaluator(rs, answers, on, tables)
    chosen: Outcome | None = None
    missing: set[str] = set()
    for outcome in rs.outcomes:
        r = ev.test(outcome.when)
        if r is True:
            chosen = outcome
            break
        if isinstance(r, frozenset):
            missing |= r
            break
    if chosen is None and not missing:
        raise ValidationError("eligibility.rule_error",
                              message=f"{rs.program} {rs.version}: no outcome matches these answers")
    reasons: list[Reason] = []
    benefits: list[BenefitResult] = []
    if chosen is not None:
        reasons = ev.explain(chosen.when) + [Reason(code) for code in chosen.notes]
        for bid in chosen.benefits:
            result, need = benefit(ev, bid, rs.benefits[bid])
            missing |= need
            if result is not None:
                benefits.append(result)
    base = Decision(rs.program, rs.version, on, None, sources=tuple(rs.sources),
                    values={k: v for k, v in ev.cache.items() if not isinstance(v, Missing)})
    if missing:
        order = [q.id for q in rs.questions]
        ranked = sorted(missing, key=lambda m: (order.index(m) if m in order else len(order), m))
        return _replace(base, missing=tuple(ranked), verified=not ev.unverified, unverified=tuple(ev.unverified),
                        examples=tuple(ev.examples))
    assert chosen is not None
    return _replace(base, outcome=chosen.id, reasons=tuple(reasons), benefits=tuple(benefits),
                    verified=not ev.unverified, unverified=tuple(ev.unverified), examples=tuple(ev.examples))


def _replace(d: Decision, **changes: object) -> Decision:
    return replace(d, **changes)  # type: ignore[arg-type]
