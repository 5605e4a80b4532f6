"""All rule files in force: the shipped ones (knowledge/rules/) plus staff files (<data_dir>/rules/).

A staff file with the same program + version replaces the shipped one; a staff table adds rows
or corrects rows (same keys) of the shipped table. An invalid file is rejected with its file,
field and reason (in :attr:`RuleRegistry.errors`) and the last good version of that file keeps
serving: :meth:`reload` never leaves the bot without rules because of a typo. Reading and checking
one file is files.py's (its names are importable from here too).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from knowledge.eligibility.coverage import WARN_DAYS, CoverageWarning, coverage
from knowledge.eligibility.engine import Decision, TableData, TableRow, Value, evaluate
from knowledge.eligibility.files import (
    SHIPPED_DIR,
    RuleDoc,
    RuleFileError,
    RuleFileInvalid,
    load_file,
    table_refs,
    validate_path,
)
from knowledge.eligibility.schema import RuleSet, Table
from knowledge.eligibility.values import coerce_answers
from knowledge.errors import NotFound

__all__ = ["SHIPPED_DIR", "RuleDoc", "RuleFileError", "RuleFileInvalid", "RuleRegistry", "load_file", "validate_path"]


class RuleRegistry:
    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs
        self.errors: list[RuleFileError] = []
        self._good: dict[Path, RuleDoc] = {}
        self._programs: dict[str, list[RuleSet]] = {}
        self._tables: dict[str, dict[tuple[str, ...], TableRow]] = {}
        self._lock = threading.Lock()
        self._seen: tuple[tuple[str, int, int], ...] = ()

    @classmethod
    def load_default(cls, extra_dir: Path | None = None) -> RuleRegistry:
        dirs = [SHIPPED_DIR] + ([extra_dir] if extra_dir is not None else [])
        registry = cls(dirs)
        registry.reload()
        return registry

    # ---- loading -----------------------------------------------------------------------
    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for d in self.dirs:
            for f in _rule_files(d):
                try:
                    st = f.stat()
                except OSError:
                    continue
                out.append((str(f), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def refresh(self) -> bool:
        """Reload when a rule file was added, changed or removed (cheap: file stats). True if reloaded."""
        if self._signature() == self._seen:
            return False
        self.reload()
        return True

    def reload(self) -> list[RuleFileError]:
        """Re-read every file; invalid files keep their last good version. Returns the errors."""
        with self._lock:
            self._seen = self._signature()
            errors: list[RuleFileError] = []
            good: dict[Path, RuleDoc] = {}
            for d in self.dirs:
                for f in _rule_files(d):
                    try:
                        good[f] = load_file(f)
                    except RuleFileInvalid as exc:
                        errors += exc.errors
                        if f in self._good:
                            good[f] = self._good[f]
            programs, tables, build_errors = self._build(good)
            self._good, self._programs, self._tables = good, programs, tables
            self.errors = errors + build_errors
            return self.errors

    def _build(self, good: dict[Path, RuleDoc]) -> tuple[
        dict[str, list[RuleSet]], dict[str, dict[tuple[str, ...], TableRow]], list[RuleFileError]
    ]:
        errors: list[RuleFileError] = []
        tables: dict[str, dict[tuple[str, ...], TableRow]] = {}
        by_key: dict[tuple[str, str], tuple[Path, RuleSet]] = {}
        for path, doc in good.items():  # in directory order: staff files come last and win
            if isinstance(doc, Table):
                rows = tables.setdefault(doc.id, {})
                for row in doc.rows:
                    key = tuple(str(row[k]).strip().lower() for k in doc.keys)
                    rows[key] = TableRow(Fraction(str(row["value"])), bool(row.get("verified", True)),
                                         str(row["note"]) if row.get("note") else None,
                                         bool(row.get("example", False)))
            else:
                by_key[doc.key] = (path, doc)
        programs: dict[str, list[RuleSet]] = {}
        for path, rs in sorted(by_key.values(), key=lambda item: (item[1].program, item[1].effective.from_)):
            refs = table_refs(path, rs, set(tables))
            clash = next((o for o in programs.get(rs.program, []) if _overlap(o, rs)), None)
            if clash is not None:
                refs.append(RuleFileError(str(path), "effective",
                                          f"overlaps version {clash.version} of {rs.program}"))
            if refs:
                errors += refs
                continue
            programs.setdefault(rs.program, []).append(rs)
        errors += _row_keys_known(good, programs)
        return programs, tables, errors

    # ---- queries -----------------------------------------------------------------------
    def programs(self) -> list[str]:
        return sorted(self._programs)

    def versions(self, program: str) -> list[RuleSet]:
        if program not in self._programs:
            raise NotFound("eligibility.unknown_program", message="unknown program {program}; known: {known}",
                           program=program, known=", ".join(self.programs()))
        return list(self._programs[program])

    def resolve(self, program: str, on: date) -> RuleSet:
        """The version of `program` in force on `on`."""
        for rs in self.versions(program):
            if rs.effective.contains(on):
                return rs
        raise NotFound("eligibility.no_version", message="no version of {program} is in force on {on}",
                       program=program, on=on.isoformat())

    @property
    def tables(self) -> Mapping[str, TableData]:
        return self._tables

    def today(self, program: str, now: datetime) -> date:
        """Today's date where the program applies (its rule file's time zone)."""
        tz = ZoneInfo(self.versions(program)[-1].timezone)
        return now.astimezone(tz).date()

    def evaluate(self, program: str, answers: Mapping[str, Value], on: date) -> tuple[RuleSet, Decision]:
        rs = self.resolve(program, on)
        return rs, evaluate(rs, answers, on, self._tables)

    def check(self, program: str, raw: Mapping[str, object], on: date) -> tuple[RuleSet, Decision, list[str]]:
        """Raw answers (answers.json) → (rule version, decision, ids ignored by that version)."""
        rs = self.resolve(program, on)
        typed, ignored = coerce_answers(rs, raw)
        return rs, evaluate(rs, typed, on, self._tables), ignored

    def coverage(self, today: date, days: int = WARN_DAYS) -> list[CoverageWarning]:
        """Per-quarter tables about to run out (or run out, or empty) for an option, e.g. a region."""
        return coverage(self._programs, self._tables, today, days)

    def menu_order(self, lang: str) -> list[str]:
        """Programs for a language: those whose rules name the language first."""
        def first(program: str) -> int:
            return 0 if lang in self._programs[program][-1].menu_langs else 1
        return sorted(self.programs(), key=lambda p: (first(p), p))


def _rule_files(d: Path) -> list[Path]:
    """The rule files of a folder (a single file stands for itself)."""
    if d.is_dir():
        return sorted(d.glob("*.y*ml"))
    return [d] if d.is_file() else []


def _row_keys_known(good: dict[Path, RuleDoc], programs: dict[str, list[RuleSet]]) -> list[RuleFileError]:
    """A table row whose key is not an option of the question it is looked up by (a staff typo such
    as `pavlodr`) would never be used: report it (the row stays, harmless)."""
    allowed: dict[tuple[str, int], set[str]] = {}
    for versions in programs.values():
        for rs in versions:
            for th in rs.thresholds.values():
                for i, name in enumerate(th.key or []):
                    q = rs.question(name)
                    if th.table and q is not None and q.options:
                        allowed.setdefault((th.table, i), set()).update(o.id for o in q.options)
    errors: list[RuleFileError] = []
    for path, doc in good.items():
        if not isinstance(doc, Table):
            continue
        for j, row in enumerate(doc.rows):
            for i, col in enumerate(doc.keys):
                known = allowed.get((doc.id, i))
                value = str(row.get(col, "")).strip().lower()
                if known and value not in known:
                    errors.append(RuleFileError(str(path), f"rows[{j}].{col}",
                                                f"unknown {col} '{value}' (not an option of the program's question)"))
    return errors


def _overlap(a: RuleSet, b: RuleSet) -> bool:
    a_end, b_end = a.effective.to or date.max, b.effective.to or date.max
    return a.effective.from_ <= b_end and b.effective.from_ <= a_end
