"""The eligibility results log: one row per finished check, without personal identifiers.

No answers, no income, no raw user id: only a salted pseudonym, the program, the rule version,
the outcome and when (UTC). Register this module in bot/db.py `import_models()`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from knowledge.models import utcnow


class EligibilityResult(SQLModel, table=True):
    __tablename__ = "eligibility_result"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    """Aware, UTC."""
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64, index=True)
    program: str = Field(max_length=40, index=True)
    version: str = Field(max_length=40)
    outcome: str = Field(max_length=40)
    lang: str = Field(max_length=8)
    check_date: date
    """The date the rules were applied for (not personal)."""
    verified: bool = True
