"""PDF (pypdf) and DOCX (streamed, knowledge/ingest/docx_stream.py) loaders, defensive about what
users upload: both are parsed in a child process with a memory cap and a time limit
(knowledge/ingest/sandbox.py), and what they extract is capped (knowledge/ingest/limits.py).

- PDF: a password-protected file is refused (`ingest.pdf_encrypted`) unless it opens with the
  empty password (owner-only restrictions); a damaged file is `ingest.pdf_corrupt`; a scan
  without a text layer is `ingest.pdf_no_text`. Hard-wrapped lines are joined back into paragraphs.
- DOCX: the zip is inspected first: not a zip / no `word/document.xml` → `ingest.docx_corrupt`;
  too many entries, or declared sizes too large or too compressed → `ingest.docx_bomb` (a quick
  refusal only: the bytes really decompressed are what is capped, while streaming).
- Over `MAX_DOC_CHARS` characters → `ingest.too_much_text`; over `PARSE_TIMEOUT_S` →
  `ingest.parse_timeout`; over the parser's memory cap → `ingest.parse_memory`.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

from knowledge.errors import IngestError
from knowledge.ingest.limits import Deadline, IngestLimits, check_chars
from knowledge.ingest.loaders import Loaded, read_bytes
from knowledge.ingest.sandbox import run_sandboxed
from knowledge.types import DocMeta

MAX_PDF_PAGES = 2000
MAX_DOCX_ENTRIES = 2000
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 200

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def _reflow(page: str) -> str:
    """Join hard-wrapped PDF lines: a line break inside a sentence becomes a space."""
    page = _HYPHEN_BREAK.sub(r"\1\2", page.replace("\r", "\n"))
    out: list[str] = []
    for line in page.split("\n"):
        line = line.strip()
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        prev = out[-1] if out else ""
        starts_item = bool(re.match(r"^([-•*–]|\d{1,3}[.)]|[a-zа-яđ][.)])\s", line))
        if prev and prev[-1] not in ".!?…:;" and not starts_item and len(prev) > 40:
            out[-1] = prev + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def load_pdf(path: Path) -> Loaded:
    text, title = run_sandboxed("pdf", path)
    return Loaded(text, title, DocMeta(), web=False)


def parse_pdf_here(path: Path, lim: IngestLimits) -> tuple[str, str | None]:
    """In this process (the sandbox child): text and title, page by page under the limits."""
    from pypdf import PdfReader

    name = str(path)
    deadline = Deadline(lim.parse_timeout_s, name)
    data = read_bytes(path)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError("ingest.pdf_corrupt", file=name, detail="no PDF header")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages: list[str] = []
    chars = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # unsupported algorithm, missing crypto backend
                raise IngestError("ingest.pdf_encrypted", file=name) from exc
            if not opened:
                raise IngestError("ingest.pdf_encrypted", file=name)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise IngestError("ingest.too_many_pages", file=name, pages=len(reader.pages), limit=MAX_PDF_PAGES)
        for page in reader.pages:
            deadline.check()
            text = _reflow(page.extract_text() or "")
            chars += len(text)
            check_chars(chars, name, lim)
            pages.append(text)
        deadline.check()
        info = reader.metadata
        title = str(info.title).strip() if info is not None and info.title else None
    except (IngestError, MemoryError):
        raise
    except Exception as exc:  # untrusted input: any parser failure means a damaged file
        raise IngestError("ingest.pdf_corrupt", file=name, detail=type(exc).__name__ + ": " + str(exc)[:200]) from exc
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise IngestError("ingest.pdf_no_text", file=name)
    return text, title or None


def check_docx_zip(data: bytes, name: str) -> None:
    """Refuse a DOCX that is not a zip, lacks the main part, or would unpack to too much."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("ingest.docx_corrupt", file=name, detail="not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError("ingest.docx_corrupt", file=name, detail=str(exc)) from exc
    if len(infos) > MAX_DOCX_ENTRIES:
        raise IngestError("ingest.docx_bomb", file=name, detail=f"{len(infos)} entries")
    total = sum(i.file_size for i in infos)
    if total > MAX_DOCX_UNPACKED:
        raise IngestError("ingest.docx_bomb", file=name, detail=f"{total // 1048576} MB unpacked")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_DOCX_RATIO * max(info.compress_size, 1):
            raise IngestError("ingest.docx_bomb", file=name, detail=f"{info.filename} compressed too well")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise IngestError("ingest.docx_corrupt", file=name, detail="no word/document.xml")


def load_docx(path: Path) -> Loaded:
    text, title = run_sandboxed("docx", path)
    return Loaded(text, title, DocMeta(), web=False)


def parse_docx_here(path: Path, lim: IngestLimits) -> tuple[str, str | None]:
    """In this process (the sandbox child): the streamed text and title under the limits."""
    from knowledge.ingest.docx_stream import docx_text

    name = str(path)
    deadline = Deadline(lim.parse_timeout_s, name)
    data = read_bytes(path)
    check_docx_zip(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return docx_text(zf, name, lim, deadline)
    except (IngestError, MemoryError):
        raise
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise IngestError("ingest.docx_corrupt", file=name, detail=str(exc)[:200]) from exc
    except Exception as exc:  # lxml syntax errors and friends from a damaged part
        raise IngestError("ingest.docx_corrupt", file=name, detail=type(exc).__name__) from exc
