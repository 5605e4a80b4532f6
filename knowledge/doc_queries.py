"""Typed reads of whole documents for the answer's guard (retrieval/jurisdiction.py).

`active_documents(engine, doc_ids)` returns, for each active document among `doc_ids`, what decides
its jurisdiction: title, `region` metadata, full text, kind, and — for a curated staff answer — the
questions it was written for (from its metadata). Database errors (`SQLAlchemyError`) propagate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from knowledge.models import Document


@dataclass(frozen=True, slots=True)
class DocumentText:
    """One active document as the answer's guard reads it."""

    doc_id: str
    title: str
    region: str | None
    text: str
    kind: str
    questions: tuple[str, ...] = ()
    """A curated staff answer (`kind == "qa"`): the questions its metadata lists, else its title."""


def _questions(title: str, meta_json: str | None) -> tuple[str, ...]:
    try:
        extra: object = json.loads(meta_json or "{}")
    except ValueError:
        extra = {}
    listed = extra.get("questions") if isinstance(extra, dict) else None
    questions = tuple(str(q) for q in listed) if isinstance(listed, list) else ()
    return questions or (title,)


def active_documents(engine: Engine, doc_ids: Sequence[str]) -> list[DocumentText]:
    """The active versions of `doc_ids` (absent ids are skipped)."""
    if not doc_ids:
        return []
    stmt = (
        select(col(Document.doc_id), col(Document.title), col(Document.region), col(Document.text),
               col(Document.kind), col(Document.meta_json))
        .where(col(Document.status) == "active", col(Document.doc_id).in_(list(doc_ids)))
    )  # fmt: skip
    out: list[DocumentText] = []
    with engine.connect() as conn:
        for doc_id, title, region, text, kind, meta_json in conn.execute(stmt):
            questions = _questions(str(title), meta_json) if kind == "qa" else ()
            out.append(DocumentText(str(doc_id), str(title), region, str(text), str(kind), questions))
    return out
