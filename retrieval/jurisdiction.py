"""Which country a conversation is about, and which documents may answer it.

Every document has a country: the code its `region` metadata starts with (`VN`, `KZ-Pavlodar`),
else the country of the places it names (constraints.doc_facts). The conversation's country is,
in this order: the one the user chose; the channel's (Zalo is Vietnamese); the one the question's
places, programs, document numbers or country names imply; the language's (`vi` → VN; `ru` → KZ:
Russian is spoken in both, but in this knowledge base Russian readers are Kazakhstan's citizens and
NGOs, and the Russian versions of Vietnamese documents are reached by questions that name Vietnam).
Documents of another country answer only when the question names that country; documents whose
country is unknown are never excluded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from knowledge.models import Document
from retrieval.constraint_check import DocFacts, doc_facts
from retrieval.constraints import Facts

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


_CACHE: dict[int, tuple[int, dict[str, DocInfo]]] = {}


def _version(engine: Any) -> int:
    from knowledge.queries import corpus_version

    return corpus_version(engine)


def documents(search: Any, hits: Sequence[Any]) -> dict[str, DocInfo]:
    """DocInfo of every document among `hits`: read from SQL (the whole text, the metadata) and
    cached per corpus version; without an engine (a fake search), from the hits themselves."""
    engine = getattr(search, "engine", None)
    wanted = list(dict.fromkeys(h.doc_id for h in hits))
    out: dict[str, DocInfo] = {}
    cache: dict[str, DocInfo] = {}
    if engine is not None:
        try:
            version = _version(engine)
            cached = _CACHE.get(id(engine))
            if cached is None or cached[0] != version:
                cached = (version, {})
                _CACHE[id(engine)] = cached
            cache = cached[1]
            missing = [d for d in wanted if d not in cache]
            if missing:
                cache.update(_load(engine, missing))
        except Exception:  # the answer must not fail because metadata could not be read
            cache = {}
    for h in hits:
        if h.doc_id in out:
            continue
        info = cache.get(h.doc_id)
        if info is None:
            info = DocInfo(doc_facts(str(h.title or ""), str(h.text), getattr(h, "region", None)),
                           getattr(h, "kind", "document"), [str(h.title)] if h.title else [])
        out[h.doc_id] = info
    return out


def _load(engine: Any, doc_ids: list[str]) -> dict[str, DocInfo]:
    stmt = (select(Document.doc_id, Document.title, Document.region, Document.text, Document.kind,  # type: ignore[call-overload]
                   Document.meta_json)
            .where(Document.status == "active", Document.doc_id.in_(doc_ids)))  # type: ignore[attr-defined]
    out: dict[str, DocInfo] = {}
    with Session(engine) as session:
        for doc_id, title, region, text, kind, meta_json in session.execute(stmt):
            questions: list[str] = []
            if kind == "qa":
                try:
                    extra = json.loads(meta_json or "{}")
                except ValueError:
                    extra = {}
                listed = extra.get("questions") if isinstance(extra, dict) else None
                questions = [str(q) for q in listed] if isinstance(listed, list) else []
                questions = questions or [str(title)]
            out[str(doc_id)] = DocInfo(doc_facts(str(title), str(text), region), str(kind), questions)
    return out


def split(hits: Sequence[Any], docs: dict[str, DocInfo], ctx: Context) -> tuple[list[Any], list[Any]]:
    """(hits the context allows, hits of other countries), each in the original order."""
    allowed: list[Any] = []
    other: list[Any] = []
    for h in hits:
        info = docs.get(h.doc_id)
        (allowed if info is None or ctx.allows(info.facts.country) else other).append(h)
    return allowed, other
