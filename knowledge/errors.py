"""civicbot's one small tree of domain errors, shared by every area.

::

    CivicError                 code, params; str() is a clear English message for logs and the CLI
    ├── IngestError            a file or text could not be ingested (ingest.*)
    ├── NotFound               a document, room, booking... does not exist (*.not_found)
    ├── ValidationError        domain validation of user input (dates, numbers, fields)
    ├── Conflict               the action clashes with the current state (booking overlap, stale version)
    ├── Forbidden              the user may not do this (staff-only command)
    └── RateLimited            too many requests; try again later

Every error carries

- ``code``: a stable machine code such as ``ingest.empty`` or ``booking.overlap``. The dialog looks
  up ``error.<code>`` in the message catalogs (handlers/locales/<lang>/*.yaml) and formats it with
  ``params``; the CLI prints ``str(error)``. Codes never change once published.
- ``params``: plain values for the message (``file``, ``line``, ``detail``, ``limit_mb``...).

``str(error)`` names the file and line when known (``data.jsonl, line 3: ...``) and ends with the
code in brackets. A custom English message may be given as ``message=``; otherwise the text comes
from :data:`MESSAGES` (or the code itself).

Raise them like this::

    raise IngestError("ingest.empty", file="notice.pdf")
    raise ValidationError("booking.bad_date", message="the date is in the past", value="2020-01-01")
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # ingestion (knowledge/)
    "ingest.not_found": "no such file or folder",
    "ingest.unreadable": "the file cannot be read ({detail})",
    "ingest.unsupported_type": (
        "unsupported file type {ext!s}; use .txt, .md, .html, .pdf or .docx (a .jsonl corpus: kb import)"
    ),
    "ingest.too_large": "the file is too large ({size_mb} MB; the limit is {limit_mb} MB)",
    "ingest.encoding": "the text encoding is not UTF-8 and could not be recognized",
    "ingest.empty": "the document has no text after clean-up",
    "ingest.unknown_language": "the language is neither Vietnamese nor Russian; give it with --lang vi|ru",
    "ingest.bad_language": "unsupported language {lang!s}; use vi or ru",
    "ingest.pdf_encrypted": "the PDF is password-protected",
    "ingest.pdf_corrupt": "the PDF is damaged or not a PDF ({detail})",
    "ingest.too_many_pages": "the PDF has {pages} pages; the limit is {limit}",
    "ingest.pdf_no_text": "the PDF has no extractable text (a scan?)",
    "ingest.docx_corrupt": "the DOCX file is damaged or not a DOCX ({detail})",
    "ingest.docx_bomb": "the DOCX archive is suspicious (too large when unpacked: {detail})",
    "ingest.bad_metadata": "bad metadata: {detail}",
    "ingest.too_much_text": "the document has more than {limit} characters of text (MAX_DOC_CHARS)",
    "ingest.too_many_chunks": "the document would make {chunks} passages; the limit is {limit} (MAX_DOC_CHUNKS)",
    "ingest.parse_timeout": "reading the file took longer than {seconds} s (PARSE_TIMEOUT_S)",
    "ingest.parse_memory": "reading the file needed more than {limit_mb} MB of memory (PARSE_MEMORY_MB)",
    "ingest.bad_json": "not a valid JSON object ({detail})",
    "ingest.bad_record": "bad record: {detail}",
    "ingest.duplicate_id": "duplicate id {id!s} (first seen on line {first_line})",
    "ingest.no_files": "no supported documents found in the folder",
    # generic
    "not_found": "not found",
    "kb.not_found": "no document with id {doc_id!s}",
    "validation": "invalid input",
    "conflict": "conflict with the current state",
    "forbidden": "not allowed",
    "rate_limited": "too many requests; try again later",
}


class _SafeParams(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


class CivicError(Exception):
    """Base of all domain errors: a stable ``code`` and the ``params`` for its message."""

    default_code = "error"

    def __init__(self, code: str | None = None, *, message: str | None = None, **params: object) -> None:
        self.code: str = code or self.default_code
        self.params: dict[str, object] = dict(params)
        self.message = message
        super().__init__(self.code)

    def describe(self) -> str:
        """The English message without the location prefix."""
        template = self.message or MESSAGES.get(self.code)
        if template is None:
            detail = self.params.get("detail")
            return str(detail) if detail else self.code.replace(".", " ").replace("_", " ")
        try:
            return template.format_map(_SafeParams(self.params))
        except (ValueError, IndexError):  # a malformed custom message: show it raw
            return template

    def location(self) -> str:
        file, line = self.params.get("file"), self.params.get("line")
        if file and line:
            return f"{file}, line {line}"
        return str(file or "")

    def __str__(self) -> str:
        where = self.location()
        text = self.describe()
        return f"{where}: {text} [{self.code}]" if where else f"{text} [{self.code}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class IngestError(CivicError):
    """A document could not be ingested; nothing of it was written."""

    default_code = "ingest.unreadable"


class NotFound(CivicError):
    default_code = "not_found"


class ValidationError(CivicError):
    """Domain validation of user input (not pydantic's ValidationError)."""

    default_code = "validation"


class Conflict(CivicError):
    default_code = "conflict"


class Forbidden(CivicError):
    default_code = "forbidden"


class RateLimited(CivicError):
    default_code = "rate_limited"


__all__ = [
    "MESSAGES",
    "CivicError",
    "Conflict",
    "Forbidden",
    "IngestError",
    "NotFound",
    "RateLimited",
    "ValidationError",
]
