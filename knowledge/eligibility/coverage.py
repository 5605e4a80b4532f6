"""When does a per-quarter table run out? Warn staff before the bot has no poverty line to use.

A table keyed by a choice question and `$quarter` (the Kazakhstan poverty line by region and
quarter) "runs out" for an option at the end of the last quarter it has a row for. `coverage`
reports, for every such table, the options whose rows end within `days` of `today` (or already
ended), and the options with no row at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.eligibility.decision import TableData, quarter_of
from knowledge.eligibility.schema import RuleSet

WARN_DAYS = 30


@dataclass(frozen=True)
class CoverageWarning:
    program: str
    table: str
    option: str
    """The option id (e.g. the region) whose rows run out."""
    label: str
    last_quarter: str | None
    """The last quarter with a row (None: no row at all)."""
    ends: date | None
    """The last day covered (None: no row at all)."""

    def text(self, today: date) -> str:
        if self.ends is None:
            return f"{self.table}: no row at all for {self.option} ({self.label})"
        if self.ends < today:
            return (f"{self.table}: the rows for {self.option} ({self.label}) ended on {self.ends.isoformat()} "
                    f"(last quarter {self.last_quarter}); the bot cannot check it — add the published line")
        return (f"{self.table}: the rows for {self.option} ({self.label}) run out on {self.ends.isoformat()} "
                f"({(self.ends - today).days} days; last quarter {self.last_quarter}) — add the next quarter's line")


def quarter_end(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[5])
    first_next = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first_next - timedelta(days=1)


def coverage(programs: Mapping[str, list[RuleSet]], tables: Mapping[str, TableData], today: date,
             days: int = WARN_DAYS) -> list[CoverageWarning]:  # fmt: skip
    """Options whose quarterly rows end within `days` of `today`, or have none (in force versions)."""
    out: list[CoverageWarning] = []
    seen: set[tuple[str, str]] = set()
    for versions in programs.values():
        for rs in versions:
            if rs.effective.to is not None and rs.effective.to < today:
                continue
            for th in rs.thresholds.values():
                keys = th.key or []
                if th.table is None or len(keys) != 2 or "$quarter" not in keys:
                    continue
                qid = next(k for k in keys if k != "$quarter")
                q = rs.question(qid)
                if q is None or not q.options:
                    continue
                rows = tables.get(th.table, {})
                pos = keys.index("$quarter")
                for opt in q.options:
                    if (th.table, opt.id) in seen:
                        continue
                    seen.add((th.table, opt.id))
                    quarters = sorted(k[pos].upper() for k in rows if k[1 - pos] == opt.id)
                    last = quarters[-1] if quarters else None
                    ends = quarter_end(last) if last else None
                    if ends is None or ends - today <= timedelta(days=days):
                        out.append(CoverageWarning(rs.program, th.table, opt.id, opt.label.en, last, ends))
    return out


def running_out(warnings: list[CoverageWarning]) -> list[CoverageWarning]:
    """Only the options that have rows (the ones staff keep up to date) and are about to lose them."""
    return [w for w in warnings if w.ends is not None]


__all__ = ["WARN_DAYS", "CoverageWarning", "coverage", "quarter_end", "quarter_of", "running_out"]
