"""Document metadata from front matter (`---` YAML at the top of .md/.txt) and sidecar files
(`<file>.meta.yaml`, e.g. `notice.pdf.meta.yaml`), and date parsing shared with the CLI."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from knowledge.errors import IngestError
from knowledge.jsontypes import JSONValue
from knowledge.types import DocMeta

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIELDS = ("title", "lang", "url", "region", "program", "published", "effective")
SIDECAR_SUFFIX = ".meta.yaml"


def parse_date(value: object, *, file: str = "", what: str = "date") -> date | None:
    """A date from YAML (date/datetime) or text: 2025-12-30, 30/12/2025, 30.12.2025."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m", "%Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed
    raise IngestError("ingest.bad_metadata", file=file, detail=f"{what} {text!r} is not a date (use YYYY-MM-DD)")


def meta_from_mapping(data: object, *, file: str = "") -> DocMeta:
    """DocMeta from a front-matter / sidecar mapping; unknown keys go to `extra`."""
    if data is None:
        return DocMeta()
    if not isinstance(data, dict):
        raise IngestError("ingest.bad_metadata", file=file, detail="the metadata block must be a YAML mapping")

    def text(key: str) -> str | None:
        raw = data.get(key)
        return str(raw).strip() if raw is not None and raw != "" else None

    doc_id = data.get("id", data.get("doc_id"))
    extra: dict[str, JSONValue] = {
        str(k): _plain(v) for k, v in data.items() if k not in (*_FIELDS, "id", "doc_id")
    }
    return DocMeta(
        title=text("title"), lang=text("lang"), url=text("url"), region=text("region"), program=text("program"),
        published=parse_date(data.get("published"), file=file, what="published"),
        effective=parse_date(data.get("effective"), file=file, what="effective"),
        doc_id=str(doc_id).strip() if doc_id is not None and str(doc_id).strip() else None,
        extra=extra,
    )


def _plain(value: object) -> JSONValue:
    """A YAML value as JSON: dates as ISO text, containers element by element, anything else as text."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _load_yaml(text: str, file: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = exc.problem_mark if isinstance(exc, yaml.MarkedYAMLError) else None
        line = mark.line + 1 if mark is not None else None
        raise IngestError("ingest.bad_metadata", file=file, line=line, detail=f"invalid YAML: {exc}") from exc


def split_front_matter(text: str, *, file: str = "") -> tuple[DocMeta, str]:
    """(metadata, body) of a text that may start with a `---` YAML block."""
    m = _FRONT.match(text)
    if not m:
        return DocMeta(), text
    data = _load_yaml(m.group(1), file)
    return meta_from_mapping(data, file=file), text[m.end() :]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> DocMeta:
    """Metadata from `<file>.meta.yaml` next to `path` (empty when there is none)."""
    side = sidecar_path(path)
    if not side.is_file():
        return DocMeta()
    try:
        text = side.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError("ingest.bad_metadata", file=str(side), detail=str(exc)) from exc
    return meta_from_mapping(_load_yaml(text, str(side)), file=str(side))
