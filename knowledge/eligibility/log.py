"""Writes and counts eligibility results (see models.EligibilityResult; no personal data)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from knowledge.eligibility.models import EligibilityResult
from knowledge.models import insert_returning_id


class EligibilityLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        *,
        channel: str,
        user_hash: str,
        program: str,
        version: str,
        outcome: str,
        lang: str,
        check_date: date,
        verified: bool,
        at: datetime | None = None,
    ) -> int:
        when = (at or datetime.now(UTC)).astimezone(UTC)
        row = EligibilityResult(channel=channel, user_hash=user_hash, program=program, version=version,
                                outcome=outcome, lang=lang, check_date=check_date, verified=verified,
                                created_at=when)
        return insert_returning_id(self.engine, row)

    def counts(self, since: datetime | None = None) -> dict[tuple[str, str], int]:
        """(program, outcome) → number of checks, optionally since a UTC time."""
        stmt = select(EligibilityResult.program, EligibilityResult.outcome, func.count())
        if since is not None:
            stmt = stmt.where(col(EligibilityResult.created_at) >= since.astimezone(UTC))
        stmt = stmt.group_by(EligibilityResult.program, EligibilityResult.outcome)
        with Session(self.engine) as s:
            return {(p, o): int(n) for p, o, n in s.exec(stmt).all()}
