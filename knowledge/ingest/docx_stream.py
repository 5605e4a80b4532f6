"""DOCX text by streaming: bounded memory whatever the archive claims or contains.

The parts are decompressed 64 KiB at a time (`ZipExtFile.read(n)` never inflates more than asked,
unlike `read()`), and every byte really produced counts against `max_unpacked_mb`: sizes declared
in the zip headers are never trusted. `word/document.xml` goes through an incremental XML parser
(lxml pull parser, no DTD, no entities, no network) whose finished paragraphs are dropped as soon as
their text is taken, so memory stays flat; characters, nesting depth and time are capped as it goes.

What it extracts matches python-docx: paragraphs (runs' text, tabs, line breaks, hyperlinks) and
table rows as "cell | cell", in document order; the title is the core property, else the first
paragraph styled Heading/Title.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO, Protocol

from lxml import etree

from knowledge.errors import IngestError
from knowledge.ingest.limits import Deadline, IngestLimits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
READ_SIZE = 64 * 1024
SMALL_PART = 4 * 1024 * 1024
"""styles.xml and core.xml are read whole, up to this many bytes."""


class XmlElement(Protocol):
    """What is used of an lxml element (lxml ships no type information). `tag` is a string for an
    element, something else for an entity or processing instruction: it is only compared."""

    @property
    def tag(self) -> object: ...
    @property
    def text(self) -> str | None: ...
    def get(self, key: str) -> str | None: ...
    def find(self, path: str) -> XmlElement | None: ...
    def iter(self, tag: str) -> Iterator[XmlElement]: ...
    def getparent(self) -> XmlElement | None: ...
    def getprevious(self) -> XmlElement | None: ...
    def clear(self, keep_tail: bool = False) -> None: ...
    def __delitem__(self, index: int) -> None: ...


class _Budget:
    def __init__(self, limit_bytes: int, file: str) -> None:
        self.left = limit_bytes
        self.limit = limit_bytes
        self.file = file

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise IngestError("ingest.docx_bomb", file=self.file,
                              detail=f"more than {self.limit // 1048576} MB unpacked")


def _stream(zf: zipfile.ZipFile, name: str, budget: _Budget, deadline: Deadline) -> Iterator[bytes]:
    f: IO[bytes]
    with zf.open(name) as f:
        while True:
            chunk = f.read(READ_SIZE)
            if not chunk:
                return
            budget.take(len(chunk))
            deadline.check()
            yield chunk


def _parser(events: tuple[str, ...] | None = None) -> etree.XMLPullParser:
    """A pull parser reporting `events` (None: lxml's default, element ends)."""
    return etree.XMLPullParser(
        events=events, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def _refuse_dtd(chunk: bytes, file: str) -> None:
    if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
        raise IngestError("ingest.docx_bomb", file=file, detail="a DTD or entity declaration")


def _small_xml(zf: zipfile.ZipFile, name: str, budget: _Budget, deadline: Deadline) -> XmlElement | None:
    """A small part parsed whole (styles, core properties); None if absent or over SMALL_PART."""
    if name not in zf.namelist():
        return None
    data = bytearray()
    for chunk in _stream(zf, name, budget, deadline):
        data += chunk
        if len(data) > SMALL_PART:
            return None
    _refuse_dtd(bytes(data[:4096]), budget.file)
    parser = _parser()
    parser.feed(bytes(data))
    root: XmlElement = parser.close()
    return root


def _heading_styles(zf: zipfile.ZipFile, budget: _Budget, deadline: Deadline) -> set[str]:
    root = _small_xml(zf, "word/styles.xml", budget, deadline)
    ids: set[str] = set()
    if root is None:
        return ids
    for style in root.iter(W + "style"):
        sid = style.get(W + "styleId") or ""
        name_el = style.find(W + "name")
        name = (name_el.get(W + "val") if name_el is not None else "") or ""
        if name.lower().startswith("heading") or name.lower() == "title":
            ids.add(sid)
    return ids


class _Collector:
    """Turns the pull parser's events into blocks (paragraphs, table rows)."""

    def __init__(self, file: str, lim: IngestLimits, headings: set[str]) -> None:
        self.file = file
        self.lim = lim
        self.headings = headings
        self.blocks: list[str] = []
        self.heading: str | None = None
        self.chars = 0
        self.depth = 0
        self.paras: list[list[str]] = []
        self.para_styles: list[str] = []
        self.cells: list[list[str]] = []
        self.rows: list[list[str]] = []

    def start(self, el: XmlElement) -> None:
        self.depth += 1
        if self.depth > self.lim.max_xml_depth:
            raise IngestError("ingest.docx_bomb", file=self.file, detail=f"nested deeper than {self.lim.max_xml_depth}")
        tag = el.tag
        if tag == W + "p":
            self.paras.append([])
            self.para_styles.append("")
        elif tag == W + "tr":
            self.rows.append([])
        elif tag == W + "tc":
            self.cells.append([])

    def end(self, el: XmlElement) -> None:
        self.depth -= 1
        tag = el.tag
        if self.paras and tag in (W + "t", W + "tab", W + "br", W + "cr"):
            piece = (el.text or "") if tag == W + "t" else ("\t" if tag == W + "tab" else "\n")
            self._count(len(piece))
            self.paras[-1].append(piece)
        elif tag == W + "pStyle" and self.para_styles:
            self.para_styles[-1] = el.get(W + "val") or ""
        elif tag == W + "p" and self.paras:
            self._paragraph("".join(self.paras.pop()), self.para_styles.pop())
        elif tag == W + "tc" and self.cells:
            text = "\n".join(self.cells.pop()).strip()
            if self.rows and text:
                self.rows[-1].append(text)
        elif tag == W + "tr" and self.rows:
            line = " | ".join(dict.fromkeys(self.rows.pop()))
            if line:
                self.blocks.append(line)
        _drop(el)  # everything needed from it is taken: memory stays O(depth)

    def _paragraph(self, text: str, style: str) -> None:
        if self.cells:
            self.cells[-1].append(text)
            return
        text = text.strip()
        if not text:
            return
        if self.heading is None and style in self.headings:
            self.heading = text
        self.blocks.append(text)

    def _count(self, n: int) -> None:
        self.chars += n
        if self.chars > self.lim.max_chars:
            raise IngestError("ingest.too_much_text", file=self.file, limit=self.lim.max_chars)


def _drop(el: XmlElement) -> None:
    """Free a finished element and the siblings before it (their text is already taken)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def docx_text(zf: zipfile.ZipFile, file: str, lim: IngestLimits, deadline: Deadline) -> tuple[str, str | None]:
    """The text (blocks joined by blank lines) and title of an open DOCX archive."""
    budget = _Budget(lim.max_unpacked_mb * 1024 * 1024, file)
    headings = _heading_styles(zf, budget, deadline)
    collector = _Collector(file, lim, headings)
    parser = _parser(events=("start", "end"))
    events = 0
    root_seen = False
    for chunk in _stream(zf, "word/document.xml", budget, deadline):
        if not root_seen:
            _refuse_dtd(chunk, file)
        parser.feed(chunk)
        for action, el in parser.read_events():
            root_seen = True
            if action == "start":
                collector.start(el)
            else:
                collector.end(el)
            events += 1
            if events % 4096 == 0:
                deadline.check()
    parser.close()
    core = _small_xml(zf, "docProps/core.xml", budget, deadline)
    title_el = core.find(DC_TITLE) if core is not None else None
    title = (title_el.text or "").strip() if title_el is not None else ""
    return "\n\n".join(collector.blocks), title or collector.heading
