"""Texts of a decision in vi / ru / en, from the rule file's own templates (rules are data).

Templates use str.format placeholders: `{left}` and `{right}` (the two compared values),
`{count}`, `{indicators}` (the counted indicators' labels), `{amount}`, a benefit's detail keys,
and any answer or computed value by name (`{poverty_line}`, `{area}`, `{quarter}`...).
"""

from __future__ import annotations

from datetime import date
from typing import Required, TypedDict

from knowledge.eligibility.engine import BenefitResult, Decision, Reason, Value, previous_quarter, quarter_of
from knowledge.eligibility.schema import RuleSet, Source
from knowledge.eligibility.values import format_value, to_json_number
from knowledge.jsontypes import JSONObject, JSONValue

EXAMPLE_WARNING = ("EXAMPLE VALUE, NOT OFFICIAL: {value} from {table} for {key} is a sample entered to try the "
                   "bot; the result is only an illustration until staff enter the published value.")
"""The CLI's (English) warning for a sample table value; the chat's text is in the catalogs."""


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(template: str, params: dict[str, str]) -> str:
    try:
        return template.format_map(_Safe(params))
    except (ValueError, IndexError):
        return template


def value_params(rs: RuleSet, decision: Decision, lang: str) -> dict[str, str]:
    params = {name.lstrip("$"): format_value(rs, name, value, lang) for name, value in decision.values.items()}
    params.setdefault("quarter", _builtin(decision, "quarter"))
    params.setdefault("prev_quarter", _builtin(decision, "prev_quarter"))
    params.setdefault("year", str(decision.on.year))
    return params


def _builtin(decision: Decision, which: str) -> str:
    return quarter_of(decision.on) if which == "quarter" else previous_quarter(decision.on)


def prompt_text(rs: RuleSet, qid: str, lang: str, on: date, **extra: str) -> str:
    """A question's prompt with the check date's placeholders filled in ({prev_quarter_months}...)."""
    q = rs.question(qid)
    if q is None:
        return qid
    params = {"quarter": quarter_of(on), "prev_quarter": previous_quarter(on), "year": str(on.year)}
    params["prev_quarter_months"] = params["prev_quarter"]
    params.update(extra)
    return _fill(q.prompt.get(lang), params)


def indicator_labels(rs: RuleSet, ids: tuple[str, ...], lang: str) -> list[str]:
    labels = []
    for qid in ids:
        q = rs.question(qid)
        labels.append(q.label.get(lang) if q else qid)
    return labels


def reason_text(rs: RuleSet, decision: Decision, reason: Reason, lang: str) -> str:
    template = rs.reasons[reason.code].get(lang) if reason.code in rs.reasons else reason.code
    params = value_params(rs, decision, lang)
    if reason.left is not None:
        params["left"] = format_value(rs, reason.left.name, reason.left.value, lang)
    if reason.right is not None:
        params["right"] = format_value(rs, reason.right.name, reason.right.value, lang)
    labels = indicator_labels(rs, reason.indicators, lang)
    params["indicators"] = ", ".join(labels) if labels else "—"
    params["count"] = str(len(reason.indicators))
    return _fill(template, params)


def benefit_text(rs: RuleSet, decision: Decision, benefit: BenefitResult, lang: str) -> tuple[str, str]:
    """(title, text) of a benefit, with its amount and variant filled in."""
    spec = rs.benefits[benefit.id]
    params = value_params(rs, decision, lang)
    unknown = rs.not_determined.get(lang) if rs.not_determined else "—"
    params["amount"] = format_value(rs, None, benefit.amount, lang) if benefit.amount is not None else unknown
    for key, val in benefit.details.items():
        params[key] = format_value(rs, None, val, lang)
    text = _fill(spec.text.get(lang), params)
    if benefit.variant is not None:
        variant = next(v for v in spec.variants if v.id == benefit.variant)
        text += " " + _fill(variant.text.get(lang), params)
    return _fill(spec.title.get(lang), params), text


class SourceJSON(TypedDict):
    id: str
    document: str
    article: str | None
    url: str | None
    locator: str | None
    date: str | None
    verified: bool


