"""The small language inside a rule file: expressions and conditions, as pydantic models.

Expressions (`Expr`) are a number, a *name* (a question id, a derived value, a threshold or a
built-in `$year` / `$quarter` / `$prev_quarter` of the check date) or one operation
`{add|sub|mul|div|min|max|first|count_true|lit: [...]}`. Conditions (`Cond`) are one of
`all` / `any` / `not` / a comparison `le|lt|ge|gt|eq|ne: [a, b]` / `always: true`, each with an
optional `reason` code whose text is in the file's `reasons` table.

Each operation and condition sets exactly one of its fields; `kind` names it, and the typed
accessors (`Op.args`, `Cond.children`, `Cond.sides`) give its operands without looking fields up
by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, model_validator

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
BUILTINS = ("$year", "$quarter", "$prev_quarter")
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=60)]
Number = StrictInt | StrictFloat

OpKind = Literal["add", "sub", "mul", "div", "min", "max", "first", "count_true", "lit"]
CondKind = Literal["all", "any", "not_", "le", "lt", "ge", "gt", "eq", "ne", "always"]
Comparison = Literal["le", "lt", "ge", "gt", "eq", "ne"]
K = TypeVar("K", bound=str)
COMPARISONS: tuple[Comparison, ...] = ("le", "lt", "ge", "gt", "eq", "ne")


class Strict(BaseModel):
    """The base of every rule-file model: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Op(Strict):
    add: list[Expr] | None = None
    sub: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    mul: list[Expr] | None = None
    div: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    min: list[Expr] | None = None
    max: list[Expr] | None = None
    first: list[Expr] | None = Field(default=None, min_length=1)
    """The first alternative that can be computed; if none can, the missing ids of the last one."""
    count_true: list[Name] | None = Field(default=None, min_length=1)
    """How many of these yes/no questions are answered yes."""
    lit: str | None = None
    """A literal string (to compare with a choice answer)."""

    def _slots(self) -> dict[OpKind, object]:
        return {"add": self.add, "sub": self.sub, "mul": self.mul, "div": self.div, "min": self.min,
                "max": self.max, "first": self.first, "count_true": self.count_true, "lit": self.lit}

    @model_validator(mode="after")
    def _one(self) -> Op:
        _exactly_one(self._slots())
        return self

    @property
    def kind(self) -> OpKind:
        return next(k for k, v in self._slots().items() if v is not None)

    @property
    def args(self) -> list[Expr]:
        """The operands of add, sub, mul, div, min, max and first ([] for count_true and lit)."""
        for operands in (self.add, self.sub, self.mul, self.div, self.min, self.max, self.first):
            if operands is not None:
                return operands
        return []


Expr = Number | str | Op


class Cond(Strict):
    all: list[Cond] | None = Field(default=None, min_length=1)
    any: list[Cond] | None = Field(default=None, min_length=1)
    not_: Cond | None = Field(default=None, alias="not")
    le: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    lt: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    ge: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    gt: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    eq: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    ne: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    always: StrictBool | None = None
    reason: Name | None = None
    """A code in the file's `reasons` table, reported when this condition holds in the outcome."""

    def _slots(self) -> dict[CondKind, object]:
        return {"all": self.all, "any": self.any, "not_": self.not_, "le": self.le, "lt": self.lt, "ge": self.ge,
                "gt": self.gt, "eq": self.eq, "ne": self.ne, "always": self.always}

    @model_validator(mode="after")
    def _one(self) -> Cond:
        _exactly_one(self._slots())
        return self

    @property
    def kind(self) -> CondKind:
        return next(k for k, v in self._slots().items() if v is not None)

    @property
    def children(self) -> list[Cond]:
        """The conditions of `all` or `any` ([] for any other kind)."""
        if self.all is not None:
            return self.all
        return self.any if self.any is not None else []

    @property
    def sides(self) -> list[Expr]:
        """The two expressions of a comparison ([] for any other kind)."""
        for pair in (self.le, self.lt, self.ge, self.gt, self.eq, self.ne):
            if pair is not None:
                return pair
        return []


def _exactly_one(slots: Mapping[K, object]) -> None:
    present = [k for k, v in slots.items() if v is not None]
    if len(present) != 1:
        names = ", ".join(k.rstrip("_") for k in slots)
        raise ValueError(f"exactly one of {names} is required (got {len(present)})")
