"""PDF (pypdf) and DOCX (python-docx) loaders, defensive about what users upload.

- PDF: a password-protected file is refused (`ingest.pdf_encrypted`) unless it opens with the
  empty password (owner-only restrictions); a damaged file is `ingest.pdf_corrupt`; a scan
  without a text layer is `ingest.pdf_no_text`. Hard-wrapped lines are joined back into paragraphs.
- DOCX: the zip is inspected before python-docx reads it: not a zip / no `word/document.xml`
  → `ingest.docx_corrupt`; too many entries, too many uncompressed bytes or an extreme
  compression ratio → `ingest.docx_bomb`.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

from knowledge.errors import IngestError
from knowledge.ingest.loaders import Loaded, read_bytes
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
    from pypdf import PdfReader

    name = str(path)
    data = read_bytes(path)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError("ingest.pdf_corrupt", file=name, detail="no PDF header")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
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
        pages = [_reflow(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
        title = str(info.title).strip() if info is not None and info.title else None
    except IngestError:
        raise
    except Exception as exc:  # untrusted input: any parser failure means a damaged file
        raise IngestError("ingest.pdf_corrupt", file=name, detail=type(exc).__name__ + ": " + str(exc)[:200]) from exc
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise IngestError("ingest.pdf_no_text", file=name)
    return Loaded(text, title or None, DocMeta(), web=False)


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


def _docx_blocks(document: Any) -> tuple[list[str], str | None]:
    """Paragraphs and table rows in document order, and the first heading."""
    from docx.table import Table

    blocks: list[str] = []
    heading: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                line = " | ".join(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if line:
                    blocks.append(line)
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if heading is None and (style.startswith("Heading") or style == "Title"):
            heading = text
        blocks.append(text)
    return blocks, heading


def load_docx(path: Path) -> Loaded:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    name = str(path)
    data = read_bytes(path)
    check_docx_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks, heading = _docx_blocks(document)
        core_title = (document.core_properties.title or "").strip()
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise IngestError("ingest.docx_corrupt", file=name, detail=str(exc)[:200]) from exc
    except Exception as exc:  # lxml syntax errors and friends from a damaged part
        raise IngestError("ingest.docx_corrupt", file=name, detail=type(exc).__name__) from exc
    return Loaded("\n\n".join(blocks), core_title or heading, DocMeta(), web=False)