class ReasonJSON(TypedDict, total=False):
    code: Required[str]
    op: Required[str | None]
    text: Required[str]
    left: JSONObject
    right: JSONObject
    indicators: list[str]


class BenefitJSON(TypedDict):
    id: str
    title: str
    amount: int | float | None
    unit: str | None
    details: dict[str, int | float | None]
    variant: str | None
    amount_unknown: bool
    source: str | None
    verified: bool
    text: str


class ExampleJSON(TypedDict):
    threshold: str
    table: str
    key: list[str]
    value: int | float | None
    note: str | None
    text: str


class DecisionJSON(TypedDict, total=False):
    """`civicbot eligibility check --json` (and the API): one decision with its reasons and sources."""

    program: Required[str]
    version: Required[str]
    on: Required[str]
    outcome: Required[str | None]
    label: Required[str | None]
    verified: Required[bool]
    unverified: Required[list[str]]
    reasons: Required[list[ReasonJSON]]
    benefits: Required[list[BenefitJSON]]
    sources: Required[list[SourceJSON]]
    disclaimer: Required[str | None]
    examples: list[ExampleJSON]
    missing: list[str]
    ignored: list[str]


def source_json(src: Source) -> SourceJSON:
    return {
        "id": src.id,
        "document": src.document,
        "article": src.article,
        "url": src.url,
        "locator": src.locator,
        "date": src.date.isoformat() if src.date else None,
        "verified": src.verified,
    }


def _named_json(rs: RuleSet, name: str | None, value: Value, unit: str | None) -> JSONObject:
    shown: JSONValue = value if isinstance(value, bool | str) else to_json_number(value)
    return {"name": name, "unit": unit, "value": shown}


def decision_json(rs: RuleSet, decision: Decision, lang: str = "en") -> DecisionJSON:
    """The CLI / API shape: program, version, outcome, reasons, benefits, sources (+ missing)."""
    outcome = rs.outcome(decision.outcome) if decision.outcome else None
    out: DecisionJSON = {
        "program": decision.program,
        "version": decision.version,
        "on": decision.on.isoformat(),
        "outcome": decision.outcome,
        "label": outcome.label.get(lang) if outcome is not None else None,
        "verified": decision.verified,
        "unverified": list(decision.unverified),
        "reasons": [_reason_json(rs, decision, r, lang) for r in decision.reasons],
        "benefits": [_benefit_json(rs, decision, b, lang) for b in decision.benefits],
        "sources": [source_json(s) for s in decision.sources],
        "disclaimer": rs.disclaimer.get(lang),
    }
    if decision.examples:
        out["examples"] = [
            {"threshold": e.threshold, "table": e.table, "key": list(e.key), "value": to_json_number(e.value),
             "note": e.note, "text": EXAMPLE_WARNING.format(value=to_json_number(e.value), key=" / ".join(e.key),
                                                            table=e.table)}
            for e in decision.examples
        ]
    if decision.missing:
        out["missing"] = list(decision.missing)
    return out


def _reason_json(rs: RuleSet, decision: Decision, r: Reason, lang: str) -> ReasonJSON:
    item: ReasonJSON = {"code": r.code, "op": r.op, "text": ""}
    if r.left is not None:
        item["left"] = _named_json(rs, r.left.name, r.left.value, r.left.unit)
    if r.right is not None:
        item["right"] = _named_json(rs, r.right.name, r.right.value, r.right.unit)
    if r.indicators:
        item["indicators"] = list(r.indicators)
    item["text"] = reason_text(rs, decision, r, lang)
    return item


def _benefit_json(rs: RuleSet, decision: Decision, b: BenefitResult, lang: str) -> BenefitJSON:
    title, text = benefit_text(rs, decision, b, lang)
    return {
        "id": b.id,
        "title": title,
        "amount": to_json_number(b.amount),
        "unit": b.unit,
        "details": {k: to_json_number(v) for k, v in b.details.items()},
        "variant": b.variant,
        "amount_unknown": b.amount_unknown,
        "source": b.source,
        "verified": b.verified,
        "text": text,
    }
