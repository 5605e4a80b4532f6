"""Value types of the knowledge base: document metadata in, results and document info out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import TypedDict, Unpack

from knowledge.jsontypes import JSONDict, JSONValue

Progress = Callable[[int, int], None]
"""`progress(done, total)`, called during long operations."""

SUPPORTED_LANGS = ("vi", "ru")
"""Languages the knowledge base accepts."""



class MetaChanges(TypedDict, total=False):
    """The fields `DocMeta.with_` may replace."""

    title: str | None
    lang: str | None
    url: str | None
    region: str | None
    program: str | None
    published: date | None
    effective: date | None
    doc_id: str | None
    extra: dict[str, JSONValue]

@dataclass(frozen=True, slots=True)
class DocMeta:
    """Metadata of one document; every field optional. Explicit values (CLI flags, a staff caption)
    win over a sidecar `<file>.meta.yaml`, which wins over front matter, which wins over what is
    found in the document itself (HTML title, first heading, first line, detected language)."""

    title: str | None = None
    lang: str | None = None
    url: str | None = None
    region: str | None = None
    program: str | None = None
    published: date | None = None
    effective: date | None = None
    doc_id: str | None = None
    """An explicit stable id: a document with the same id is replaced."""
    extra: dict[str, JSONValue] = field(default_factory=dict)
    """Other front-matter keys, kept in Document.meta_json."""

    def over(self, base: DocMeta | None) -> DocMeta:
        """These values where set, else `base`'s (extras merged, ours winning)."""
        if base is None:
            return self
        return DocMeta(
            title=_first(self.title, base.title), lang=_first(self.lang, base.lang), url=_first(self.url, base.url),
            region=_first(self.region, base.region), program=_first(self.program, base.program),
            published=self.published or base.published, effective=self.effective or base.effective,
            doc_id=_first(self.doc_id, base.doc_id), extra={**base.extra, **self.extra},
        )

    def with_(self, **changes: Unpack[MetaChanges]) -> DocMeta:
        """A copy with the given fields replaced (None included)."""
        return replace(self, **changes)

def _first(mine: str | None, base: str | None) -> str | None:
    return mine if mine not in (None, "") else base


@dataclass(frozen=True, slots=True)
class AddResult:
    """What one add did. `action`: `added` (new document), `replaced` (a new version of an existing
    document; the old one kept as `replaced` in history) or `unchanged` (same text and metadata)."""

    doc_id: str
    title: str
    lang: str
    chunks: int
    version: int
    action: str
    source: str = ""
    kind: str = "document"
    url: str | None = None
    chars: int = 0
    previous_version: int | None = None
    """For `replaced`: the version this one replaced (shown as "replaced v1 → v2")."""

    def to_json(self) -> JSONDict:
        data: JSONDict = asdict(self)
        return data


@dataclass(frozen=True, slots=True)
class DocInfo:
    """One document version as listed / shown (chunks = its current chunk count; 0 for history)."""

    doc_id: str
    title: str
    lang: str
    source: str
    url: str | None
    region: str | None
    program: str | None
    published: date | None
    effective: date | None
    chunks: int
    version: int
    status: str
    kind: str
    added_by: str | None
    created_at: datetime
    chars: int = 0
    content_hash: str = ""
    meta: dict[str, JSONValue] = field(default_factory=dict)

    def to_json(self) -> JSONDict:
        data: JSONDict = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["effective"] = self.effective.isoformat() if self.effective else None
        data["created_at"] = self.created_at.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """One stored chunk (for `kb show --chunks` and tests)."""

    chunk_id: int
    position: int
    char_start: int
    char_end: int
    text: str
    text_hash: str
