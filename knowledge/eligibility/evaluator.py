"""The evaluator of one rule version: the values of names and expressions, and three-valued conditions.

Arithmetic is exact (fractions). A name whose question is unanswered raises :class:`Missing` with
the ids needed; a condition that can be decided without them is decided, else its test is the
frozenset of missing ids. Values are cached per evaluation (one :class:`Evaluator` per check), and
unverified inputs and example table rows used on the way are collected for the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from fractions import Fraction

from knowledge.eligibility.conditions import COMPARISONS, Cond, Expr, Op
from knowledge.eligibility.decision import (
    ExampleValue,
    NamedValue,
    Reason,
    Result,
    TableData,
    Value,
    previous_quarter,
    quarter_of,
)
from knowledge.eligibility.schema import RuleSet
from knowledge.errors import NotFound, ValidationError


class Missing(Exception):
    """Names that cannot be computed because these questions are unanswered (`ids`)."""

    def __init__(self, ids: frozenset[str]) -> None:
        super().__init__(", ".join(sorted(ids)))
        self.ids = ids


class Evaluator:
    def __init__(
        self, rs: RuleSet, answers: Mapping[str, Value], on: date, tables: Mapping[str, TableData] | None = None
    ) -> None:
        self.rs = rs
        self.answers = answers
        self.on = on
        self.tables = tables or {}
        self.cache: dict[str, Value | Missing] = {}
        self.unverified: list[str] = []
        self.examples: list[ExampleValue] = []

    # ---- values ------------------------------------------------------------------------
    def name(self, name: str) -> Value:
        cached = self.cache.get(name)
        if isinstance(cached, Missing):
            raise cached
        if cached is not None:
            return cached
        try:
            value = self._compute(name)
        except Missing as exc:
            self.cache[name] = exc
            raise
        self.cache[name] = value
        return value

    def _compute(self, name: str) -> Value:
        builtins = {"$year": str(self.on.year), "$quarter": quarter_of(self.on),
                    "$prev_quarter": previous_quarter(self.on)}
        if name in builtins:
            return builtins[name]
        if self.rs.question(name) is not None:
            if name in self.answers:
                return self.answers[name]
            raise Missing(frozenset({name}))
        if name in self.rs.derived:
            return self.expr(self.rs.derived[name].expr)
        if name in self.rs.thresholds:
            return self._threshold(name)
        raise ValidationError("eligibility.rule_error", message=f"unknown name {name!r}")

    def _threshold(self, name: str) -> Fraction:
        th = self.rs.thresholds[name]
        if not th.verified:
            self._mark(f"thresholds.{name}")
        if th.value is not None:
            return Fraction(str(th.value))
        if th.by is not None and th.values is not None:
            key = str(self.name(th.by))
            if key not in th.values:
                raise NotFound("eligibility.no_threshold", message=f"no value of {name} for {key}",
                               name=name, key=key)
            return Fraction(str(th.values[key]))
        raw_keys = [str(v).strip() for v in self.evaluate_all(list(th.key or []))]
        keys = tuple(k.lower() for k in raw_keys)
        row = self.tables.get(th.table or "", {}).get(keys)
        if row is None:
            raise NotFound("eligibility.no_table_row",
                           message="no {name} for {key} in table {table}; staff add the row to the table file",
                           name=name, table=th.table, key=" / ".join(raw_keys))
        if not row.verified:
            self._mark(f"{th.table}:{'/'.join(raw_keys)}")
        if row.example:
            example = ExampleValue(name, th.table or "", tuple(raw_keys), row.value, row.note)
            if example not in self.examples:
                self.examples.append(example)
        return row.value

    def _mark(self, item: str) -> None:
        if item not in self.unverified:
            self.unverified.append(item)

    def evaluate_all(self, exprs: list[Expr]) -> list[Value]:
        """Evaluate all; if any is missing, report the union of what is missing."""
        values: list[Value] = []
        missing: set[str] = set()
        for e in exprs:
            try:
                values.append(self.expr(e))
            except Missing as exc:
                missing |= exc.ids
        if missing:
            raise Missing(frozenset(missing))
        return values

    def expr(self, e: Expr) -> Value:
        if isinstance(e, bool):
            return e
        if isinstance(e, int | float):
            return Fraction(str(e))
        if isinstance(e, str):
            return self.name(e)
        return self._op(e)

    def _op(self, op: Op) -> Value:
        kind = op.kind
        if kind == "lit":
            return str(op.lit)
        if kind == "first":
            last: Missing | None = None
            for alt in op.first or []:
                try:
                    return self.expr(alt)
                except Missing as exc:
                    last = exc
            raise last or Missing(frozenset())
        if kind == "count_true":
            flags = self.evaluate_all(list(op.count_true or []))
            for qid in op.count_true or []:
                q = self.rs.question(qid)
                if q is not None and not q.verified:
                    self._mark(f"questions.{qid}")
            return Fraction(sum(1 for f in flags if f is True))
        return _ARITHMETIC[kind]([as_number(v) for v in self.evaluate_all(op.args)])

    # ---- conditions --------------------------------------------------------------------
    def test(self, cond: Cond) -> Result:
        kind = cond.kind
        if kind == "always":
            return bool(cond.always)
        if kind in ("all", "any"):
            stop = kind == "any"  # any: stop at the first True; all: at the first False
            missing: set[str] = set()
            for child in cond.children:
                r = self.test(child)
                if isinstance(r, frozenset):
                    missing |= r
                elif r is stop:
                    return stop
            return frozenset(missing) if missing else not stop
        if kind == "not_" and cond.not_ is not None:
            r = self.test(cond.not_)
            return r if isinstance(r, frozenset) else not r
        left, right = cond.sides
        try:
            a, b = self.evaluate_all([left, right])
        except Missing as exc:
            return exc.ids
        return _compare(kind, a, b)

    def explain(self, cond: Cond) -> list[Reason]:
        """The reasons behind a condition that holds."""
        kind = cond.kind
        out: list[Reason] = []
        if kind == "all":
            for child in cond.all or []:
                out += self.explain(child)
        elif kind == "any":
            first = next((c for c in cond.any or [] if self.test(c) is True), None)
            out += self.explain(first) if first is not None else []
        if cond.reason is None:
            return out
        if kind in COMPARISONS:
            left, right = cond.sides
            out.append(Reason(cond.reason, kind, self._named(left), self._named(right),
                              tuple(self._counted(left)) + tuple(self._counted(right))))
        else:
            out.append(Reason(cond.reason))
        return out

    def _named(self, e: Expr) -> NamedValue:
        value = self.expr(e)
        if not isinstance(e, str):
            return NamedValue(None, value)
        unit = None
        q = self.rs.question(e)
        if q is not None:
            unit = q.unit
        elif e in self.rs.derived:
            unit = self.rs.derived[e].unit
        elif e in self.rs.thresholds:
            unit = self.rs.thresholds[e].unit
        return NamedValue(e, value, unit)

    def _counted(self, e: Expr) -> list[str]:
        if isinstance(e, str):
            return self._counted(self.rs.derived[e].expr) if e in self.rs.derived else []
        if isinstance(e, Op):
            if e.kind == "count_true":
                return [q for q in e.count_true or [] if self.answers.get(q) is True]
            if e.kind != "lit":
                return [i for arg in e.args for i in self._counted(arg)]
        return []


def as_number(v: Value) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, Fraction):
        raise ValidationError("eligibility.rule_error", message=f"expected a number, got {v!r}")
    return v


def _product(nums: list[Fraction]) -> Fraction:
    out = Fraction(1)
    for n in nums:
        out *= n
    return out


def _quotient(nums: list[Fraction]) -> Fraction:
    if nums[1] == 0:
        raise ValidationError("eligibility.rule_error", message="division by zero")
    return nums[0] / nums[1]


_ARITHMETIC: dict[str, Callable[[list[Fraction]], Fraction]] = {
    "add": lambda nums: sum(nums, Fraction(0)),
    "sub": lambda nums: nums[0] - nums[1],
    "mul": _product,
    "div": _quotient,
    "min": min,
    "max": max,
}
"""The operations on numbers, by kind (the other kinds of `Op` are not arithmetic)."""


def _compare(kind: str, a: Value, b: Value) -> bool:
    if kind == "eq":
        return a == b
    if kind == "ne":
        return a != b
    x, y = as_number(a), as_number(b)
    return {"le": x <= y, "lt": x < y, "ge": x >= y, "gt": x > y}[kind]
