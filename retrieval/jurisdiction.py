"""Which country a conversation is about, and which documents may answer it.

Every document has a country: the code its `region` metadata starts with (`VN`, `KZ-Pavlodar`),
else the country of the places it names (constraints.doc_facts). The conversation's country is,
in this order: the one the user chose; the channel's (Zalo is Vietnamese); the one the question's
places, programs, document numbers or country names imply; the language's (`vi` → VN; `ru` → KZ:
Russian is spoken in both, but in this knowledge base Russian readers are Kazakhstan's citizens and
NGOs, and the Russian versions of Vietnamese documents are reached by questions that name Vietnam).
Documents of another country answer only when the question names that country; documents whose
country is unknown are never excluded.

A document's country and scope (`DocInfo`) come from its whole text in the knowledge base, read
through `knowledge.doc_queries` by a `DocumentCatalog` that caches them per corpus version.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from knowledge.doc_queries import DocumentText, active_documents
from knowledge.queries import corpus_version
from retrieval.constraint_check import DocFacts, doc_facts
from retrieval.constraints import Facts
from retrieval.types import SearchHit

log = logging.getLogger(__name__)

CHANNEL_COUNTRY = {"zalo": "VN"}
"""Channel name prefix → country (`zalo_bot`, `zalo_oa`)."""
LANG_COUNTRY = {"vi": "VN", "ru": "KZ"}
SERVED = frozenset(CHANNEL_COUNTRY.values()) | frozenset(LANG_COUNTRY.values())
"""The jurisdictions the bot answers for. A document about any other country (a history article
that names Italy) is general knowledge, not a competing jurisdiction's rule: it is never excluded."""


@dataclass(frozen=True)
class Context:
    country: str | None
    source: str
    """`chosen`, `channel`, `question`, `language` or `none`."""
    named: tuple[str, ...] = ()
    """Countries the question itself names or implies."""

    def allows(self, country: str | None) -> bool:
        return (country is None or self.country is None or country == self.country or country in self.named
                or country not in SERVED)


def choose(asked: Facts, lang: str | None, *, chosen: str | None = None, channel: str | None = None) -> Context:
    named = tuple(asked.implied_countries())
    if chosen:
        return Context(chosen.upper(), "chosen", named)
    for prefix, country in CHANNEL_COUNTRY.items():
        if channel and channel.lower().startswith(prefix):
            return Context(country, "channel", named)
    if named:
        return Context(named[0], "question", named)
    by_lang = LANG_COUNTRY.get(lang or "")
    return Context(by_lang, "language" if by_lang else "none", named)


@dataclass
class DocInfo:
    facts: DocFacts
    kind: str = "document"
    questions: list[str] = field(default_factory=list)
    """A curated staff answer: the questions it was written for."""

    @classmethod
    def of_hit(cls, hit: SearchHit) -> DocInfo:
        """What the hit itself says about its document (one not found in the knowledge base)."""
        return cls(doc_facts(str(hit.title or ""), str(hit.text), hit.region), hit.kind,
                   [str(hit.title)] if hit.title else [])

    @classmethod
    def of_document(cls, doc: DocumentText) -> DocInfo:
        return cls(doc_facts(doc.title, doc.text, doc.region), doc.kind, list(doc.questions))


class DocumentCatalog:
    """DocInfo of the documents of one knowledge base (`engine`), read from SQL (the whole text, the
    metadata) and cached per corpus version by this object. A database error while reading is logged
    and the hits speak for their documents; nothing else is swallowed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: tuple[int, dict[str, DocInfo]] | None = None
        self._lock = threading.Lock()
        self._errors: tuple[type[Exception], ...] = (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)
        """Database errors: SQLAlchemy's, and the driver's own (PEP 249 `Error`), which
        `corpus_version` raises unwrapped (it reads on a raw DBAPI connection)."""

    def documents(self, hits: Sequence[SearchHit]) -> dict[str, DocInfo]:
        """DocInfo of every document among `hits` (from the hit itself when not in the knowledge base)."""
        try:
            known = self._read(list(dict.fromkeys(h.doc_id for h in hits)))
        except self._errors as exc:  # the answer must not fail because metadata could not be read
            log.warning("document metadata unavailable: %s", type(exc).__name__)
            known = {}
        return from_hits(hits, known)

    def _read(self, wanted: list[str]) -> dict[str, DocInfo]:
        version = corpus_version(self.engine)
        with self._lock:
            if self._cache is None or self._cache[0] != version:
                self._cache = (version, {})
            cache = self._cache[1]
            missing = [d for d in wanted if d not in cache]
        if missing:
            loaded = {doc.doc_id: DocInfo.of_document(doc) for doc in active_documents(self.engine, missing)}
            with self._lock:
                cache.update(loaded)
        with self._lock:
            return {d: cache[d] for d in wanted if d in cache}


_SHARED: weakref.WeakKeyDictionary[Engine, DocumentCatalog] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def shared_catalog(engine: Engine) -> DocumentCatalog:
    """The catalog of `engine` for callers that do not keep their own (its cache then lives as long
    as the engine). An answerer should own a `DocumentCatalog` and pass it to `Plan.make`."""
    with _SHARED_LOCK:
        catalog = _SHARED.get(engine)
        if catalog is None:
            catalog = _SHARED[engine] = DocumentCatalog(engine)
        return catalog


def from_hits(hits: Sequence[SearchHit], known: Mapping[str, DocInfo]) -> dict[str, DocInfo]:
    """DocInfo of every document among `hits`: from `known`, else from the first hit of the document."""
    out: dict[str, DocInfo] = {}
    for h in hits:
        if h.doc_id not in out:
            out[h.doc_id] = known.get(h.doc_id) or DocInfo.of_hit(h)
    return out


def split(hits: Sequence[SearchHit], docs: dict[str, DocInfo],
          ctx: Context) -> tuple[list[SearchHit], list[SearchHit]]:
    """(hits the context allows, hits of other countries), each in the original order."""
    allowed: list[SearchHit] = []
    other: list[SearchHit] = []
    for h in hits:
        info = docs.get(h.doc_id)
        (allowed if info is None or ctx.allows(info.facts.country) else other).append(h)
    return allowed, other
