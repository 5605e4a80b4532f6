"""Staff edits of a per-region, per-quarter table (the Kazakhstan poverty line) in the staff folder.

An edit sets (or removes) one row of the staff file of a table (`<data_dir>/rules/<table>.yaml`, or
whichever staff file holds that table). The new file is checked before anything is written, with
the validator of `civicbot eligibility validate` (`validate_path` over the staff folder as it would
be) and with the checks the running registry applies when it loads the folder (a region that is
not an option of the program's question). On any error nothing is written: the file on disk and
the rules the bot serves stay the last good ones, and the errors are raised (`RuleFileInvalid`).
On success the file is replaced atomically; the caller reloads the registry.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from knowledge.eligibility.registry import (
    SHIPPED_DIR,
    RuleDoc,
    RuleFileError,
    RuleFileInvalid,
    RuleRegistry,
    load_file,
    validate_path,
)
from knowledge.eligibility.schema import Table
from knowledge.jsontypes import as_list, as_object

POVERTY_TABLE = "kz-poverty-lines"
HEADER = ("# Staff rows of this table (they add to or correct the shipped rows with the same keys).\n"
          "# Written by the staff console; you may also edit it by hand, then run\n"
          "# `civicbot eligibility validate`.\n")


@dataclass(frozen=True)
class RowEdit:
    """What an edit changed: the row's keys, the staff value before (None: no staff row) and after."""

    table: str
    key: dict[str, str]
    old: object
    """The staff row's value as the file had it (None: no staff row)."""
    new: int | float | str | None
    path: Path


def parse_amount(text: str) -> int | float | str:
    """`38 000`, `38000`, `35596,5` → a number; anything else stays text (the validator refuses it)."""
    cleaned = "".join(ch for ch in text.strip() if ch not in " \u00a0\u202f\u2009_'")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return text.strip()
    if not number.is_finite():
        return text.strip()
    return int(number) if number == number.to_integral_value() else float(number)


def _same(a: object, b: object) -> bool:
    return str(a).strip().lower() == str(b).strip().lower()


Change = Callable[[list[dict[str, object]]], tuple[object, list[dict[str, object]]]]
"""An edit of the staff rows: (the staff value before, the rows after)."""


class TableEditor:
    def __init__(self, staff_dir: Path, table_id: str = POVERTY_TABLE) -> None:
        self.staff_dir = staff_dir
        self.table_id = table_id

    # ---- the staff file --------------------------------------------------------------------
    def staff_file(self) -> Path:
        """The staff file holding the table (the last one, as the registry lets the last win), else
        `<table>.yaml` (not created yet)."""
        found = None
        for f in sorted(self.staff_dir.glob("*.y*ml")) if self.staff_dir.is_dir() else []:
            with contextlib.suppress(OSError, yaml.YAMLError, ValueError, TypeError):
                data = yaml.safe_load(f.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("kind") == "table" and data.get("id") == self.table_id:
                    found = f
        return found or self.staff_dir / f"{self.table_id}.yaml"

    def _current(self, path: Path) -> dict[str, object]:
        """The staff file's content (a valid file only: a broken one must be fixed first), or a new
        table with the shipped table's header and no rows."""
        if path.exists():
            load_file(path)  # raises RuleFileInvalid with the file's own problems
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data.setdefault("rows", [])
            return dict(data)
        shipped = next((d for d in (_load_or_none(f) for f in sorted(SHIPPED_DIR.glob("*.y*ml")))
                        if isinstance(d, Table) and d.id == self.table_id), None)
        if shipped is None:
            raise RuleFileInvalid([RuleFileError(str(path), "id", f"unknown table '{self.table_id}'")])
        head: dict[str, object] = {"kind": "table", "id": shipped.id, "title": shipped.title, "unit": shipped.unit,
                "keys": list(shipped.keys)}
        if shipped.source:
            head["source"] = shipped.source
        return {**head, "rows": []}

    # ---- edits -----------------------------------------------------------------------------
    def set_row(self, key: dict[str, str], value: int | float | str, *, note: str | None = None) -> RowEdit:
        """Add or correct the staff row with these keys (its `example` flag dropped: staff enter the
        published value). Raises RuleFileInvalid, writing nothing, when the result would not validate."""
        def change(rows: list[dict[str, object]]) -> tuple[object, list[dict[str, object]]]:
            row: dict[str, object] = {**key, "value": value}
            if note and note.strip():
                row["note"] = " ".join(note.split())[:300]
            old: object = None
            out: list[dict[str, object]] = []
            placed = False
            for r in rows:
                if all(_same(r.get(k), v) for k, v in key.items()):
                    old = r.get("value")
                    if not placed:
                        out.append(row)
                        placed = True
                    continue
                out.append(r)
            if not placed:
                out.append(row)
            return old, out
        return self._edit(key, change, new=value)

    def remove_row(self, key: dict[str, str]) -> RowEdit:
        """Drop the staff row with these keys (the shipped row, if any, applies again)."""
        def change(rows: list[dict[str, object]]) -> tuple[object, list[dict[str, object]]]:
            kept = [r for r in rows if not all(_same(r.get(k), v) for k, v in key.items())]
            if len(kept) == len(rows):
                raise RuleFileInvalid([RuleFileError(str(self.staff_file()), "rows", f"no staff row for {key}")])
            old = next(r.get("value") for r in rows if r not in kept)
            return old, kept
        return self._edit(key, change, new=None)

    def _edit(self, key: dict[str, str], change: Change, *, new: int | float | str | None) -> RowEdit:
        self.staff_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            path = self.staff_file()
            data = self._current(path)
            rows = [as_object(r, "rows[]") for r in as_list(data.get("rows") or [], "rows")]  # a valid file's
            old, data["rows"] = change(rows)
            text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
            errors = self.check(path, text)
            if errors:
                raise RuleFileInvalid(errors)
            tmp = path.with_name(f".{path.name}.tmp")  # not *.yaml: never loaded half-written
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        return RowEdit(self.table_id, dict(key), old, new, path)

    def check(self, path: Path, text: str) -> list[RuleFileError]:
        """The errors this file would have with `text` as its content: those of `civicbot eligibility
        validate` on the staff folder, then those of the registry loading the folder (shipped + staff)
        that the edit introduces (a problem the file already had, harmless to the registry, is not
        the edit's fault). Errors of other staff files are theirs. File names are the real ones."""
        with tempfile.TemporaryDirectory(prefix="civicbot-rules-") as tmp:
            folder = Path(tmp)
            for f in sorted(self.staff_dir.glob("*.y*ml")):
                if f.name != path.name:
                    shutil.copyfile(f, folder / f.name)
            candidate = folder / path.name
            before: set[str] = set()
            if path.exists():
                shutil.copyfile(path, candidate)
                before = {e.reason for e in RuleRegistry([SHIPPED_DIR, folder]).reload() if e.file == str(candidate)}
            candidate.write_text(text, encoding="utf-8")
            _, errors = validate_path(folder)
            errors = [e for e in errors if e.file == str(candidate)]
            if not errors:
                errors = [e for e in RuleRegistry([SHIPPED_DIR, folder]).reload()
                          if e.file == str(candidate) and e.reason not in before]
            return [RuleFileError(str(path), e.field, e.reason) for e in errors]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One edit at a time on this machine (two staff members saving at once: both rows kept)."""
        with open(self.staff_dir / ".console-edit.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _load_or_none(path: Path) -> RuleDoc | None:
    try:
        return load_file(path)
    except RuleFileInvalid:
        return None
