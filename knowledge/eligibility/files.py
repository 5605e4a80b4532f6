"""Reading and checking rule files: one file (`load_file`) or a file or folder as staff give it (`validate_path`).

A file is parsed as YAML, validated against the models of schema.py, then checked for references
(checks.py); every problem is reported as a :class:`RuleFileError` (file, field, reason) inside one
:class:`RuleFileInvalid`. The registry (registry.py) decides which of the good files are in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError as PydanticError

from knowledge.eligibility.checks import check_ruleset, check_table
from knowledge.eligibility.schema import RuleSet, Table

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "rules"
RuleDoc = RuleSet | Table
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.SafeLoader
try:  # the C loader when libyaml is there (several times faster on big rule files)
    from yaml import CSafeLoader as _C_LOADER

    _LOADER = _C_LOADER
except ImportError:  # pragma: no cover - depends on the PyYAML build
    pass


@dataclass(frozen=True)
class RuleFileError:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class RuleFileInvalid(Exception):
    def __init__(self, errors: list[RuleFileError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def load_file(path: Path) -> RuleDoc:
    """Parse and check one rule file; raises RuleFileInvalid listing every problem found."""
    name = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise RuleFileInvalid([RuleFileError(name, "-", f"cannot read the file ({exc.strerror})")]) from None
    except UnicodeDecodeError:
        raise RuleFileInvalid([RuleFileError(name, "-", "the file is not UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        marked = exc if isinstance(exc, yaml.MarkedYAMLError) else None
        mark = marked.problem_mark if marked is not None else None
        where = f"line {mark.line + 1}" if mark is not None else "-"
        problem = marked.problem if marked is not None else exc
        raise RuleFileInvalid([RuleFileError(name, where, f"not valid YAML: {problem}")]) from None
    except (ValueError, TypeError) as exc:  # e.g. a date like 2022-13-01
        raise RuleFileInvalid([RuleFileError(name, "-", f"bad value in the YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise RuleFileInvalid([RuleFileError(name, "-", "a rule file must be a YAML mapping")])
    model: type[RuleSet] | type[Table] = Table if data.get("kind") == "table" else RuleSet
    try:
        doc = model.model_validate(data)
    except PydanticError as exc:
        raise RuleFileInvalid(_pydantic_errors(name, exc)) from None
    problems = check_ruleset(doc) if isinstance(doc, RuleSet) else check_table(doc)
    if problems:
        raise RuleFileInvalid([RuleFileError(name, f, r) for f, r in problems])
    return doc


def _pydantic_errors(name: str, exc: PydanticError) -> list[RuleFileError]:
    """One error per field; the alternatives of a union ("int or float") merged into one reason."""
    by_field: dict[str, list[str]] = {}
    for e in exc.errors():
        reasons = by_field.setdefault(_loc(e["loc"]), [])
        if e["msg"] not in reasons:
            reasons.append(e["msg"])
    return [RuleFileError(name, f, " or ".join(r)) for f, r in by_field.items()]


_TYPE_TAGS = {"int", "float", "str", "bool", "list", "dict"}


def _loc(loc: tuple[int | str, ...]) -> str:
    """pydantic's location without its union tags: `outcomes[0].when.all[1].reason`."""
    parts = [p for p in loc if isinstance(p, int) or not (
        p in _TYPE_TAGS or p[:1].isupper() or "[" in p or p.startswith(("function-", "lax-", "json-")))]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return (out or "-").replace("not_", "not")


def validate_path(path: Path) -> tuple[list[Path], list[RuleFileError]]:
    """Check a file or every *.yaml in a folder (tables referenced must exist there or be shipped)."""
    files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    if not path.exists():
        return [], [RuleFileError(str(path), "-", "no such file or folder")]
    errors: list[RuleFileError] = []
    docs: dict[Path, RuleDoc] = {}
    for f in files:
        try:
            docs[f] = load_file(f)
        except RuleFileInvalid as exc:
            errors += exc.errors
    tables = {d.id for d in docs.values() if isinstance(d, Table)}
    tables |= {d.id for d in _shipped_docs().values() if isinstance(d, Table)}
    for f, d in docs.items():
        if isinstance(d, RuleSet):
            errors += table_refs(f, d, tables)
    return files, errors


def _shipped_docs() -> dict[Path, RuleDoc]:
    out: dict[Path, RuleDoc] = {}
    for f in sorted(SHIPPED_DIR.glob("*.y*ml")):
        try:
            out[f] = load_file(f)
        except RuleFileInvalid:
            continue
    return out


def table_refs(path: Path, rs: RuleSet, tables: set[str]) -> list[RuleFileError]:
    """The thresholds of `rs` that look up a table not among `tables`."""
    return [RuleFileError(str(path), f"thresholds.{tid}.table", f"unknown table '{th.table}'")
            for tid, th in rs.thresholds.items() if th.table is not None and th.table not in tables]
