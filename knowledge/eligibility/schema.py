"""The shape of a rule file, as pydantic models (structure only; references are checked in checks.py).

Two kinds of file live in `knowledge/rules/` and in the staff directory `<data_dir>/rules/`:

* a **program version** (`kind: program`): questions, derived values, thresholds, the ordered
  outcomes with their conditions, the benefits each outcome opens, texts in vi / ru / en;
* a **table** (`kind: table`): rows of keys → value, e.g. the Kazakhstan poverty line per
  (region, quarter), edited by staff.

Expressions and conditions (`Expr`, `Cond`: when an outcome, a benefit or a variant applies, and
what a derived value or an amount is) are the small language of conditions.py.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from knowledge.eligibility.conditions import Cond, Expr, Name, Number, Strict

LANG_CODES = ("vi", "ru", "en")
TableId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
BUTTON_DATA_BYTES = 64
"""The longest button data a messenger takes (Telegram's callback_data)."""
ANSWER_ID_BYTES = BUTTON_DATA_BYTES - len("elig:a:")
"""`<question id>:<option id>` in an answer button (handlers/eligibility/flow.py: `elig:a:<q>:<o>`)."""
PROGRAM_ID_BYTES = BUTTON_DATA_BYTES - len("elig:p:")


class LText(Strict):
    """A text in every language the bot speaks."""

    vi: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in `lang`; English for a language the file has no text in."""
        match lang:
            case "vi":
                return self.vi
            case "ru":
                return self.ru
        return self.en


class Source(Strict):
    id: Name
    document: str = Field(min_length=1)
    article: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://")
    locator: str | None = None
    """Where in the site/document (e.g. a news article number) when the URL is the site only."""
    date: dt.date | None = None
    """The document's date or date in force (shown to the user with the source)."""
    verified: bool = True
    cite: bool = False
    """Always cite it with a result (besides the first source and those thresholds/benefits name)."""


class Option(Strict):
    id: Name
    label: LText
    aliases: list[str] = Field(default_factory=list)
    """Other names a user may type (any language), e.g. "Актобе" for Актюбинская область."""


class Question(Strict):
    id: Name
    type: Literal["number", "yes_no", "choice", "count"]
    prompt: LText
    label: LText
    """A short name, used when listing counted indicators and in reasons."""
    unit: str | None = None
    options: list[Option] | None = None
    min: Number | None = None
    max: Number | Name | None = None
    """A number or the id of another count question (e.g. children ≤ members)."""
    indicator: bool = False
    ask: bool = True
    """False: accepted in answer files (an alternative input) but never asked in the chat."""
    verified: bool = True
    note: str | None = None
    periods: list[Literal["month", "quarter", "year"]] | None = None
    """For an amount: the periods a user may give it for; the chat asks which one when the typed
    text does not say ("40 000" → per month or for the quarter?). The unit's period is the base."""

    @model_validator(mode="after")
    def _typed(self) -> Question:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice question needs options")
        if self.type != "choice" and self.options:
            raise ValueError(f"options are only for choice questions (this one is {self.type})")
        if self.type == "number" and not self.unit:
            raise ValueError("a number question needs a unit")
        if self.periods and (self.type != "number" or (self.unit or "").rsplit("/", 1)[-1] not in self.periods):
            raise ValueError("`periods` is for a number question whose unit ends with one of them (e.g. KZT/quarter)")
        return self


class Derived(Strict):
    expr: Expr
    label: LText
    unit: str | None = None


class Threshold(Strict):
    """A constant (`value`), a value per answer (`by` + `values`) or a table lookup (`table` + `key`)."""

    label: LText
    unit: str | None = None
    value: Number | None = None
    by: str | None = None
    values: dict[str, Number] | None = None
    table: TableId | None = None
    key: list[str] | None = None
    source: Name | None = None
    verified: bool = True
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _string_keys(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("values"), dict):
            data = {**data, "values": {str(k): v for k, v in data["values"].items()}}
        return data

    @model_validator(mode="after")
    def _shape(self) -> Threshold:
        shapes = [self.value is not None, self.by is not None or self.values is not None,
                  self.table is not None or self.key is not None]
        if sum(shapes) != 1:
            raise ValueError("give exactly one of: value; by + values; table + key")
        if (self.by is None) != (self.values is None):
            raise ValueError("`by` and `values` go together")
        if (self.table is None) != (self.key is None):
            raise ValueError("`table` and `key` go together")
        return self


class Variant(Strict):
    id: Name
    when: Cond
    text: LText


class Benefit(Strict):
    title: LText
    text: LText
    """May use {amount}, {details keys} and any value name in braces."""
    when: Cond | None = None
    amount: Expr | None = None
    unit: str | None = None
    details: dict[Name, Expr] = Field(default_factory=dict)
    variants: list[Variant] = Field(default_factory=list)
    source: Name | None = None
    verified: bool = True


class Outcome(Strict):
    id: Name
    when: Cond
    label: LText
    """The classification in plain words."""
    summary: LText
    benefits: list[Name] = Field(default_factory=list)
    notes: list[Name] = Field(default_factory=list)
    """Reason codes always reported with this outcome (e.g. a line not yet published)."""


class Period(Strict):
    from_: date = Field(alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.to is not None and self.to < self.from_:
            raise ValueError("`to` is before `from`")
        return self

    def contains(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class RuleSet(Strict):
    kind: Literal["program"] = "program"
    program: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    title: LText
    country: str
    currency: str
    timezone: str
    """For "today" when no date is given (e.g. Asia/Ho_Chi_Minh)."""
    effective: Period
    sources: list[Source] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    derived: dict[Name, Derived] = Field(default_factory=dict)
    thresholds: dict[Name, Threshold] = Field(default_factory=dict)
    reasons: dict[Name, LText] = Field(default_factory=dict)
    outcomes: list[Outcome] = Field(min_length=1)
    benefits: dict[Name, Benefit] = Field(default_factory=dict)
    apply: LText
    disclaimer: LText
    not_determined: LText | None = None
    """Shown for an amount the rules cannot compute for the date (e.g. next year's MRP)."""
    menu_langs: list[str] = Field(default_factory=list)
    """Languages whose users see this program first in the chat."""

    @model_validator(mode="after")
    def _fits_buttons(self) -> RuleSet:
        """The chat puts the program id, and a question id with an option id, in button data, which
        messengers cap at 64 bytes (Telegram's callback_data): ids that would not fit are refused
        here, not when a user presses the button."""
        if len(self.program.encode()) > PROGRAM_ID_BYTES:
            raise ValueError(f"program id {self.program!r} is longer than {PROGRAM_ID_BYTES} bytes (a chat button)")
        for q in self.questions:
            for option in [o.id for o in q.options or []] or ["1"]:
                if len(f"{q.id}:{option}".encode()) > ANSWER_ID_BYTES:
                    raise ValueError(f"question {q.id!r} with option {option!r} is longer than {ANSWER_ID_BYTES} "
                                     "bytes together: it would not fit in a chat button")
        return self

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def outcome(self, oid: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == oid), None)

    def source(self, sid: str | None) -> Source | None:
        return next((s for s in self.sources if s.id == sid), None) if sid else None

    @property
    def key(self) -> tuple[str, str]:
        return (self.program, self.version)


class Table(Strict):
    kind: Literal["table"]
    id: TableId
    title: str
    unit: str
    keys: list[Name] = Field(min_length=1)
    rows: list[dict[str, str | Number | bool | None]] = Field(default_factory=list)
    """Each row: a value per key column, `value`, optional `verified` (default true) and `note`."""
    source: str | None = None
