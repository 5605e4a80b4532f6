"""JSONL corpora: one document per line, `{"id", "text", "lang", "title"?, "url"?, ...}`.

Every line is validated before anything is written: the first bad line raises an IngestError
naming the file and the line number. Texts are normalized (NFC, whitespace) but not stripped of
web boilerplate: a corpus is curated data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from knowledge.errors import IngestError
from knowledge.ingest.loaders import decode_text, read_bytes
from knowledge.ingest.meta import meta_from_mapping
from knowledge.ingest.pipeline import Prepared, finish
from knowledge.jsontypes import JSONValue
from knowledge.text import normalize_text

MAX_JSONL_MB = 500
_KNOWN = ("id", "text", "lang", "title", "url", "region", "program", "published", "effective")


def _record(obj: object, file: str, line: int) -> tuple[str, str, dict[str, JSONValue]]:
    if not isinstance(obj, dict):
        raise IngestError("ingest.bad_record", file=file, line=line, detail="each line must be a JSON object")
    doc_id = obj.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip() or len(doc_id) > 200:
        raise IngestError("ingest.bad_record", file=file, line=line, detail='"id" must be a non-empty string')
    text = obj.get("text")
    if not isinstance(text, str):
        raise IngestError("ingest.bad_record", file=file, line=line, detail='"text" must be a string')
    for key in ("lang", "title", "url", "region", "program"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise IngestError("ingest.bad_record", file=file, line=line, detail=f'"{key}" must be a string')
    return doc_id.strip(), text, cast("dict[str, JSONValue]", obj)  # a JSON object (json.loads)


def parse_jsonl(path: Path | str) -> list[Prepared]:
    """All documents of a JSONL file, validated; `meta.doc_id` holds each line's id."""
    path = Path(path)
    name = str(path)
    content = decode_text(read_bytes(path, MAX_JSONL_MB), name)
    docs: list[Prepared] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise IngestError("ingest.bad_json", file=name, line=number, detail=exc.msg) from exc
        doc_id, text, data = _record(obj, name, number)
        if doc_id in first_line:
            raise IngestError("ingest.duplicate_id", file=name, line=number, id=doc_id, first_line=first_line[doc_id])
        first_line[doc_id] = number
        try:
            meta = meta_from_mapping({k: v for k, v in data.items() if k in _KNOWN and k not in ("id", "text")},
                                     file=name)  # fmt: skip
            extra = {k: v for k, v in data.items() if k not in _KNOWN}
            meta = meta.with_(doc_id=doc_id, extra={**extra, "format": "jsonl"})
            docs.append(finish(normalize_text(text), meta, source=name, file=name, derived_id=doc_id))
        except IngestError as exc:
            exc.params.setdefault("line", number)
            exc.params["file"] = name
            raise
    if not docs:
        raise IngestError("ingest.empty", file=name)
    return docs
