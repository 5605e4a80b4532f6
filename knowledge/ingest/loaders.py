"""File loaders: bytes on disk → raw text + what the file itself says about title and metadata.

One function per format; :func:`load_file` picks one by extension. PDF and DOCX live in
:mod:`knowledge.ingest.binary`. Every failure is an :class:`IngestError` naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from knowledge.errors import IngestError
from knowledge.ingest.meta import parse_date, split_front_matter
from knowledge.text import is_cyrillic, letters
from knowledge.types import DocMeta

MAX_FILE_MB = 100


@dataclass(slots=True)
class Loaded:
    text: str
    title: str | None = None
    meta: DocMeta = field(default_factory=DocMeta)
    """Metadata written in the file (front matter, document properties)."""
    web: bool = True
    """Whether web boilerplate clean-up applies (scraped text, HTML)."""
    published: date | None = None


def read_bytes(path: Path, max_mb: int = MAX_FILE_MB) -> bytes:
    name = str(path)
    if not path.exists():
        raise IngestError("ingest.not_found", file=name)
    if not path.is_file():
        raise IngestError("ingest.unreadable", file=name, detail="not a regular file")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise IngestError("ingest.too_large", file=name, size_mb=round(size / 1048576, 1), limit_mb=max_mb)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError("ingest.unreadable", file=name, detail=exc.strerror or str(exc)) from exc


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1251 Russian text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError("ingest.encoding", file=file) from exc
    if b"\x00" in data[:4096]:
        raise IngestError("ingest.unreadable", file=file, detail="binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    found = letters(text)
    cyr = sum(1 for c in found if is_cyrillic(c))
    if found and cyr / len(found) > 0.5 and "\ufffd" not in text:
        return text
    raise IngestError("ingest.encoding", file=file)


def read_text_file(path: Path, *, markup: bool = False) -> str:
    """Bytes → text, refusing before decoding a file that must hold more than `MAX_DOC_CHARS`
    characters (UTF-8 spends at most 4 bytes on one), and after decoding one that does (for markup,
    HTML, the extracted text is what counts: checked later)."""
    from knowledge.ingest.limits import check_chars

    name = str(path)
    if path.is_file():
        check_chars(path.stat().st_size // 4, name)  # before reading it into memory
    data = read_bytes(path)
    check_chars(len(data) // 4, name)
    text = decode_text(data, name)
    if not markup:
        check_chars(len(text), name)
    return text


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return None


def load_txt(path: Path) -> Loaded:
    name = str(path)
    meta, body = split_front_matter(read_text_file(path), file=name)
    return Loaded(body, None, meta, web=True)


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_SETEXT = re.compile(r"^(.+)\n(=+|-+)\s*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_MD_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_MD_HTML = re.compile(r"<!--.*?-->|</?[a-zA-Z][^>]*>", re.DOTALL)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", re.MULTILINE)


def markdown_to_text(body: str) -> tuple[str, str | None]:
    """Plain text of a markdown body (headings kept as lines) and its first heading."""
    first = _MD_HEADING.search(body)
    setext = _MD_SETEXT.search(body)
    title = first.group(2) if first else (setext.group(1) if setext else None)
    text = _MD_FENCE.sub("", body)
    text = _MD_HTML.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_HEADING.sub(lambda m: "\n" + m.group(2) + "\n", text)
    text = re.sub(r"^(=+|-{3,})\s*$", "", text, flags=re.MULTILINE)
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_QUOTE.sub("", text)
    for _ in range(2):
        text = _MD_EMPH.sub(r"\2", text)
    if title:
        title = _MD_EMPH.sub(r"\2", _MD_LINK.sub(r"\1", title)).strip()
    return text, title


def load_md(path: Path) -> Loaded:
    name = str(path)
    meta, body = split_front_matter(read_text_file(path), file=name)
    text, title = markdown_to_text(body)
    return Loaded(text, title, meta, web=True)


_SKIP_TEXT = "script style noscript template svg nav footer aside form iframe button select"
_BLOCK_TEXT = "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header blockquote pre dd dt hr figure"
_SKIP_TAGS = frozenset(_SKIP_TEXT.split())
_BLOCK_TAGS = frozenset(_BLOCK_TEXT.split())


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._in: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k: (v or "") for k, v in attrs}
            key = a.get("property") or a.get("name") or ""
            if key and "content" in a:
                self.meta[key.lower()] = a["content"]
            return
        if tag == "html":
            lang = dict(attrs).get("lang") or ""
            if lang:
                self.meta.setdefault("language", lang)
        if tag in ("title", "h1"):
            self._in.add(tag)
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag in ("p", "h1", "h2", "h3", "h4", "li", "tr") else "\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        self._in.discard(tag)
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        if "h1" in self._in:
            self.h1_parts.append(data)
        self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None, dict[str, str]]:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    h1 = " ".join("".join(parser.h1_parts).split())
    title = " ".join("".join(parser.title_parts).split())
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\|[ \t]*(\n|$)", r"\1", text)
    return text, (h1 or title or None), parser.meta


def load_html(path: Path) -> Loaded:
    name = str(path)
    text, title, meta_tags = html_to_text(read_text_file(path, markup=True))
    lang = (meta_tags.get("language") or meta_tags.get("og:locale") or "")[:2].lower() or None
    url = meta_tags.get("og:url") or None
    try:
        published = parse_date((meta_tags.get("article:published_time") or "")[:10], file=name)
    except IngestError:
        published = None
    meta = DocMeta(lang=lang if lang in ("vi", "ru") else None, url=url, published=published)
    return Loaded(text, title, meta, web=True)


def _loaders() -> dict[str, Callable[[Path], Loaded]]:
    from knowledge.ingest.binary import load_docx, load_pdf

    return {
        ".txt": load_txt, ".text": load_txt, ".md": load_md, ".markdown": load_md,
        ".html": load_html, ".htm": load_html, ".pdf": load_pdf, ".docx": load_docx,
    }  # fmt: skip


SUPPORTED_EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")


def load_file(path: Path) -> Loaded:
    """Load any supported file; an unsupported extension is an IngestError."""
    ext = path.suffix.lower()
    loader = _loaders().get(ext)
    if loader is None:
        if not path.exists():
            raise IngestError("ingest.not_found", file=str(path))
        raise IngestError("ingest.unsupported_type", file=str(path), ext=ext or "(none)")
    return loader(path)


__all__ = ["SUPPORTED_EXTENSIONS", "Loaded", "_first_line", "decode_text", "load_file", "markdown_to_text"]
