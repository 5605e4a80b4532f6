"""Hard limits on what one uploaded document may cost to read: every limit is on *actual* work done
(bytes really decompressed, characters really extracted, seconds really spent), never on sizes a
file declares about itself.

The composition root sets them once from the environment (`MAX_DOC_CHARS`, `MAX_DOC_CHUNKS`,
`PARSE_TIMEOUT_S`, `PARSE_MEMORY_MB`, `MAX_UNPACKED_MB`) with :func:`set_limits`; tests may too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TypeVar

from knowledge.errors import IngestError


@dataclass(frozen=True)
class IngestLimits:
    max_chars: int = 2_000_000
    """Characters of text extracted from one document (`MAX_DOC_CHARS`)."""
    max_chunks: int = 5_000
    """Passages one document may become (`MAX_DOC_CHUNKS`)."""
    parse_timeout_s: float = 60.0
    """Wall-clock seconds to parse one PDF or DOCX (`PARSE_TIMEOUT_S`); the parser is then killed."""
    parse_memory_mb: int = 512
    """Address space of the process that parses a PDF or DOCX (`PARSE_MEMORY_MB`)."""
    max_unpacked_mb: int = 128
    """Bytes really decompressed from one DOCX, all parts read together (`MAX_UNPACKED_MB`)."""
    max_xml_depth: int = 256
    """Element nesting in a DOCX part."""


_LIMITS = IngestLimits()


def limits() -> IngestLimits:
    return _LIMITS


def set_limits(*, max_chars: int | None = None, max_chunks: int | None = None, parse_timeout_s: float | None = None,
               parse_memory_mb: int | None = None, max_unpacked_mb: int | None = None,
               max_xml_depth: int | None = None) -> IngestLimits:
    """Change some limits (None values are ignored); returns the new limits."""
    global _LIMITS
    old = _LIMITS
    _LIMITS = replace(
        old, max_chars=_given(max_chars, old.max_chars), max_chunks=_given(max_chunks, old.max_chunks),
        parse_timeout_s=_given(parse_timeout_s, old.parse_timeout_s),
        parse_memory_mb=_given(parse_memory_mb, old.parse_memory_mb),
        max_unpacked_mb=_given(max_unpacked_mb, old.max_unpacked_mb),
        max_xml_depth=_given(max_xml_depth, old.max_xml_depth),
    )
    return _LIMITS


_T = TypeVar("_T")


def _given(new: _T | None, old: _T) -> _T:
    return old if new is None else new


def check_chars(n: int, file: str, lim: IngestLimits | None = None) -> None:
    lim = lim or _LIMITS
    if n > lim.max_chars:
        raise IngestError("ingest.too_much_text", file=file, limit=lim.max_chars)


class Deadline:
    """Checked inside parsing loops: past `seconds`, `check()` raises `ingest.parse_timeout`."""

    def __init__(self, seconds: float, file: str) -> None:
        self.seconds = seconds
        self.file = file
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise IngestError("ingest.parse_timeout", file=self.file, seconds=round(self.seconds))
