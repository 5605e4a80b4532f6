"""The Eligibility tables page: the rule versions in force and the Kazakhstan poverty-line table.

Versions and rows are read from the running registry (`app.rules`, the rules the bot uses). An
edit goes through `TableEditor` (knowledge/eligibility/table_edit.py): validated like `civicbot
eligibility validate` before anything is written; refused, the file and the served rules stay the
last good ones; accepted, the registry is reloaded so the bot uses the new line at once. Every
edit and refusal is written to the staff audit log. Blocking functions: call them off the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from knowledge.eligibility.decision import quarter_of
from knowledge.eligibility.registry import RuleFileError, RuleFileInvalid
from knowledge.eligibility.table_edit import POVERTY_TABLE, TableEditor, parse_amount

if TYPE_CHECKING:
    from bot.app import App
    from knowledge.eligibility.coverage import CoverageWarning
    from knowledge.eligibility.registry import RuleRegistry

PROGRAM = "kz-asp"
Translate = Callable[..., str]


@dataclass(frozen=True)
class VersionRow:
    program: str
    version: str
    title: str
    effective_from: str
    effective_to: str
    questions: int
    in_force: bool


@dataclass(frozen=True)
class LineRow:
    region: str
    region_label: str
    quarter: str
    value: str
    staff: bool
    """A staff row (in the staff folder), else shipped with the bot."""
    example: bool
    verified: bool
    note: str


@dataclass(frozen=True)
class RulesView:
    versions: list[VersionRow]
    lines: list[LineRow]
    regions: list[tuple[str, str]]
    """(id, label in the reader's language) of the regions the program asks for."""
    quarter: str
    """The current quarter (`2026Q4`), suggested for a new row."""
    errors: list[str] = field(default_factory=list)
    """Rule files the registry rejected (their last good version keeps serving)."""
    warnings: list[str] = field(default_factory=list)
    """Regions whose poverty-line rows run out soon or have run out."""


def _amount(value: Fraction | float | str) -> str:
    number = float(value)
    return f"{int(number):,}".replace(",", " ") if number.is_integer() else f"{number:,.2f}".replace(",", " ")


def regions(registry: RuleRegistry, lang: str) -> list[tuple[str, str]]:
    """The options of the question the poverty-line table is keyed by (`region` of kz-asp)."""
    try:
        rs = registry.versions(PROGRAM)[-1]
    except Exception:  # the program is not loaded: no regions to offer
        return []
    for th in rs.thresholds.values():
        if th.table == POVERTY_TABLE and th.key:
            q = rs.question(th.key[0])
            if q is not None and q.options:
                return [(o.id, o.label.get(lang)) for o in q.options]
    return []


def staff_keys(staff_dir: Path) -> set[tuple[str, str]]:
    path = TableEditor(staff_dir).staff_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, yaml.YAMLError, ValueError):
        return set()
    rows = data.get("rows") if isinstance(data, dict) else None
    return {(str(r.get("region", "")).strip().lower(), str(r.get("quarter", "")).strip().lower())
            for r in rows or [] if isinstance(r, dict)}


def _warning(t: Translate, w: CoverageWarning, ends: date, label: str, today: date) -> str:
    """A region whose rows run out (or ran out) on `ends`, in the reader's language."""
    if ends < today:
        return t("web_kb.rules.ended", region=label, ends=ends.isoformat(), quarter=w.last_quarter)
    return t("web_kb.rules.ends_soon", region=label, ends=ends.isoformat(), quarter=w.last_quarter,
             days=(ends - today).days)


def rules_view(registry: RuleRegistry, staff_dir: Path, lang: str, today: date, t: Translate) -> RulesView:
    versions = [
        VersionRow(rs.program, rs.version, rs.title.get(lang), rs.effective.from_.isoformat(),
                   rs.effective.to.isoformat() if rs.effective.to else "", len(rs.questions),
                   rs.effective.contains(today))
        for program in registry.programs() for rs in registry.versions(program)
    ]
    labels = dict(regions(registry, lang))
    mine = staff_keys(staff_dir)
    rows = registry.tables.get(POVERTY_TABLE, {})
    lines = [LineRow(key[0], labels.get(key[0], key[0]), key[1].upper(), _amount(row.value), key in mine,
                     row.example, row.verified, row.note or "")
             for key, row in sorted(rows.items(), key=lambda kv: (labels.get(kv[0][0], kv[0][0]), kv[0][1]))]
    warnings = [_warning(t, w, w.ends, labels.get(w.option, w.option), today) for w in registry.coverage(today)
                if w.ends is not None and w.table == POVERTY_TABLE]
    return RulesView(versions, lines, sorted(labels.items(), key=lambda kv: kv[1]), quarter_of(today),
                     [str(e) for e in registry.errors], warnings)


@dataclass(frozen=True)
class EditOutcome:
    ok: bool
    message: str
    details: list[str] = field(default_factory=list)
    """The validator's own lines (`file: field: reason`), as `civicbot eligibility validate` prints them."""


def _why(t: Translate, errors: list[RuleFileError], value: str, quarter: str, region: str) -> str:
    fields = [e.field for e in errors]
    if any(f.endswith(".value") for f in fields):
        return t("web_kb.rules.bad_value", value=value)
    if any(f.endswith(".quarter") for f in fields):
        return t("web_kb.rules.bad_quarter", quarter=quarter)
    if any(f.endswith(".region") for f in fields):
        return t("web_kb.rules.bad_region", region=region)
    return t("web_kb.rules.invalid")


def edit_line(app: App, t: Translate, actor: str, region: str, quarter: str, value: str,
              note: str = "", *, remove: bool = False) -> EditOutcome:  # fmt: skip
    """Set (or remove) the staff row of `region` × `quarter`; refused with the reason, nothing written."""
    registry = app.rules
    region, quarter = region.strip().lower(), quarter.strip().upper()
    target = f"{POVERTY_TABLE}:{region}:{quarter}"
    audit = app.staff.audit
    if region not in dict(regions(registry, "en")):
        audit(actor, "rules_edit", channel="web", target=target, outcome="failed", code="unknown_region")
        return EditOutcome(False, t("web_kb.rules.bad_region", region=region))
    editor = TableEditor(app.settings.data_dir / "rules")
    key = {"region": region, "quarter": quarter}
    amount = parse_amount(value)
    try:
        edit = editor.remove_row(key) if remove else editor.set_row(key, amount, note=note)
    except RuleFileInvalid as exc:
        lines = [str(e) for e in exc.errors]
        audit(actor, "rules_edit", channel="web", target=target, outcome="failed", value=value[:50], errors=lines[:5])
        message = t("web_kb.rules.no_row") if remove else _why(t, exc.errors, value, quarter, region)
        return EditOutcome(False, message, lines)
    registry.reload()
    audit(actor, "rules_edit", channel="web", target=target, old=edit.old, new=edit.new, file=edit.path.name)
    if remove:
        return EditOutcome(True, t("web_kb.rules.removed", region=region, quarter=quarter))
    return EditOutcome(True, t("web_kb.rules.saved", region=region, quarter=quarter, value=_amount(amount)))
