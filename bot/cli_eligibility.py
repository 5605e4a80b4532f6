"""`civicbot eligibility list|questions|check|validate`: the rules engine from the console.

Exit codes: 0 done; 1 bad input (file, date, program) with a clear message on stderr;
3 answers are missing (the output lists their ids under "missing").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from bot.cli_common import check_lang, fail, print_json, state
from handlers.jsondata import JsonObject

if TYPE_CHECKING:
    from knowledge.eligibility.registry import RuleRegistry
    from knowledge.eligibility.render import DecisionJSON

T = TypeVar("T")

MISSING_EXIT = 3
LANGS = ("vi", "ru", "en")
eligibility = typer.Typer(help="Eligibility checks: rule versions, questions, checks, rule-file validation.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eligibility, name="eligibility")


def _rules(ctx: typer.Context) -> RuleRegistry:
    registry = state(ctx).app.rules
    for err in registry.errors:
        typer.echo(f"warning: rule file rejected: {err}", err=True)
    return registry


def _on(registry: RuleRegistry, program: str, on: str | None) -> date:
    if on is None:
        return registry.today(program, datetime.now(UTC))
    try:
        return date.fromisoformat(on)
    except ValueError:
        fail(f"--on: expected a date as YYYY-MM-DD, got {on!r}")


def _guard(call: Callable[[], T]) -> T:
    from knowledge.errors import CivicError

    try:
        return call()
    except CivicError as exc:
        fail(str(exc))


@eligibility.command("list")
def list_programs(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Programs, their rule versions and effective dates."""
    registry = _rules(ctx)
    rows = [
        {
            "program": rs.program,
            "version": rs.version,
            "title": rs.title.en,
            "effective_from": rs.effective.from_.isoformat(),
            "effective_to": rs.effective.to.isoformat() if rs.effective.to else None,
            "questions": len(rs.questions),
        }
        for program in registry.programs()
        for rs in registry.versions(program)
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        until = r["effective_to"] or "open-ended"
        typer.echo(f"{r['program']:<12} {r['version']:<18} {r['effective_from']} → {until:<10}  {r['title']}")


@eligibility.command("questions")
def questions(
    ctx: typer.Context,
    program: str = typer.Argument(..., help="Program id, e.g. vn-poverty or kz-asp."),
    on: str | None = typer.Option(None, "--on", help="As of this date (YYYY-MM-DD); default today."),
    lang: str = typer.Option("en", "--lang", help="Language of the prompts: vi, ru or en."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """The questions of the rule version in force, with ids and types."""
    from knowledge.eligibility.render import prompt_text

    check_lang(lang, LANGS)
    registry = _rules(ctx)
    day = _guard(lambda: _on(registry, program, on))
    rs = _guard(lambda: registry.resolve(program, day))
    items: list[JsonObject] = [
        {
            "id": q.id,
            "type": q.type,
            "unit": q.unit,
            "options": [o.id for o in q.options] if q.options else None,
            "min": q.min,
            "max": q.max,
            "indicator": q.indicator,
            "asked": q.ask,
            "verified": q.verified,
            "prompt": prompt_text(rs, q.id, lang, day),
        }
        for q in rs.questions
    ]
    if as_json:
        print_json({"program": rs.program, "version": rs.version, "on": day.isoformat(), "questions": items})
        return
    typer.echo(f"{rs.program} {rs.version} (as of {day.isoformat()})")
    for q in items:
        extra = q["unit"] or (",".join(q["options"]) if q["options"] else "")
        typer.echo(f"  {q['id']:<24} {q['type']:<7} {extra:<18} {q['prompt']}")


@eligibility.command("check")
def check(
    ctx: typer.Context,
    program: str = typer.Argument(..., help="Program id, e.g. vn-poverty or kz-asp."),
    answers: Path = typer.Option(..., "--answers", help="JSON file mapping question ids to values."),
    on: str | None = typer.Option(None, "--on", help="As of this date (YYYY-MM-DD); default today."),
    lang: str = typer.Option("en", "--lang", help="Language of the texts: vi, ru or en."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Check one household's answers; exit 3 and list the missing ids when answers are missing."""
    from knowledge.eligibility.render import decision_json

    check_lang(lang, LANGS)
    raw = _read_answers(answers)
    registry = _rules(ctx)
    day = _guard(lambda: _on(registry, program, on))
    rs, decision, ignored = _guard(lambda: registry.check(program, raw, day))
    out = decision_json(rs, decision, lang)
    if ignored:
        out["ignored"] = ignored
    if as_json:
        print_json(out)
    else:
        _print_text(out)
    if decision.missing:
        raise typer.Exit(MISSING_EXIT)


def _read_answers(path: Path) -> JsonObject:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read the file ({exc})")
    except json.JSONDecodeError as exc:
        fail(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})")
    if not isinstance(data, dict):
        fail(f"{path}: expected a JSON object mapping question ids to values")
    return data


def _print_text(out: DecisionJSON) -> None:
    typer.echo(f"{out['program']} {out['version']} as of {out['on']}")
    if out.get("missing"):
        typer.echo("missing answers: " + ", ".join(out["missing"]))
        return
    for e in out.get("examples", []):
        typer.echo(f"!!! {e['text']}")
    typer.echo(f"outcome: {out['outcome']} — {out['label']}" + ("" if out["verified"] else "  (uses unverified rules)"))
    for r in out["reasons"]:
        typer.echo(f"  because: {r['text']}")
    for b in out["benefits"]:
        typer.echo(f"  support: {b['title']}: {b['text']}")
    for s in out["sources"]:
        when = f" ({s['date']})" if s["date"] else ""
        typer.echo(f"  source: {s['document']}{when}")
    typer.echo(out["disclaimer"])


@eligibility.command("validate")
def validate(
    ctx: typer.Context,
    path: Path | None = typer.Argument(None, help="A rule file or a folder of rule files (default: the staff "
                                                  "folder <data-dir>/rules and the shipped rules)."),
    on: str | None = typer.Option(None, "--on", help="Check the tables' coverage as of this date (YYYY-MM-DD)."),
    days: int = typer.Option(30, "--days", min=0, max=366, help="Warn this many days before a table runs out."),
) -> None:
    """Check rule files; exit 0 when valid, else print file: field: reason and exit 1.

    Also warns (on stderr, exit 0) when a per-quarter table — the poverty line by region — runs out
    within `--days` days for any region, or has already run out.
    """
    from knowledge.eligibility.registry import SHIPPED_DIR, RuleRegistry, validate_path

    staff_dir = state(ctx).settings.data_dir / "rules"
    target = path if path is not None else staff_dir
    files, errors = validate_path(target) if path is not None or target.is_dir() else ([], [])
    if errors:
        for err in errors:
            typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1)
    if path is not None and not files:
        fail(f"{path}: no rule files (*.yaml) found")
    for f in files:
        typer.echo(f"ok: {f}")
    dirs = [SHIPPED_DIR, staff_dir] + ([path] if path is not None and path not in (SHIPPED_DIR, staff_dir) else [])
    registry = RuleRegistry(dirs)
    registry.reload()
    today = date.fromisoformat(on) if on else datetime.now(UTC).date()
    warnings = registry.coverage(today, days)
    for w in warnings:
        if w.ends is not None:
            typer.echo(f"warning: {w.text(today)}", err=True)
    empty = [w.option for w in warnings if w.ends is None]
    if empty:
        typer.echo(f"warning: no poverty-line rows at all for {len(empty)} option(s): {', '.join(empty)}", err=True)
    if not files and path is None:
        typer.echo("ok: the shipped rules" + (f" and {staff_dir}" if staff_dir.is_dir() else ""))
