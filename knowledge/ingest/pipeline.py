"""From a file or a text to a document ready to store: cleaned text, resolved metadata, chunks.

Nothing here touches the database; every problem is an :class:`IngestError` raised before the
store writes anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import IngestError
from knowledge.ingest.chunking import ChunkSpan, chunk_text
from knowledge.ingest.clean import clean_text
from knowledge.ingest.limits import check_chars, limits
from knowledge.ingest.loaders import SUPPORTED_EXTENSIONS, load_file
from knowledge.ingest.meta import SIDECAR_SUFFIX, read_sidecar
from knowledge.text import detect_language, fold_lower, normalize_text, sentence_spans
from knowledge.types import SUPPORTED_LANGS, DocMeta

TITLE_MAX = 200
_LATIN_TEXT = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"
_TRANSLIT = {k: v.strip("-") for k, v in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN_TEXT.split(), strict=True)}


@dataclass(slots=True)
class Prepared:
    """A document ready to store (title and lang always set in `meta`)."""

    text: str
    meta: DocMeta
    source: str
    kind: str = "document"
    chunks: list[ChunkSpan] = field(default_factory=list)
    content_hash: str = ""
    derived_id: str = ""
    """The id to use when no explicit id and no existing document (same URL/source) match."""


def slugify(text: str, max_len: int = 40) -> str:
    """ASCII slug: Vietnamese diacritics folded, Cyrillic transliterated."""
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(_TRANSLIT.get(ch, ch) for ch in fold_lower(text))).strip("-")
    return slug[:max_len].rstrip("-") or "doc"


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def title_from_text(text: str) -> str:
    """The first line; a long first line is cut to its first sentence or ~120 characters."""
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    if len(first) <= TITLE_MAX:
        return first
    spans = sentence_spans(first)
    if spans and spans[0][1] - spans[0][0] <= TITLE_MAX:
        return first[spans[0][0] : spans[0][1]]
    cut = first.rfind(" ", 0, 120)
    return first[: cut if cut > 40 else 120].rstrip(" ,;:") + "…"


def resolve_lang(text: str, lang: str | None, file: str) -> str:
    if lang:
        lang = lang.strip().lower()
        if lang not in SUPPORTED_LANGS:
            raise IngestError("ingest.bad_language", file=file, lang=lang)
        return lang
    found = detect_language(text)
    if found not in SUPPORTED_LANGS:
        raise IngestError("ingest.unknown_language", file=file)
    return found


def _check_lengths(meta: DocMeta, file: str) -> None:
    """The database columns' limits, checked before writing (PostgreSQL would refuse)."""
    columns = (("doc_id", meta.doc_id, 200), ("url", meta.url, 1000), ("region", meta.region, 100),
               ("program", meta.program, 100))
    for name, value, limit in columns:
        if value is not None and len(value) > limit:
            raise IngestError("ingest.bad_metadata", file=file, detail=f"{name} is longer than {limit} characters")


def finish(text: str, meta: DocMeta, *, source: str, file: str, kind: str = "document",
           title_hint: str | None = None, derived_id: str = "") -> Prepared:  # fmt: skip
    """Validate and chunk a cleaned text; fill title and language."""
    if not text.strip():
        raise IngestError("ingest.empty", file=file)
    lim = limits()
    check_chars(len(text), file, lim)
    _check_lengths(meta, file)
    lang = resolve_lang(text, meta.lang, file)
    title = normalize_text(meta.title or title_hint or "") or title_from_text(text)
    title = " ".join(title.split())[:500]
    meta = meta.with_(title=title, lang=lang)
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    chunks = chunk_text(text)
    if len(chunks) > lim.max_chunks:
        raise IngestError("ingest.too_many_chunks", file=file, chunks=len(chunks), limit=lim.max_chunks)
    return Prepared(text, meta, source, kind, chunks, content_hash, derived_id or slugify(title))


def prepare_file(path: Path | str, meta: DocMeta | None = None, *, source: str | None = None) -> Prepared:
    """Load, clean and chunk one file. Metadata: `meta` > sidecar > front matter > the document."""
    path = Path(path)
    loaded = load_file(path)
    merged = (meta or DocMeta()).over(read_sidecar(path).over(loaded.meta))
    cleaned = clean_text(loaded.text, boilerplate=loaded.web, breadcrumb=loaded.title is None)
    if merged.published is None and (loaded.published or cleaned.published):
        merged = merged.with_(published=loaded.published or cleaned.published)
    extra = {"format": path.suffix.lower().lstrip("."), **merged.extra}
    src = source or str(path.resolve())
    derived = slugify(path.stem, max_len=120)  # a document's identity: its normalized file name
    return finish(cleaned.text, merged.with_(extra=extra), source=src, file=str(path),
                  title_hint=loaded.title, derived_id=derived)  # fmt: skip


def prepare_text(text: str, meta: DocMeta | None = None, *, source: str = "", kind: str = "document",
                 file: str = "") -> Prepared:  # fmt: skip
    """Clean and chunk a text given directly (staff upload body, curated Q&A)."""
    meta = meta or DocMeta()
    cleaned = clean_text(text, boilerplate=(kind == "document"))
    if meta.published is None and cleaned.published is not None:
        meta = meta.with_(published=cleaned.published)
    prepared = finish(cleaned.text, meta, source=source, file=file or source or "(text)", kind=kind)
    prepared.derived_id = f"{'qa' if kind == 'qa' else slugify(prepared.meta.title or '')}-" + short_hash(
        source or prepared.content_hash
    )
    return prepared


def iter_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files to ingest: explicit files as given (any extension: a wrong one fails later, clearly);
    folders walked recursively for supported extensions, sidecars and hidden files skipped."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_EXTENSIONS
                and not p.name.endswith(SIDECAR_SUFFIX)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise IngestError("ingest.no_files", file=str(path))
            out.extend(found)
        else:
            out.append(path)
    return list(dict.fromkeys(out))
