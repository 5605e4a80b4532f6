"""What the engine returns: a Decision with its reasons and benefits (plain, frozen values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from knowledge.eligibility.schema import Source

Value = Fraction | bool | str
Result = bool | frozenset[str]
"""A condition's value: True, False, or the ids of the missing answers it depends on."""


@dataclass(frozen=True)
class TableRow:
    value: Fraction
    verified: bool = True
    note: str | None = None
    example: bool = False
    """A sample value (not the official one): every place that shows a result using it says so."""


@dataclass(frozen=True)
class ExampleValue:
    """A table value marked `example: true` that a decision relied on."""

    threshold: str
    table: str
    key: tuple[str, ...]
    value: Fraction
    note: str | None = None


TableData = Mapping[tuple[str, ...], TableRow]


@dataclass(frozen=True)
class NamedValue:
    name: str | None
    value: Value
    unit: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    op: str | None = None
    left: NamedValue | None = None
    right: NamedValue | None = None
    indicators: tuple[str, ...] = ()
    """The yes/no indicators counted (answered yes) behind a compared count."""


@dataclass(frozen=True)
class BenefitResult:
    id: str
    amount: Fraction | None = None
    unit: str | None = None
    details: dict[str, Fraction] = field(default_factory=dict)
    variant: str | None = None
    source: str | None = None
    verified: bool = True
    amount_unknown: bool = False
    """True when the amount needs data not in the rules for this date (e.g. next year's MRP)."""


@dataclass(frozen=True)
class Decision:
    program: str
    version: str
    on: date
    outcome: str | None
    reasons: tuple[Reason, ...] = ()
    benefits: tuple[BenefitResult, ...] = ()
    sources: tuple[Source, ...] = ()
    verified: bool = True
    unverified: tuple[str, ...] = ()
    """What the decision relied on that is marked `verified: false` (thresholds, indicators, rows)."""
    examples: tuple[ExampleValue, ...] = ()
    """Sample table values (not official) the decision relied on: shown loudly with the result."""
    missing: tuple[str, ...] = ()
    values: dict[str, Value] = field(default_factory=dict)
    """Every answer and computed value (for rendering texts)."""


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(day: date) -> str:
    q = (day.month - 1) // 3 + 1
    return f"{day.year - 1}Q4" if q == 1 else f"{day.year}Q{q - 1}"
