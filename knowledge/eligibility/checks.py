"""Checks a parsed rule file beyond its shape: every name resolves, every code has its text.

Each problem is reported as (field path, reason), e.g. `outcomes[0].when.all[1].le[0]`,
`unknown name 'incom'`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge.eligibility.conditions import BUILTINS, COMPARISONS, Cond, Expr, Op
from knowledge.eligibility.schema import RuleSet, Table

Problem = tuple[str, str]
QUARTER = re.compile(r"^\d{4}Q[1-4]$")


def check_ruleset(rs: RuleSet) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_basics(rs)
    names = {q.id for q in rs.questions} | set(BUILTINS) | set(rs.thresholds)
    # derived values may only use questions, thresholds and earlier derived values (no cycles)
    for did, derived in rs.derived.items():
        problems += _expr(rs, derived.expr, names, f"derived.{did}.expr")
        names.add(did)
    for tid, th in rs.thresholds.items():
        problems += _threshold(rs, tid, names)
        if th.source and rs.source(th.source) is None:
            problems.append((f"thresholds.{tid}.source", f"unknown source '{th.source}'"))
    for i, outcome in enumerate(rs.outcomes):
        base = f"outcomes[{i}]"
        problems += _cond(rs, outcome.when, names, f"{base}.when")
        for j, bid in enumerate(outcome.benefits):
            if bid not in rs.benefits:
                problems.append((f"{base}.benefits[{j}]", f"unknown benefit '{bid}'"))
        for j, code in enumerate(outcome.notes):
            if code not in rs.reasons:
                problems.append((f"{base}.notes[{j}]", f"no text for reason '{code}' in `reasons`"))
    for bid, benefit in rs.benefits.items():
        base = f"benefits.{bid}"
        if benefit.when is not None:
            problems += _cond(rs, benefit.when, names, f"{base}.when")
        if benefit.amount is not None:
            problems += _expr(rs, benefit.amount, names, f"{base}.amount")
        for key, expr in benefit.details.items():
            problems += _expr(rs, expr, names, f"{base}.details.{key}")
        for j, variant in enumerate(benefit.variants):
            problems += _cond(rs, variant.when, names, f"{base}.variants[{j}].when")
        if benefit.source and rs.source(benefit.source) is None:
            problems.append((f"{base}.source", f"unknown source '{benefit.source}'"))
    return problems


def _check_basics(rs: RuleSet) -> list[Problem]:
    problems: list[Problem] = []
    try:
        ZoneInfo(rs.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", f"unknown time zone '{rs.timezone}'"))
    for field, ids in (
        ("questions", [q.id for q in rs.questions]),
        ("outcomes", [o.id for o in rs.outcomes]),
        ("sources", [s.id for s in rs.sources]),
    ):
        for i, item in enumerate(ids):
            if item in ids[:i]:
                problems.append((f"{field}[{i}].id", f"duplicate id '{item}'"))
    clashes = {q.id for q in rs.questions} & (set(rs.derived) | set(rs.thresholds))
    clashes |= set(rs.derived) & set(rs.thresholds)
    for name in sorted(clashes):
        problems.append((name, "the same name is used twice (question, derived value or threshold)"))
    for i, q in enumerate(rs.questions):
        if q.indicator and q.type != "yes_no":
            problems.append((f"questions[{i}].indicator", "an indicator must be a yes_no question"))
        if isinstance(q.max, str):
            other = rs.question(q.max)
            if other is None or other.type not in ("count", "number"):
                problems.append((f"questions[{i}].max", f"'{q.max}' is not a count/number question"))
    return problems


def _threshold(rs: RuleSet, tid: str, names: set[str]) -> list[Problem]:
    th = rs.thresholds[tid]
    base = f"thresholds.{tid}"
    problems: list[Problem] = []
    if th.by is not None and th.by not in BUILTINS:
        q = rs.question(th.by)
        if q is None or q.type != "choice":
            return [(f"{base}.by", f"'{th.by}' is not a choice question or a built-in")]
        expected = {o.id for o in q.options or []}
        got = set(th.values or {})
        if got != expected:
            return [(f"{base}.values", f"keys must be exactly the options of '{th.by}': {sorted(expected)}")]
    for j, key in enumerate(th.key or []):
        if key not in BUILTINS and rs.question(key) is None:
            problems.append((f"{base}.key[{j}]", f"unknown name '{key}'"))
    return problems


def _cond(rs: RuleSet, cond: Cond, names: set[str], path: str) -> list[Problem]:
    problems: list[Problem] = []
    if cond.reason is not None and cond.reason not in rs.reasons:
        problems.append((f"{path}.reason", f"no text for reason '{cond.reason}' in `reasons`"))
    kind = cond.kind
    if kind in ("all", "any"):
        for i, child in enumerate(cond.children):
            problems += _cond(rs, child, names, f"{path}.{kind}[{i}]")
    elif kind == "not_" and cond.not_ is not None:
        problems += _cond(rs, cond.not_, names, f"{path}.not")
    elif kind in COMPARISONS:
        for i, expr in enumerate(cond.sides):
            problems += _expr(rs, expr, names, f"{path}.{kind}[{i}]")
    return problems


def _expr(rs: RuleSet, expr: Expr, names: set[str], path: str) -> list[Problem]:
    if isinstance(expr, str):
        return [] if expr in names else [(path, f"unknown name '{expr}'")]
    if not isinstance(expr, Op):
        return []
    kind = expr.kind
    if kind == "lit":
        return []
    if kind == "count_true":
        problems: list[Problem] = []
        for i, qid in enumerate(expr.count_true or []):
            q = rs.question(qid)
            if q is None or q.type != "yes_no":
                problems.append((f"{path}.count_true[{i}]", f"'{qid}' is not a yes_no question"))
        return problems
    out: list[Problem] = []
    for i, arg in enumerate(expr.args):
        out += _expr(rs, arg, names, f"{path}.{kind}[{i}]")
    return out


def check_table(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    for i, row in enumerate(table.rows):
        base = f"rows[{i}]"
        extra = set(row) - set(table.keys) - {"value", "verified", "note", "source", "example"}
        for name in sorted(extra):
            problems.append((f"{base}.{name}", "unknown column"))
        key: list[str] = []
        for col in table.keys:
            val = row.get(col)
            if val is None or isinstance(val, bool) or str(val).strip() == "":
                problems.append((f"{base}.{col}", "missing key value"))
                continue
            key.append(str(val).strip().lower())
            if col == "quarter" and not QUARTER.match(str(val).strip()):
                problems.append((f"{base}.quarter", f"'{val}' is not a quarter like 2026Q1"))
        value = row.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append((f"{base}.value", f"expected a non-negative number, got {value!r}"))
        for flag in ("verified", "example"):
            if flag in row and not isinstance(row[flag], bool):
                problems.append((f"{base}.{flag}", "expected true or false"))
        if tuple(key) in seen:
            problems.append((base, f"duplicate row for {tuple(key)}"))
        seen.add(tuple(key))
    return problems


def iter_names(expr: Expr) -> Iterator[str]:
    """Every name an expression refers to (for explanations)."""
    if isinstance(expr, str):
        yield expr
    elif isinstance(expr, Op) and expr.kind not in ("lit",):
        if expr.kind == "count_true":
            yield from expr.count_true or []
            return
        for arg in expr.args:
            yield from iter_names(arg)
