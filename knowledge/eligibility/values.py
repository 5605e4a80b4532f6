"""Typing raw answers (from answers.json or the chat) and formatting values for people (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from knowledge.eligibility.engine import Value
from knowledge.eligibility.matching import count_word, match_option
from knowledge.eligibility.numbers import NumberParseError, parse_amount, parse_count, parse_yes_no
from knowledge.eligibility.periods import convert, split_period, unit_period
from knowledge.eligibility.schema import Question, RuleSet
from knowledge.errors import ValidationError


def coerce_answer(q: Question, raw: object, known: Mapping[str, Value] | None = None) -> Value:
    """One answer as the engine wants it: Fraction for numbers and counts, bool, or an option id.

    Raises ValidationError (code `eligibility.*`, params `question`, `text`, `min`/`max`) on bad input.
    """
    if q.type == "yes_no":
        return _yes_no(q, raw)
    if q.type == "choice":
        return _choice(q, raw)
    value = _number(q, raw)
    check_range(q, value, known or {})
    return value


def coerce_answers(rs: RuleSet, raw: Mapping[str, object]) -> tuple[dict[str, Value], list[str]]:
    """All answers of a file: (typed answers, ids not used by this version). Nulls count as missing."""
    typed: dict[str, Value] = {}
    ignored = [k for k in raw if rs.question(k) is None]
    pending = [q for q in rs.questions if raw.get(q.id) is not None]
    # plain questions first, then those whose range refers to another answer
    for q in sorted(pending, key=lambda q: isinstance(q.max, str)):
        typed[q.id] = coerce_answer(q, raw[q.id], typed)
    return typed, ignored


def _yes_no(q: Question, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        try:
            return parse_yes_no(raw)
        except NumberParseError:
            pass
    raise ValidationError("eligibility.bad_yes_no", message="{question}: expected yes or no, got {text}",
                          question=q.id, text=str(raw))


def _choice(q: Question, raw: object) -> str:
    if isinstance(raw, str):
        wanted = raw.strip().lower().replace("-", "_").replace(" ", "_")
        for opt in q.options or []:
            labels = {opt.id, *(opt.label.get(lang).strip().lower() for lang in ("vi", "ru", "en"))}
            if wanted in labels or raw.strip().lower() in labels:
                return opt.id
        found = match_option(option_labels(q), raw)
        if found is not None:
            return found
    options = ", ".join(o.id for o in q.options or [])
    raise ValidationError("eligibility.bad_choice", message="{question}: expected one of {options}, got {text}",
                          question=q.id, options=options, text=str(raw))


def option_labels(q: Question) -> list[tuple[str, list[str]]]:
    """Every name of each option (labels in vi / ru / en, aliases, the id) for loose matching."""
    return [(o.id, [o.label.vi, o.label.ru, o.label.en, *o.aliases, o.id.replace("_", " ")])
            for o in q.options or []]


def read_amount(q: Question, raw: str) -> tuple[Fraction, str | None]:
    """A typed amount and the period written with it (None: not said). Raises NumberParseError."""
    rest, period = split_period(raw)
    try:
        return Fraction(str(parse_amount(rest))), period
    except NumberParseError as exc:
        exc.params["question"] = q.id
        exc.params["text"] = raw
        raise


def in_unit(q: Question, amount: Fraction, period: str | None) -> Fraction:
    """An amount given for `period` expressed per the question's unit (40 000/month → 120 000/quarter)."""
    base = unit_period(q.unit)
    if period is None or base is None or period == base:
        return amount
    return convert(amount, period, base)


def _number(q: Question, raw: object) -> Fraction:
    if isinstance(raw, bool):
        raise ValidationError("eligibility.bad_number", message="{question}: expected a number, got {text}",
                              question=q.id, text=str(raw))
    if isinstance(raw, int | float | Decimal):
        value = Fraction(str(raw))
    elif isinstance(raw, str):
        try:
            if q.type == "count":
                value = Fraction(_count(raw))
            else:
                amount, period = read_amount(q, raw)
                value = in_unit(q, amount, period)
        except NumberParseError as exc:
            exc.params["question"] = q.id
            exc.message = "{question}: " + (exc.message or "not a number: {text}")
            raise
    else:
        raise ValidationError("eligibility.bad_number", message="{question}: expected a number, got {text}",
                              question=q.id, text=repr(raw))
    if q.type == "count" and value.denominator != 1:
        raise ValidationError("eligibility.bad_count", message="{question}: expected a whole number, got {text}",
                              question=q.id, text=str(raw))
    return value


def _count(raw: str) -> int:
    found = count_word(raw)  # words first: "mười hai" is 12, not "mười" and a tail
    return found if found is not None else parse_count(raw)


def check_range(q: Question, value: Fraction, known: Mapping[str, Value]) -> None:
    low = Fraction(str(q.min)) if q.min is not None else Fraction(0)
    if value < low:
        raise ValidationError("eligibility.too_small", message="{question}: must be at least {min}, got {text}",
                              question=q.id, min=format_number(low, "en"), text=format_number(value, "en"))
    high: Fraction | None = None
    if isinstance(q.max, str):
        other = known.get(q.max)
        high = other if isinstance(other, Fraction) else None
    elif q.max is not None:
        high = Fraction(str(q.max))
    if high is not None and value > high:
        raise ValidationError("eligibility.too_large", message="{question}: must be at most {max}, got {text}",
                              question=q.id, max=format_number(high, "en"), text=format_number(value, "en"))


SEPARATORS = {"vi": (".", ","), "ru": ("\u00a0", ","), "en": (",", ".")}


def format_number(value: Fraction | int | Decimal, lang: str) -> str:
    """1500000 → vi "1.500.000", ru "1 500 000", en "1,500,000"; fractions to 2 decimals at most."""
    group, point = SEPARATORS.get(lang, SEPARATORS["en"])
    exact = Fraction(value)
    sign = "-" if exact < 0 else ""
    cents = math.floor(abs(exact) * 100 + Fraction(1, 2))  # half up
    whole, frac = divmod(cents, 100)
    text = f"{whole:,}".replace(",", group)
    if frac:
        text += point + f"{frac:02d}".rstrip("0")
    return sign + text


def format_value(rs: RuleSet, name: str | None, value: Value, lang: str) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, str):
        q = rs.question(name) if name else None
        for opt in (q.options or []) if q else []:
            if opt.id == value:
                return opt.label.get(lang)
        return value
    return format_number(value, lang)


def to_json_number(value: Fraction | None) -> int | float | None:
    """Exact integers stay integers; other values are rounded to 2 decimals."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return round(float(value), 2)
